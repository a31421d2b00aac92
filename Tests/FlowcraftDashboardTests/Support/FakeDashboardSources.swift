import Flowcraft
import FlowcraftDashboard

/// Records the actions asked for; can refuse them.
final class RecordingActions: DashboardRunActions, Sendable {
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    private let state = PthreadMutex<(calls: [String], refusal: String?)>(([], nil))
    let supportsRedrive: Bool

    init(supportsRedrive: Bool = true) {
        self.supportsRedrive = supportsRedrive
    }

    var calls: [String] { state.withLock { $0.calls } }

    func refuse(with message: String?) { state.withLock { $0.refusal = message } }

    private func record(_ call: String) throws {
        try state.withLock {
            if let refusal = $0.refusal { throw Refused(description: refusal) }
            $0.calls.append(call)
        }
    }

    func cancel(runID: String) async throws { try record("cancel \(runID)") }

    func resume(runID: String, nodeID: String?, action: String?) async throws {
        try record("resume \(runID) \(nodeID ?? "-") \(action ?? "-")")
    }

    func redrive(runID: String) async throws {
        guard supportsRedrive else { throw DashboardActionUnavailable("redrive is not available in this dashboard") }
        try record("redrive \(runID)")
    }
}

/// Fixed queue figures.
struct FixedQueues: DashboardQueueSource {
    var snapshots: [DashboardQueueSnapshot]
    var queueNames: [String] { snapshots.map(\.name) }

    func snapshot(of queue: String) async throws -> DashboardQueueSnapshot {
        snapshots.first { $0.name == queue } ?? DashboardQueueSnapshot(name: queue)
    }
}
