import Flowcraft
import FlowcraftModel

/// The stored form of a ``RunHistoryEvent`` (one element of the run's history list): a compact JSON
/// object with short keys, written by the worker (node executions, a run's start, resumes) and by the
/// completion script itself (pauses and a run's end, decided there). The sequence number is not
/// stored: the reader derives it from the element's position and the count of elements the cap
/// dropped (the run hash's `historyDropped`), so it costs no write.
///
/// `{"k":"start","t":ms,"bp":id,"v":version,"pr":parentRun,"pn":parentNode,"c":{context}}`,
/// `{"k":"node","t":ms,"n":node,"i":iteration,"s":status,"a":[[start,end,error?]…],"act":action,
/// "fb":fallback,"ob":outputBytes,"w":{writes},"ch":childRun,"e":error,"el":[file,line,column]}`,
/// `{"k":"pause","t":ms,"n":[nodes]}`, `{"k":"resume","t":ms,"n":node,"act":action}`,
/// `{"k":"redrive","t":ms,"n":[nodes]}`, `{"k":"end","t":ms,"s":status,"fn":node,"e":error}`.
/// Absent values are left out.
enum RedisHistoryEntry {
    static func encode(_ kind: RunHistoryEvent.Kind, time: Int64) -> String {
        var o: [String: JSONValue] = ["t": .int(Int(time))]
        switch kind {
        case .runStarted(let s):
            o["k"] = "start"
            o["bp"] = .string(s.blueprintID)
            if let v = s.blueprintVersion { o["v"] = .string(v) }
            if let p = s.parentRunID { o["pr"] = .string(p) }
            if let p = s.parentNodeID { o["pn"] = .string(p) }
            o["c"] = .object(s.context.filter { !ContextKeys.isInternal($0.key) })
        case .nodeFinished(let e):
            o["k"] = "node"
            o["n"] = .string(e.nodeID)
            if e.iteration != 0 { o["i"] = .int(e.iteration) }
            o["s"] = .string(e.status.rawValue)
            o["a"] = .array(e.attempts.map(encode))
            if let a = e.action { o["act"] = .string(a) }
            if let f = e.fallbackNodeID { o["fb"] = .string(f) }
            if e.outputBytes != 0 { o["ob"] = .int(e.outputBytes) }
            if !e.writes.isEmpty { o["w"] = .object(e.writes) }
            if let c = e.childRunID { o["ch"] = .string(c) }
            if let m = e.error { o["e"] = .string(m) }
            if let l = e.errorLocation { o["el"] = [.string(l.file), .int(l.line), .int(l.column)] }
        case .paused(let nodes):
            o["k"] = "pause"
            o["n"] = .array(nodes.map(JSONValue.string))
        case .resumed(let node, let action):
            o["k"] = "resume"
            o["n"] = .string(node)
            if let action { o["act"] = .string(action) }
        case .redriven(let nodes):
            o["k"] = "redrive"
            o["n"] = .array(nodes.map(JSONValue.string))
        case .runEnded(let end):
            o["k"] = "end"
            o["s"] = .string(end.status.rawValue)
            if let n = end.failedNodeID { o["fn"] = .string(n) }
            if let m = end.error { o["e"] = .string(m) }
            if let l = end.errorLocation { o["el"] = [.string(l.file), .int(l.line), .int(l.column)] }
        }
        return JSONText.serialize(.object(o))
    }

    /// An attempt: `[start, end]` or `[start, end, error]`.
    static func encode(_ attempt: RunHistoryEvent.Attempt) -> JSONValue {
        var a: [JSONValue] = [.int(Int(attempt.startedAt)), .int(Int(attempt.endedAt))]
        if let error = attempt.error { a.append(.string(error)) }
        return .array(a)
    }

    static func decodeAttempt(_ value: JSONValue) -> RunHistoryEvent.Attempt? {
        guard let a = value.arrayValue, a.count >= 2, let start = a[0].intValue, let end = a[1].intValue else { return nil }
        return RunHistoryEvent.Attempt(
            startedAt: Int64(start), endedAt: Int64(end), error: a.count > 2 ? a[2].stringValue : nil)
    }

    /// The event of a stream entry, numbered `sequence`; `nil` for an entry this version cannot read.
    static func decode(_ text: String, sequence: Int) -> RunHistoryEvent? {
        guard let o = (try? JSONText.parse(text))?.objectValue, let kind = o["k"]?.stringValue,
            let time = o["t"]?.intValue
        else { return nil }
        func string(_ key: String) -> String? { o[key]?.stringValue }
        func strings(_ key: String) -> [String] { o[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        func location() -> SourceLocation? {
            guard let l = o["el"]?.arrayValue, l.count == 3, let file = l[0].stringValue, let line = l[1].intValue,
                let column = l[2].intValue
            else { return nil }
            return SourceLocation(file: file, line: line, column: column)
        }
        let decoded: RunHistoryEvent.Kind
        switch kind {
        case "start":
            decoded = .runStarted(RunHistoryEvent.RunStart(
                blueprintID: string("bp") ?? "", blueprintVersion: string("v"), parentRunID: string("pr"),
                parentNodeID: string("pn"), context: o["c"]?.objectValue ?? [:]))
        case "node":
            guard let node = string("n"), let status = string("s").flatMap(RunHistoryEvent.NodeExecutionStatus.init)
            else { return nil }
            decoded = .nodeFinished(RunHistoryEvent.NodeExecution(
                nodeID: node, iteration: o["i"]?.intValue ?? 0, status: status,
                attempts: o["a"]?.arrayValue?.compactMap(decodeAttempt) ?? [], action: string("act"),
                fallbackNodeID: string("fb"), outputBytes: o["ob"]?.intValue ?? 0, writes: o["w"]?.objectValue ?? [:],
                childRunID: string("ch"), error: string("e"), errorLocation: location()))
        case "pause":
            decoded = .paused(nodes: strings("n"))
        case "resume":
            guard let node = string("n") else { return nil }
            decoded = .resumed(nodeID: node, action: string("act"))
        case "redrive":
            decoded = .redriven(nodes: strings("n"))
        case "end":
            guard let status = string("s").flatMap(RunHistoryStatus.init) else { return nil }
            decoded = .runEnded(RunHistoryEvent.RunEnd(
                status: status, failedNodeID: string("fn"), error: string("e"), errorLocation: location()))
        default:
            return nil
        }
        return RunHistoryEvent(sequence: sequence, time: Int64(time), kind: decoded)
    }
}
