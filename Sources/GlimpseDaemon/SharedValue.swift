import Synchronization

/// A value shared between tasks and callbacks, guarded by its own lock (a `Mutex` cannot be captured by the
/// escaping closures the servers call back).
final class SharedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }

    var value: Value { mutex.withLock { $0 } }
}
