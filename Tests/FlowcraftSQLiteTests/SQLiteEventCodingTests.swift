import Flowcraft
import Testing

@testable import FlowcraftSQLite

/// The stored form of node executions: the direct writer gives the generic form's text.
@Suite("SQLite event coding")
struct SQLiteEventCodingTests {
    static let executions: [RunHistoryEvent.NodeExecution] = [
        RunHistoryEvent.NodeExecution(
            nodeID: "n1", status: .completed, attempts: [RunHistoryEvent.Attempt(startedAt: 5, endedAt: 9)]),
        RunHistoryEvent.NodeExecution(
            nodeID: "quote \" and \\ and\nline", iteration: 3, status: .recovered,
            attempts: [
                RunHistoryEvent.Attempt(startedAt: 1, endedAt: 2, error: "boom \"1\""),
                RunHistoryEvent.Attempt(startedAt: 4, endedAt: 8, error: "é\u{01}"),
            ],
            action: "go", fallbackNodeID: "safe", outputBytes: 42,
            writes: ["b": [1, "two"], "a": ["x": .null], "_outputs.n": 1.5], childRunID: "run/child",
            error: "boom", errorLocation: SourceLocation(file: "f.yaml", line: 3, column: 7)),
        RunHistoryEvent.NodeExecution(nodeID: "empty", status: .failed, attempts: []),
    ]

    @Test(arguments: executions)
    func directNodeBodyEqualsTheGenericOne(_ execution: RunHistoryEvent.NodeExecution) throws {
        let kind = RunHistoryEvent.Kind.nodeFinished(execution)
        #expect(SQLiteEventCoding.body(kind) == SQLiteEventCoding.genericBody(kind))
        #expect(try SQLiteEventCoding.kind("nodeFinished", body: SQLiteEventCoding.body(kind)) == kind)
    }

    static let runEvents: [RunHistoryEvent.Kind] = [
        .runStarted(RunHistoryEvent.RunStart(blueprintID: "bp", context: [:])),
        .runStarted(
            RunHistoryEvent.RunStart(
                blueprintID: "b\"p", blueprintVersion: "1.2", parentRunID: "parent", parentNodeID: "sub",
                context: ["z": 1, "a": ["nested": [true, .null, 2.5]], "é \n": "x"])),
        .runStarted(RunHistoryEvent.RunStart(blueprintID: "bp", parentRunID: "p", context: ["k": "v"])),
        .runEnded(RunHistoryEvent.RunEnd(status: .completed)),
        .runEnded(
            RunHistoryEvent.RunEnd(
                status: .failed, failedNodeID: "n\"1", error: "boom\nline",
                errorLocation: SourceLocation(file: "f.yaml", line: 3, column: 7))),
        .runEnded(RunHistoryEvent.RunEnd(status: .cancelled, error: "stopped")),
    ]

    /// A run's start and end, the two events every run makes, are written directly too.
    @Test(arguments: runEvents)
    func directRunEventBodyEqualsTheGenericOne(_ kind: RunHistoryEvent.Kind) throws {
        #expect(SQLiteEventCoding.body(kind) == SQLiteEventCoding.genericBody(kind))
        #expect(try SQLiteEventCoding.kind(SQLiteEventCoding.kindName(kind), body: SQLiteEventCoding.body(kind)) == kind)
    }
}
