#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time source of a runtime: wall time for durable wake-ups (`sleep` nodes) and the delays
/// between retries. Inject `VirtualClock` in tests so backoff and sleeps run instantly and are
/// observable. Node timeouts always use real time: they exist to stop work that is really stuck.
public protocol RuntimeClock: Sendable {
    /// Milliseconds since the Unix epoch; wake-up times are stored in this unit so they survive a
    /// restart of the process.
    func now() -> Int64
    /// Suspends for `milliseconds`; throws `CancellationError` when the task is cancelled.
    func sleep(milliseconds: Int64) async throws
}

/// The real clock: `CLOCK_REALTIME` for `now()` and `Task.sleep` for delays.
public struct SystemClock: RuntimeClock {
    /// The system clock.
    public init() {}

    public func now() -> Int64 { Self.readRealtime() }

    /// `CLOCK_REALTIME` in milliseconds since the Unix epoch (what ``now()`` returns).
    @inline(__always)
    static func readRealtime() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    public func sleep(milliseconds: Int64) async throws {
        guard milliseconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(milliseconds))
    }
}

/// A clock for tests: `sleep` returns at once and advances virtual time, and every requested delay
/// is recorded, so retry backoff and sleep nodes can be asserted without waiting.
public final class VirtualClock: RuntimeClock {
    private let state: PthreadMutex<(now: Int64, sleeps: [Int64])>

    /// A virtual clock at `now` (milliseconds since the Unix epoch).
    public init(startingAt now: Int64 = 1_700_000_000_000) {
        state = PthreadMutex((now, []))
    }

    public func now() -> Int64 { state.withLock { $0.now } }

    public func sleep(milliseconds: Int64) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.sleeps.append(milliseconds)
            $0.now += max(0, milliseconds)
        }
        await Task.yield()
    }

    /// Moves time forward without anybody sleeping (e.g. to make a sleep node due).
    public func advance(milliseconds: Int64) { state.withLock { $0.now += milliseconds } }

    /// Every delay requested through `sleep`, in order.
    public var recordedSleeps: [Int64] { state.withLock { $0.sleeps } }
}
