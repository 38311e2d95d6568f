import NIOPosix

/// Runs CPU-heavy work (embedding, index search and building, snapshots) on a bounded pool of threads of its own
/// instead of Swift's cooperative pool: that pool has one thread per core, and a 100 ms embedding batch there would
/// stall every request handler. Bounded, so a burst of queries queues here instead of starting one thread per
/// request (an unbounded Dispatch queue did, and each thread then fought the others for the same cores).
///
/// The pool starts with its owner (the service) and its threads end when the last reference goes; nothing is
/// process-wide, so tests that open and drop many services leave no threads behind.
final class BlockingWork: Sendable {
    private let pool: NIOThreadPool
    let threadCount: Int

    init(threads: Int) {
        threadCount = max(1, threads)
        pool = NIOThreadPool(numberOfThreads: threadCount)
        pool.start()
    }

    deinit {
        // Asynchronous: the threads are joined off this thread, which may itself be one of them.
        pool.shutdownGracefully { _ in }
    }

    /// Runs `work` on the pool and returns its result. Not `NIOThreadPool.runIfActive`: that one drops queued work
    /// when the calling task is cancelled, and a cancelled ingest worker must still finish its chunk and write
    /// its snapshots, as it did before the pool existed.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pool.submit { state in
                guard case .active = state else {
                    continuation.resume(throwing: BlockingWorkStopped())
                    return
                }
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

/// The pool was shut down before this work could start.
struct BlockingWorkStopped: Error, CustomStringConvertible {
    var description: String { "the blocking-work pool has stopped" }
}
