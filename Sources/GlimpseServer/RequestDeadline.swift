import Hummingbird
import Logging
import Synchronization

/// Answers 503 `timeout` when a handler's work has not finished within the configured time. The work runs in its
/// own task, so the answer does not wait for work that ignores cancellation (an embedding in progress): that task
/// is cancelled and its late result dropped. Nothing already committed is undone; a client that timed out on an
/// ingest can look the job up, as for any ingest. (Hummingbird's middleware `next` cannot escape into a task, so
/// route handlers wrap their work in `run` instead.)
struct RequestDeadline: Sendable {
    let limit: Duration

    func run<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let outcome = Deadline<Value>()
        let work = Task {
            do {
                outcome.finish(.success(try await body()))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        let timer = Task { [limit] in
            try await Task.sleep(for: limit)
            outcome.finish(.failure(APIErrorResponse.timeout(limit)))
            work.cancel()
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await outcome.value()
        } onCancel: {
            work.cancel()
        }
    }
}

/// A result set once, by whichever of the work and the timer finishes first, awaited by the route handler.
private final class Deadline<Value: Sendable>: Sendable {
    private enum State {
        case pending(CheckedContinuation<Value, any Error>?)
        case finished(Result<Value, any Error>)
    }

    /// Guards the continuation and the first result, which the two racing tasks set.
    private let state = Mutex<State>(.pending(nil))

    func finish(_ result: Result<Value, any Error>) {
        let waiting: CheckedContinuation<Value, any Error>? = state.withLock { state in
            guard case .pending(let continuation) = state else { return nil }
            state = .finished(result)
            return continuation
        }
        waiting?.resume(with: result)
    }

    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .pending:
                    state = .pending(continuation)
                    return nil
                case .finished(let result):
                    return result
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

extension APIErrorResponse {
    static func timeout(_ limit: Duration) -> APIErrorResponse {
        let milliseconds = limit.components.seconds * 1_000 + limit.components.attoseconds / 1_000_000_000_000_000
        return APIErrorResponse(
            status: .serviceUnavailable, code: .timeout,
            message: "the request took longer than the daemon's request timeout of \(milliseconds) ms; try again later")
    }
}
