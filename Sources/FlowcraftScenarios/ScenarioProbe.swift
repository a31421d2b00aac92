import Flowcraft

/// Thread-safe notebook shared by a scenario's nodes and middleware: counters, an ordered log and
/// concurrency high-water marks.
package final class ScenarioProbe: Sendable {
    private struct Notes {
        var counters: [String: Int] = [:]
        var log: [String] = []
        var active: [String: Int] = [:]
        var peak: [String: Int] = [:]
    }

    private let notes = PthreadMutex(Notes())

    package init() {}

    /// Adds one to `key` and returns the new count.
    @discardableResult
    package func increment(_ key: String) -> Int {
        notes.withLock { n in
            n.counters[key, default: 0] += 1
            return n.counters[key, default: 0]
        }
    }

    package func count(_ key: String) -> Int { notes.withLock { $0.counters[key] ?? 0 } }

    package func record(_ line: String) { notes.withLock { $0.log.append(line) } }

    package var log: [String] { notes.withLock { $0.log } }

    /// Marks one more concurrent holder of `key` (pair with `leave`).
    package func enter(_ key: String) {
        notes.withLock { n in
            n.active[key, default: 0] += 1
            n.peak[key] = max(n.peak[key] ?? 0, n.active[key, default: 0])
        }
    }

    package func leave(_ key: String) { notes.withLock { $0.active[key, default: 0] -= 1 } }

    /// Highest number of concurrent holders of `key` seen.
    package func peak(_ key: String) -> Int { notes.withLock { $0.peak[key] ?? 0 } }
}
