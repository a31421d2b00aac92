import Flowcraft
import FlowcraftSQLite
import Foundation

/// A fresh directory per test, removed by the caller's `defer`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Counts calls per key (how often a node ran).
final class CallCounter: Sendable {
    private let counts = PthreadMutex<[String: Int]>([:])

    /// Increments `key` and returns the new count.
    func next(_ key: String) -> Int {
        counts.withLock { c in
            c[key, default: 0] += 1
            return c[key, default: 0]
        }
    }
}

struct FlakyError: Error, CustomStringConvertible {
    var attempt: Int
    var description: String { "flaky attempt \(attempt)" }
}

extension RunHistoryEvent {
    /// The node execution, for a `nodeFinished` event.
    var execution: NodeExecution? {
        if case .nodeFinished(let execution) = kind { return execution }
        return nil
    }

    /// A short name of the event for timeline assertions.
    var label: String {
        switch kind {
        case .runStarted: return "start"
        case .nodeFinished(let e): return "\(e.nodeID):\(e.status.rawValue)"
        case .paused(let nodes): return "paused:\(nodes.joined(separator: ","))"
        case .resumed(let node, let action): return "resumed:\(node):\(action ?? "-")"
        case .redriven(let nodes): return "redriven:\(nodes.joined(separator: ","))"
        case .runEnded(let end): return "end:\(end.status.rawValue)"
        }
    }
}
