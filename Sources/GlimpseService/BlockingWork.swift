import Dispatch

/// Runs CPU-heavy work (embedding, index building) on a Dispatch queue instead of Swift's cooperative pool:
/// the pool has one thread per core, and a 100 ms embedding batch there would stall every request handler.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "glimpse.blocking-work", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
