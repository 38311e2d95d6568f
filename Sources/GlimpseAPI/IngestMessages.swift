import Foundation

/// One image with its captions, in the manifest-line shape the CLI reads and `POST /v1/items` accepts. Captions may
/// be absent or empty (an image-only item), which a daemon accepts only when a space embeds images.
public struct IngestItem: Codable, Sendable, Equatable {
    /// External id; when absent the daemon uses the absolute image path.
    public var id: String?
    public var imagePath: String
    /// Language code → caption, e.g. `["zh": "一只小狗", "en": "a puppy"]`; empty for an image-only item.
    public var captions: [String: String]
    /// User fields to filter on (`ItemFieldRules`): strings, numbers, booleans, RFC 3339 timestamps, arrays of
    /// strings. A re-ingest replaces them as a whole.
    public var fields: [String: JSONValue]?

    public init(
        id: String? = nil, imagePath: String, captions: [String: String], fields: [String: JSONValue]? = nil
    ) {
        self.id = id
        self.fields = fields
        self.imagePath = imagePath
        self.captions = captions
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id
        case imagePath = "image_path"
        case captions
        case fields
    }

    /// `captions` may be left out (an image-only item), as `null` or `{}` may be given.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        imagePath = try container.decode(String.self, forKey: .imagePath)
        captions = try container.decodeIfPresent([String: String].self, forKey: .captions) ?? [:]
        fields = try container.decodeIfPresent([String: JSONValue].self, forKey: .fields)
    }
}

/// Body of `POST /v1/items` when sending several items at once.
public struct IngestBatch: Codable, Sendable, Equatable {
    public var items: [IngestItem]
    public init(items: [IngestItem]) { self.items = items }
}

/// `202 Accepted` answer: the job is committed and will be embedded in the background.
public struct IngestAccepted: Codable, Sendable, Equatable {
    public var jobID: Int64
    public var state: JobState
    public var accepted: Int

    public init(jobID: Int64, state: JobState, accepted: Int) {
        self.jobID = jobID
        self.state = state
        self.accepted = accepted
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case state, accepted
    }
}

/// What a job does. The catalog stores the raw value; a rebuild that re-embeds first is still a `rebuild`.
public enum JobKind: String, Codable, Sendable, CaseIterable {
    case ingest, rebuild
}

public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, done, failed
    public var isFinished: Bool { self == .done || self == .failed }
}

public struct JobItemFailure: Codable, Sendable, Equatable {
    /// Position of the item in the request that created the job.
    public var index: Int
    public var id: String?
    public var message: String

    public init(index: Int, id: String?, message: String) {
        self.index = index
        self.id = id
        self.message = message
    }
}

/// `GET /v1/jobs/{id}`.
public struct JobResponse: Codable, Sendable, Equatable {
    public var id: Int64
    public var kind: JobKind
    public var state: JobState
    public var total: Int
    public var done: Int
    public var failed: Int
    public var inserted: Int
    public var updated: Int
    public var unchanged: Int
    public var errors: [JobItemFailure]
    public var createdAt: String
    public var updatedAt: String

    public init(
        id: Int64, kind: JobKind, state: JobState, total: Int, done: Int, failed: Int,
        inserted: Int, updated: Int, unchanged: Int, errors: [JobItemFailure], createdAt: String, updatedAt: String
    ) {
        self.id = id
        self.kind = kind
        self.state = state
        self.total = total
        self.done = done
        self.failed = failed
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.errors = errors
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, state, total, done, failed, inserted, updated, unchanged, errors
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
