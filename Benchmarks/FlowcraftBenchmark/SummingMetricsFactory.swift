import CoreMetrics
import Flowcraft
import Synchronization

/// A minimal metrics backend for pricing `MetricsMiddleware`: every counter and timer adds into
/// atomics (no buckets, no export), about the least a real backend does per recorded value.
final class SummingMetricsFactory: MetricsFactory, Sendable {
    final class Sum: CounterHandler, TimerHandler, RecorderHandler, Sendable {
        let total = Atomic<Int64>(0)
        let count = Atomic<Int64>(0)

        func increment(by amount: Int64) { add(amount) }
        func reset() {
            total.store(0, ordering: .relaxed)
            count.store(0, ordering: .relaxed)
        }
        func recordNanoseconds(_ duration: Int64) { add(duration) }
        func record(_ value: Int64) { add(value) }
        func record(_ value: Double) { add(Int64(value)) }

        private func add(_ value: Int64) {
            total.wrappingAdd(value, ordering: .relaxed)
            count.wrappingAdd(1, ordering: .relaxed)
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { Sum() }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { Sum() }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { Sum() }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

/// A middleware that does nothing: prices the middleware machinery itself.
struct EmptyMiddleware: NodeMiddleware {}
