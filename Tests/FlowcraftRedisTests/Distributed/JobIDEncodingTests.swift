import Flowcraft
@testable import FlowcraftRedis
import Testing

/// ``JobIDEncoding``: job ids and child run ids are free of ':' and injective, byte by byte.
@Suite("Job id encoding")
struct JobIDEncodingTests {
    @Test("'%', '.' and ':' are percent-escaped in job id components")
    func escapes() {
        #expect(JobIDEncoding.component("a:b") == "a%3Ab")
        #expect(JobIDEncoding.component("::a::") == "%3A%3Aa%3A%3A")
        #expect(JobIDEncoding.component("50%.x") == "50%25%2Ex")
        #expect(!JobIDEncoding.component("run:1/node:x#0").utf8.contains(UInt8(ascii: ":")))
    }

    @Test("a ':' followed by a combining mark (one Character with it) is escaped too")
    func colonWithCombiningMark() {
        let escaped = JobIDEncoding.component("x:\u{301}")
        #expect(!escaped.utf8.contains(UInt8(ascii: ":")), "\(Array(escaped.utf8))")
        #expect(Array(escaped.utf8) == Array("x%3A\u{301}".utf8))
    }

    @Test("a component without escaped bytes is returned unchanged", arguments: ["", "abc", "run-1/node#0", "é\u{301}ü 日本"])
    func unchanged(_ text: String) {
        #expect(Array(JobIDEncoding.component(text).utf8) == Array(text.utf8))
    }

    @Test("runs k:1, k_1 and k%3A1 (and a.b/c vs a/b.c) have distinct job ids")
    func distinctRunsDistinctIDs() {
        let ids = ["k:1", "k_1", "k%3A1", "k%253A1"].map { NodeJobData(runID: $0, blueprintID: "b", nodeID: "n").jobID }
        #expect(Set(ids).count == ids.count, "\(ids)")
        #expect(ids.allSatisfy { !$0.utf8.contains(UInt8(ascii: ":")) })
        let dotted = NodeJobData(runID: "a.b", blueprintID: "b", nodeID: "c").jobID
        let other = NodeJobData(runID: "a", blueprintID: "b", nodeID: "b.c").jobID
        #expect(dotted != other)
        #expect(NodeJobData(runID: "run-1", blueprintID: "b", nodeID: "node", iteration: 2).jobID == "run-1.node.2")
    }

    @Test("child run ids are distinct for distinct parents and nodes")
    func childRunIDs() {
        let a = SubflowParentLink.childRunID(parent: "k:1", node: NodeInstance("n"))
        let b = SubflowParentLink.childRunID(parent: "k_1", node: NodeInstance("n"))
        #expect(a != b)
        let slash = SubflowParentLink.childRunID(parent: "a", node: NodeInstance("x/y"))
        let nested = SubflowParentLink.childRunID(parent: "a/x", node: NodeInstance("y"))
        #expect(slash != nested)
        #expect(SubflowParentLink.childRunID(parent: "run", node: NodeInstance("sub", iteration: 3)) == "run/sub#3")
    }
}

/// The distributed iteration numbering counts every round the loop iteration bound allows.
@Suite("Iteration numbering and the loop bound")
struct IterationNumberingBoundTests {
    @Test("a nested level counts at least maximumLoopIterations rounds; jobs beyond the numbering are refused")
    func numberingFitsTheBound() throws {
        #expect(IterationNumbering.maximumNestedRounds >= BuiltinNode.maximumLoopIterations)
        let past: JSONValue = ["runId": "r", "blueprintId": "b", "nodeId": "n", "iteration": .int(NodeJobData.maximumIteration + 1)]
        #expect(throws: DistributedError.self) { try NodeJobData(json: past) }
        let last: JSONValue = ["runId": "r", "blueprintId": "b", "nodeId": "n", "iteration": .int(NodeJobData.maximumIteration)]
        #expect(try NodeJobData(json: last).iteration == NodeJobData.maximumIteration)
    }
}
