#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An auto-reset event that parks a connection thread (a pthread, never a Swift task) until work
/// arrives, or until a deadline passes.
///
/// `@unchecked Sendable`: the flag is only touched while holding `mutex`, and the pthread objects
/// live in heap memory allocated once and freed in `deinit`, so their addresses never move.
final class ThreadWakeup: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var signaled = false

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Wakes the waiting thread (or lets its next wait return at once).
    func signal() {
        pthread_mutex_lock(mutex)
        signaled = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Blocks the calling (dedicated) thread until ``signal()``.
    func wait() {
        pthread_mutex_lock(mutex)
        while !signaled {
            pthread_cond_wait(condition, mutex)
        }
        signaled = false
        pthread_mutex_unlock(mutex)
    }

    /// Blocks the calling (dedicated) thread until ``signal()`` or until `duration` has passed.
    /// Returns whether it was signalled.
    @discardableResult
    func wait(timeout duration: Duration) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let (seconds, attoseconds) = duration.components
        var deadline = timespec()
        let nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        deadline.tv_sec = now.tv_sec + Int(seconds) + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000

        pthread_mutex_lock(mutex)
        while !signaled {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        let result = signaled
        signaled = false
        pthread_mutex_unlock(mutex)
        return result
    }
}
