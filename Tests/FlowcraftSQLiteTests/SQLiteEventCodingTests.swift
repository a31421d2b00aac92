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
}
