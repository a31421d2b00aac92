import Flowcraft

/// A value handed to the store's queue that the queue takes out (once) and drops before it resumes
/// the caller. A closure's captures are released only after the block that ran it returns, which is
/// after the caller has resumed: a value captured directly is still shared then.
final class SQLiteHandOff<Value: Sendable>: Sendable {
    private let value: PthreadMutex<Value?>

    init(_ value: Value) { self.value = PthreadMutex(value) }

    /// The value, the first time; `nil` after.
    func take() -> Value? { value.withLock { $0.take() } }
}
