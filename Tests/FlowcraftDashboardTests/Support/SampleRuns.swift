import Flowcraft
import FlowcraftDashboard

/// Blueprints and runs the HTTP tests show: a diamond whose `charge` node fails, and an approval
/// that waits on a `wait` node routing `approve` / `reject`.
enum SampleRuns {
    static let base: Int64 = 1_764_800_000_000

    static let order = WorkflowBlueprint(
        id: "order",
        nodes: [
            NodeDefinition(id: "validate", uses: "validate"),
            NodeDefinition(id: "charge", uses: "charge", location: SourceLocation(file: "order.yaml", line: 12, column: 5)),
            NodeDefinition(id: "reserve", uses: "reserve"),
            NodeDefinition(id: "ship", uses: "ship"),
        ],
        edges: [
            EdgeDefinition(source: "validate", target: "charge"), EdgeDefinition(source: "validate", target: "reserve"),
            EdgeDefinition(source: "charge", target: "ship"), EdgeDefinition(source: "reserve", target: "ship"),
        ])

    static let approval = WorkflowBlueprint(
        id: "approval",
        nodes: [
            NodeDefinition(id: "request", uses: "request"),
            NodeDefinition(id: "decide", uses: "wait"),
            NodeDefinition(id: "ship", uses: "ship"),
            NodeDefinition(id: "notify", uses: "notify"),
        ],
        edges: [
            EdgeDefinition(source: "request", target: "decide"),
            EdgeDefinition(source: "decide", target: "ship", action: "approve"),
            EdgeDefinition(source: "decide", target: "notify", action: "reject"),
        ])

    static var blueprints: [DashboardBlueprint] { [DashboardBlueprint(order), DashboardBlueprint(approval)] }

    static func execution(
        _ node: String, at start: Int64, _ status: RunHistoryEvent.NodeExecutionStatus = .completed, attempts: Int = 1,
        writes: [String: JSONValue] = [:], error: String? = nil, childRunID: String? = nil
    ) -> RunHistoryEvent.Kind {
        let tries = (0..<attempts).map { i in
            RunHistoryEvent.Attempt(
                startedAt: start + Int64(i) * 20, endedAt: start + Int64(i) * 20 + 15,
                error: i < attempts - 1 || status == .failed ? (error ?? "boom") : nil)
        }
        return .nodeFinished(
            RunHistoryEvent.NodeExecution(
                nodeID: node, status: status, attempts: tries, writes: writes, childRunID: childRunID,
                error: status == .failed ? error : nil,
                errorLocation: status == .failed ? SourceLocation(file: "order.yaml", line: 12, column: 5) : nil))
    }

    static func events(_ kinds: [RunHistoryEvent.Kind], from start: Int64) -> [RunHistoryEvent] {
        kinds.enumerated().map { RunHistoryEvent(sequence: $0.offset + 1, time: start + Int64($0.offset) * 10, kind: $0.element) }
    }

    /// A completed, a failed and a waiting run (and a child of the completed one).
    static func fill(_ history: InMemoryRunHistory) {
        let done = base
        history.store(
            RunSummary(runID: "run-completed", blueprintID: "order", status: .completed, startedAt: done, endedAt: done + 200),
            events: events(
                [
                    .runStarted(.init(blueprintID: "order", context: ["orderId": 7, "_flowcraft.secret": "hidden"])),
                    execution("validate", at: done + 5, writes: ["valid": true]),
                    execution("charge", at: done + 30, attempts: 2, childRunID: "run-child"),
                    execution("reserve", at: done + 30), execution("ship", at: done + 100),
                    .runEnded(.init(status: .completed)),
                ], from: done))
        history.store(
            RunSummary(
                runID: "run-child", blueprintID: "approval", status: .completed, startedAt: done + 40, endedAt: done + 60,
                parentRunID: "run-completed", parentNodeID: "charge"),
            events: [])
        let failed = base + 1000
        history.store(
            RunSummary(
                runID: "run-failed", blueprintID: "order", status: .failed, startedAt: failed, endedAt: failed + 300,
                failedNodeID: "charge", error: "card declined", errorLocation: SourceLocation(file: "order.yaml", line: 12, column: 5)),
            events: events(
                [
                    .runStarted(.init(blueprintID: "order", context: ["orderId": 8])),
                    execution("validate", at: failed + 5), execution("reserve", at: failed + 30),
                    execution("charge", at: failed + 30, .failed, attempts: 3, error: "card declined"),
                    .runEnded(.init(status: .failed, failedNodeID: "charge", error: "card declined")),
                ], from: failed))
        let waiting = base + 2000
        history.store(
            RunSummary(runID: "run-waiting", blueprintID: "approval", status: .waiting, startedAt: waiting),
            events: events(
                [
                    .runStarted(.init(blueprintID: "approval", context: [:])), execution("request", at: waiting + 5),
                    .paused(nodes: ["decide"]),
                ], from: waiting))
    }
}
