import Foundation

/// `GET /v1/ready`: whether the daemon answers searches as configured. 200 with `ready: true`, else 503 with the
/// reasons. `GET /v1/health` stays liveness only (the process answers at all).
public struct ReadinessResponse: Codable, Sendable, Equatable {
    public var ready: Bool
    public var reasons: [ReadinessReason]

    public init(reasons: [ReadinessReason]) {
        self.ready = reasons.isEmpty
        self.reasons = reasons
    }
}

/// One reason the daemon is not ready: a stable code and a sentence for people.
public struct ReadinessReason: Codable, Sendable, Equatable {
    public var code: ReadinessReasonCode
    public var message: String
    /// The embedding space it concerns, when it concerns one.
    public var space: String?

    public init(code: ReadinessReasonCode, message: String, space: String? = nil) {
        self.code = code
        self.message = message
        self.space = space
    }
}

public enum ReadinessReasonCode: String, Codable, Sendable, CaseIterable {
    /// Models are still loading.
    case modelsLoading = "models_loading"
    /// A space's stored vectors come from another model: a re-embed is queued or running, and searches in that space
    /// mix two models until it ends.
    case reembedPending = "reembed_pending"
    /// An admin re-embed (`POST /v1/admin/rebuild` with `reembed: true`) is queued or running.
    case reembedRunning = "reembed_running"
    /// A dictionary is configured for cross-lingual alignment but did not load; searches run without alignment.
    case alignmentUnavailable = "alignment_unavailable"
}
