import Flowcraft

/// The text form of an event (schema versions 1 and 2; rows written now are packed,
/// ``SQLitePackedEvents``): the kind's name, the rest as a JSON object with explicit, stable field
/// names (not Swift's synthesized enum coding).
enum SQLiteEventCoding {
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    static func kindName(_ kind: RunHistoryEvent.Kind) -> String {
        switch kind {
        case .runStarted: return "runStarted"
        case .nodeFinished: return "nodeFinished"
        case .paused: return "paused"
        case .resumed: return "resumed"
        case .redriven: return "redriven"
        case .runEnded: return "runEnded"
        }
    }

    // MARK: - Encoding

    /// An event's body in the text form (keys sorted, absent fields left out).
    static func body(_ kind: RunHistoryEvent.Kind) -> String {
        var o: [String: JSONValue] = [:]
        switch kind {
        case .runStarted(let start):
            o["blueprintId"] = .string(start.blueprintID)
            o["blueprintVersion"] = optional(start.blueprintVersion)
            o["parentRunId"] = optional(start.parentRunID)
            o["parentNodeId"] = optional(start.parentNodeID)
            o["context"] = .object(start.context)
        case .nodeFinished(let e):
            o["nodeId"] = .string(e.nodeID)
            if e.iteration != 0 { o["iteration"] = .int(e.iteration) }
            o["status"] = .string(e.status.rawValue)
            o["attempts"] = .array(
                e.attempts.map { a in
                    var attempt: [String: JSONValue] = ["start": .int(Int(a.startedAt)), "end": .int(Int(a.endedAt))]
                    if let error = a.error { attempt["error"] = .string(error) }
                    return .object(attempt)
                })
            o["action"] = optional(e.action)
            o["fallbackNodeId"] = optional(e.fallbackNodeID)
            if e.outputBytes != 0 { o["outputBytes"] = .int(e.outputBytes) }
            if !e.writes.isEmpty { o["writes"] = .object(e.writes) }
            o["childRunId"] = optional(e.childRunID)
            o["error"] = optional(e.error)
            o["errorLocation"] = e.errorLocation.map(location)
        case .paused(let nodes):
            o["nodes"] = .array(nodes.map(JSONValue.string))
        case .resumed(let nodeID, let action):
            o["nodeId"] = .string(nodeID)
            o["action"] = optional(action)
        case .redriven(let nodes):
            o["nodes"] = .array(nodes.map(JSONValue.string))
        case .runEnded(let end):
            o["status"] = .string(end.status.rawValue)
            o["failedNodeId"] = optional(end.failedNodeID)
            o["error"] = optional(end.error)
            o["errorLocation"] = end.errorLocation.map(location)
        }
        return JSONText.serialize(.object(o))
    }

    static func location(_ l: SourceLocation) -> JSONValue {
        ["file": .string(l.file), "line": .int(l.line), "column": .int(l.column)]
    }

    private static func optional(_ s: String?) -> JSONValue? { s.map(JSONValue.string) }

    // MARK: - Decoding

    static func kind(_ name: String, body text: String) throws(Unreadable) -> RunHistoryEvent.Kind {
        let parsed: JSONValue
        do {
            parsed = try JSONText.parse(text)
        } catch {
            throw Unreadable(description: "invalid JSON: \(error)")
        }
        guard case .object(let o) = parsed else { throw Unreadable(description: "not a JSON object") }
        switch name {
        case "runStarted":
            return .runStarted(
                RunHistoryEvent.RunStart(
                    blueprintID: try string(o, "blueprintId"), blueprintVersion: o["blueprintVersion"]?.stringValue,
                    parentRunID: o["parentRunId"]?.stringValue, parentNodeID: o["parentNodeId"]?.stringValue,
                    context: o["context"]?.objectValue ?? [:]))
        case "nodeFinished":
            guard let status = RunHistoryEvent.NodeExecutionStatus(rawValue: try string(o, "status")) else {
                throw Unreadable(description: "unknown node status '\(o["status"]?.stringValue ?? "")'")
            }
            var attempts: [RunHistoryEvent.Attempt] = []
            for a in o["attempts"]?.arrayValue ?? [] {
                guard let start = a["start"]?.intValue, let end = a["end"]?.intValue else {
                    throw Unreadable(description: "an attempt without start or end")
                }
                attempts.append(RunHistoryEvent.Attempt(startedAt: Int64(start), endedAt: Int64(end), error: a["error"]?.stringValue))
            }
            return .nodeFinished(
                RunHistoryEvent.NodeExecution(
                    nodeID: try string(o, "nodeId"), iteration: o["iteration"]?.intValue ?? 0, status: status,
                    attempts: attempts, action: o["action"]?.stringValue, fallbackNodeID: o["fallbackNodeId"]?.stringValue,
                    outputBytes: o["outputBytes"]?.intValue ?? 0, writes: o["writes"]?.objectValue ?? [:],
                    childRunID: o["childRunId"]?.stringValue, error: o["error"]?.stringValue,
                    errorLocation: try o["errorLocation"].map(location)))
        case "paused":
            return .paused(nodes: (o["nodes"]?.arrayValue ?? []).compactMap(\.stringValue))
        case "resumed":
            return .resumed(nodeID: try string(o, "nodeId"), action: o["action"]?.stringValue)
        case "redriven":
            return .redriven(nodes: (o["nodes"]?.arrayValue ?? []).compactMap(\.stringValue))
        case "runEnded":
            guard let status = RunHistoryStatus(rawValue: try string(o, "status")) else {
                throw Unreadable(description: "unknown run status '\(o["status"]?.stringValue ?? "")'")
            }
            return .runEnded(
                RunHistoryEvent.RunEnd(
                    status: status, failedNodeID: o["failedNodeId"]?.stringValue, error: o["error"]?.stringValue,
                    errorLocation: try o["errorLocation"].map(location)))
        default:
            throw Unreadable(description: "unknown event kind '\(name)'")
        }
    }

    static func location(_ value: JSONValue) throws(Unreadable) -> SourceLocation {
        guard let file = value["file"]?.stringValue, let line = value["line"]?.intValue,
            let column = value["column"]?.intValue
        else { throw Unreadable(description: "a source location without file, line or column") }
        return SourceLocation(file: file, line: line, column: column)
    }

    private static func string(_ o: [String: JSONValue], _ key: String) throws(Unreadable) -> String {
        guard let s = o[key]?.stringValue else { throw Unreadable(description: "no '\(key)'") }
        return s
    }
}
