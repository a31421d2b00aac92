/// Emits one run's events to the runtime's handler; absent when nobody listens, so a run without a
/// handler builds no event values at all.
package struct EventEmitter: Sendable {
    package let handler: WorkflowEventHandler
    package let runID: String
    package let blueprintID: String

    package init?(handler: WorkflowEventHandler?, runID: String, blueprintID: String) {
        guard let handler else { return nil }
        self.handler = handler
        self.runID = runID
        self.blueprintID = blueprintID
    }

    package func emit(_ type: WorkflowEventType, nodeID: String? = nil, _ payload: [String: JSONValue] = [:]) {
        handler(WorkflowEvent(type: type, runID: runID, blueprintID: blueprintID, nodeID: nodeID, payload: payload))
    }

    package func contextChange(by nodeID: String?, key: String, value: JSONValue?) {
        var payload: [String: JSONValue] = ["key": .string(key), "op": value == nil ? "delete" : "set"]
        if let value { payload["value"] = value }
        emit(.contextChange, nodeID: nodeID, payload)
    }
}
