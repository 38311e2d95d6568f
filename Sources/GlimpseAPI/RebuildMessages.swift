import Foundation

/// Body of `POST /v1/admin/rebuild` (may be empty): HNSW parameters for the new index, defaulting to the
/// configured ones, and whether to re-embed every live caption with the current model first.
public struct RebuildRequest: Codable, Sendable, Equatable {
    public var m: Int?
    public var efConstruction: Int?
    public var reembed: Bool?

    public init(m: Int? = nil, efConstruction: Int? = nil, reembed: Bool? = nil) {
        self.m = m
        self.efConstruction = efConstruction
        self.reembed = reembed
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case m, reembed
        case efConstruction = "ef_construction"
    }

    /// The JSON field names of the request; the daemon refuses any other.
    public static let fieldNames: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))
}

/// `202 Accepted` answer to a rebuild: follow it with `GET /v1/jobs/{job_id}` (done/total count vectors).
public struct RebuildAccepted: Codable, Sendable, Equatable {
    public var jobID: Int64
    public var state: JobState

    public init(jobID: Int64, state: JobState) {
        self.jobID = jobID
        self.state = state
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case state
    }
}
