#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex: shared between Swift tasks and a Redis connection's OS
/// thread, between a run's driver and its worker tasks (``NodeJobPool``), and in the Redis client's
/// and worker's shared state.
///
/// Used instead of `Synchronization.Mutex` because ThreadSanitizer understands pthread locks
/// (it reports false races through `Mutex`'s futex on Linux), so that code can be race-checked
/// with `--sanitize=thread`.
///
/// `@unchecked Sendable`: the value is `Sendable` and only read or written inside `withLock`, while
/// `mutex` is held; the pthread mutex lives in heap memory allocated once, so its address never
/// changes.
package final class PthreadMutex<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value. Keep `body` short and non-blocking.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
