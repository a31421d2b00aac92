import Flowcraft
import FlowcraftRedis
import Hummingbird
import Synchronization

/// Why a request could not be answered with a page, and the status it gets (always 4xx or 503).
struct DashboardFailure: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    /// Headers the error response carries too (`Allow` on a 405).
    var headers: HTTPFields = [:]

    static func badRequest(_ message: String) -> Self { .init(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> Self { .init(status: .notFound, message: message) }
    static func forbidden(_ message: String) -> Self { .init(status: .forbidden, message: message) }
    static func unauthorized(_ message: String) -> Self { .init(status: .unauthorized, message: message) }
    static func conflict(_ message: String) -> Self { .init(status: .conflict, message: message) }
    static func unavailable(_ message: String) -> Self { .init(status: .serviceUnavailable, message: message) }

    /// An error thrown while reading the history or the queue: the store is unavailable.
    static func reading(_ error: any Error) -> Self {
        if let failure = error as? DashboardFailure { return failure }
        // The request's query at fault (found by review: a bad cursor showed "unavailable", 503).
        if let refused = error as? RunQueryError { return .badRequest("\(refused.parameter): \(refused.message)") }
        if error is RedisError { return .unavailable("Redis is unavailable: \(error). The page recovers once it is back.") }
        return .unavailable("The run history could not be read: \(error)")
    }
}

/// Runs `operation`, giving up after `timeout` with ``DashboardFailure/unavailable(_:)`` even when
/// the operation does not react to cancellation (a client waiting for a Redis that went away).
func withReadDeadline<T: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let gate = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.set(continuation)
        let work = Task {
            do { gate.resume(with: .success(try await operation())) } catch { gate.resume(with: .failure(error)) }
        }
        Task {
            try? await Task.sleep(for: timeout)
            if gate.resume(with: .failure(DashboardFailure.unavailable("the store did not answer within \(timeout)"))) {
                work.cancel()
            }
        }
    }
}

/// Resumes a continuation once; later results are dropped.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    /// Whether this call resumed it.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        guard let waiting = continuation.withLock({ stored -> CheckedContinuation<T, any Error>? in
            defer { stored = nil }
            return stored
        }) else { return false }
        waiting.resume(with: result)
        return true
    }
}
