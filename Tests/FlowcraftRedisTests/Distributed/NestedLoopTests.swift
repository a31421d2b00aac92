import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Loop nesting in the distributed engine: nested loops get an iteration field per level (the
/// runtime's nested-loop scenario runs them through Redis); loops that overlap without nesting are
/// refused with a clear error.
@Suite("Distributed engine: loop nesting")
struct NestedLoopTests {
    static func loop(_ id: String, condition: String = "false") -> NodeDefinition {
        NodeDefinition(id: id, uses: "loop-controller", params: ["condition": .string(condition)])
    }

    static func node(_ id: String) -> NodeDefinition { NodeDefinition(id: id, uses: "noop") }

    /// start → obody → ibody → iloop (continue → ibody, break → oloop), oloop (continue → obody, break → done).
    static let nested = WorkflowBlueprint(
        id: "nested",
        nodes: [node("start"), node("obody"), node("ibody"), loop("iloop"), loop("oloop"), node("done")],
        edges: [
            EdgeDefinition(source: "start", target: "obody"), EdgeDefinition(source: "obody", target: "ibody"),
            EdgeDefinition(source: "ibody", target: "iloop"),
            EdgeDefinition(source: "iloop", target: "ibody", action: "continue"),
            EdgeDefinition(source: "iloop", target: "oloop", action: "break"),
            EdgeDefinition(source: "oloop", target: "obody", action: "continue"),
            EdgeDefinition(source: "oloop", target: "done", action: "break"),
        ])

    /// Two loops one after the other.
    static let sequential = WorkflowBlueprint(
        id: "sequential",
        nodes: [node("a"), loop("l1"), node("b"), loop("l2")],
        edges: [
            EdgeDefinition(source: "a", target: "l1"), EdgeDefinition(source: "l1", target: "a", action: "continue"),
            EdgeDefinition(source: "l1", target: "b", action: "break"), EdgeDefinition(source: "b", target: "l2"),
            EdgeDefinition(source: "l2", target: "b", action: "continue"),
        ])

    /// l1's body {a, b, l1} and l2's body {b, c, l2} share `b` without nesting.
    static let overlapping = WorkflowBlueprint(
        id: "overlapping",
        nodes: [node("a"), node("b"), loop("l1"), node("c"), loop("l2"), node("end1"), node("end2")],
        edges: [
            EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "b", target: "l1"),
            EdgeDefinition(source: "l1", target: "a", action: "continue"),
            EdgeDefinition(source: "l1", target: "end1", action: "break"),
            EdgeDefinition(source: "b", target: "c"), EdgeDefinition(source: "c", target: "l2"),
            EdgeDefinition(source: "l2", target: "b", action: "continue"),
            EdgeDefinition(source: "l2", target: "end2", action: "break"),
        ])

    @Test("nesting depths: an inner loop is one level deeper; sequential loops are both outermost")
    func depths() throws {
        let nested = try CompiledBlueprint(Self.nested)
        #expect(nested.loops.depths == [nested.nodeIndex["oloop"]!: 1, nested.nodeIndex["iloop"]!: 2])
        #expect(nested.loops.overlap == nil)
        let sequential = try CompiledBlueprint(Self.sequential)
        #expect(sequential.loops.maxDepth == 1)
        #expect(DistributedBlueprint.loopProblem(in: sequential) == nil)
        #expect(DistributedBlueprint.loopProblem(in: nested) == nil)
    }

    @Test("iteration numbers: rounds per level, leaving a level clears only its field")
    func numbering() throws {
        let numbering = IterationNumbering(try CompiledBlueprint(Self.nested))
        // Outer round 1, inner rounds 0, 1, 2, then leave the inner loop, then outer round 2.
        let outer1 = numbering.next(after: 0, depth: 1)
        var inner = outer1
        var seen: Set<Int> = [0, outer1]
        for round in 1...2 {
            inner = numbering.next(after: inner, depth: 2)
            #expect(numbering.round(of: inner, depth: 2) == round)
            #expect(numbering.round(of: inner, depth: 1) == 1)
            #expect(seen.insert(inner).inserted)
        }
        let left = numbering.leaving(inner, depth: 2)
        #expect(left == outer1)
        let outer2 = numbering.next(after: left, depth: 1)
        #expect(numbering.round(of: outer2, depth: 2) == 0)
        #expect(seen.insert(numbering.next(after: outer2, depth: 2)).inserted)

        // Without nesting: plain round numbers, leaving resets to 0.
        let flat = IterationNumbering(try CompiledBlueprint(Self.sequential))
        #expect(flat.next(after: 5, depth: 1) == 6)
        #expect(flat.leaving(6, depth: 1) == 0)
        #expect(flat.roundLimit == nil)
    }

    @Test("loops that overlap without nesting are refused when a run starts", .requiresRedis)
    func overlapRefused() async throws {
        #expect(try CompiledBlueprint(Self.overlapping).loops.overlap != nil)
        let client = try TestRedis.client()
        let workflows = try WorkflowClient(
            client: client, blueprints: [Self.overlapping],
            options: DistributedOptions(queueName: DistributedTestSupport.uniqueQueue("nested")))
        do {
            _ = try await workflows.startWorkflow(blueprintID: "overlapping")
            Issue.record("a run of a blueprint with overlapping loops started")
        } catch {
            #expect("\(error)".contains("overlap without one containing the other"))
        }
        await client.close()
    }
}
