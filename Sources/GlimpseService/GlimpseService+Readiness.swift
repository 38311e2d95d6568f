import Foundation
import GlimpseAPI

extension GlimpseService {
    /// Whether searches are answered as configured (`GET /v1/ready`). Not ready while a space's stored vectors come
    /// from another model (its re-embed is queued or running), while an admin re-embed is queued or running, or when
    /// a dictionary is configured but alignment could not load it. Models load before the sockets open, so a daemon
    /// still loading refuses connections rather than answering here.
    public func readiness() throws -> ReadinessResponse {
        var reasons: [ReadinessReason] = []
        for space in spaces where space.reembedPending {
            reasons.append(
                ReadinessReason(
                    code: .reembedPending,
                    message: "the vectors of space \(space.name) come from another model; re-embedding is under way",
                    space: space.name))
        }
        let reembeds = try catalog.pendingJobs(kind: IndexRebuilder.jobKind).filter { job in
            (try? JSONDecoder().decode(RebuildJobPayload.self, from: job.payload))?.reembedThrough != nil
        }
        if let job = reembeds.first, reasons.isEmpty {
            reasons.append(
                ReadinessReason(
                    code: .reembedRunning, message: "re-embed job \(job.id) is \(job.state.rawValue)"))
        }
        let alignment = searchEngine.alignment
        if let path = alignment.dictionaryPath ?? configuration.dictionaryPath, !path.isEmpty, alignment.aligner == nil
        {
            reasons.append(
                ReadinessReason(
                    code: .alignmentUnavailable,
                    message:
                        "alignment is configured (\(path)) but unavailable: \(alignment.problem ?? "not loaded")"))
        }
        return ReadinessResponse(reasons: reasons)
    }
}
