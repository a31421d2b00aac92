import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

/// Node identity, edge references, start nodes, reachability, cycles and loops.
@Suite("Validation: graph structure")
struct GraphStructureRuleTests {
    @Test func duplicateNodeID() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: a, uses: x }
              - id: a
                uses: y
            """)
        let found = expectSingle(.duplicateNodeID, line: 3, column: 9, in: d, containing: "'a'")
        #expect(found?.notes.first?.location?.line == 2)
    }

    @Test func duplicateBlueprintIDAcrossFiles() {
        let d = ValidationFixtures.diagnostics([
            ("one.yaml", "id: shared\nnodes: [{ id: a, uses: x }]\n"),
            ("two.yaml", "# second\nid: shared\nnodes: [{ id: a, uses: x }]\n"),
        ])
        let found = expectSingle(.duplicateBlueprintID, line: 2, column: 1, file: "two.yaml", in: d, containing: "'shared'")
        #expect(found?.notes.first?.location?.file == "one.yaml")
    }

    @Test func invalidEdgeSourceSuggestsANodeID() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: fetch-order, uses: x }, { id: b, uses: y }]
            edges:
              - source: fetch-ordr
                target: b
            """)
        expectSingle(.invalidEdgeSource, line: 3, column: 13, in: d, containing: "did you mean 'fetch-order'?")
    }

    @Test func invalidEdgeTarget() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: a, uses: x }]
            edges:
              - { source: a, target: "missing" }
            """)
        expectSingle(.invalidEdgeTarget, line: 3, column: 27, in: d, containing: "'missing'")
    }

    @Test func duplicateEdgeIsAWarning() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: a, uses: x }, { id: b, uses: y }]
            edges:
              - { source: a, target: b }
              - { source: a, target: b }
            """)
        expectSingle(.duplicateEdge, .warning, line: 4, column: 5, in: d)
    }

    @Test func differentActionsAreNotDuplicates() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: a, uses: x }, { id: b, uses: y }]
            edges:
              - { source: a, target: b, action: one }
              - { source: a, target: b, action: two }
            """)
        #expect(ValidationFixtures.findings(.duplicateEdge, in: d).isEmpty)
    }

    @Test func noStartNodeWhenEveryNodeHasAPredecessor() {
        let d = ValidationFixtures.diagnostics("""
            id: ring
            nodes: [{ id: a, uses: x }, { id: b, uses: y }]
            edges: [{ source: a, target: b }, { source: b, target: a }]
            """)
        expectSingle(.noStartNode, line: 1, column: 1, in: d, containing: "no start node")
    }

    @Test func cycleEntryPointsProvideTheStart() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: a, uses: x }, { id: b, uses: y }]
            edges: [{ source: a, target: b }, { source: b, target: a }]
            metadata: { cycleEntryPoints: [a] }
            """)
        #expect(d.isEmpty, "\(d)")
    }

    @Test func unknownCycleEntryPoint() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: alpha, uses: x }]
            metadata: { cycleEntryPoints: [alpah] }
            """)
        expectSingle(.invalidValue, line: 1, column: 1, in: d, containing: "did you mean 'alpha'?")
    }

    @Test func orphanCycleIsReportedOnceAtItsFirstNode() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: start, uses: x }
              - { id: island-a, uses: y }
              - { id: island-b, uses: y }
              - { id: after, uses: y }
            edges:
              - { source: island-a, target: island-b }
              - { source: island-b, target: island-a }
              - { source: island-b, target: after }
            metadata: { cycleEntryPoints: [island-a] }
            """)
        expectSingle(.orphanNode, line: 3, column: 11, in: d, containing: "'island-a', 'island-b' form a cycle")
    }

    @Test func orphanNodeBehindAFallbackOfAnOrphan() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: start, uses: x }
              - { id: a, uses: y, config: { fallback: spare } }
              - { id: spare, uses: y }
            edges:
              - { source: a, target: a }
            metadata: { cycleEntryPoints: [a] }
            """)
        // Only the cycle is the entry of the unreachable region; `spare` lies behind it.
        expectSingle(.orphanNode, line: 3, column: 11, in: d, containing: "'a' form a cycle")
    }

    @Test func fallbackNodesAreReachableAndNotStarts() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: a, uses: x, config: { fallback: b } }
              - { id: b, uses: y }
            """)
        #expect(d.isEmpty, "\(d)")
    }

    @Test func undeclaredCyclePointsAtTheClosingEdge() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: start, uses: x }
              - { id: a, uses: x }
              - { id: b, uses: y }
            edges:
              - { source: start, target: a }
              - { source: a, target: b }
              - { source: b, target: a }
            """)
        expectSingle(.undeclaredCycle, line: 8, column: 5, in: d, containing: "a → b → a")
    }

    @Test func selfLoopIsACycle() {
        let d = ValidationFixtures.diagnostics("""
            nodes: [{ id: s, uses: x }, { id: a, uses: x }]
            edges: [{ source: s, target: a }, { source: a, target: a }]
            """)
        expectSingle(.undeclaredCycle, line: 2, column: 35, in: d, containing: "a → a")
    }

    @Test func loopControllerDeclaresTheCycle() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: s, uses: x }
              - { id: body, uses: x, config: { joinStrategy: any } }
              - { id: loop, uses: loop-controller, params: { condition: "counter < 3" } }
            edges:
              - { source: s, target: body }
              - { source: body, target: loop }
              - { source: loop, target: body, action: continue }
            """)
        #expect(d.isEmpty, "\(d)")
    }

    @Test func loopWithoutContinue() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: s, uses: x }
              - id: loop
                uses: loop-controller
                params: { condition: "counter < 3" }
              - { id: done, uses: x }
            edges:
              - { source: s, target: loop }
              - { source: loop, target: done, action: break }
            """)
        expectSingle(.loopWithoutContinue, line: 3, column: 9, in: d, containing: "'loop'")
    }

    @Test func findingsAreAllCollected() {
        let d = ValidationFixtures.diagnostics("""
            nodes:
              - { id: a, uses: x, config: { fallback: zz } }
              - { id: a, uses: x }
            edges:
              - { source: q, target: r }
              - { source: a, target: a, condition: "a &&" }
            """)
        let codes = Set(d.map(\.code))
        #expect(codes.isSuperset(of: [.duplicateNodeID, .invalidFallback, .invalidEdgeSource, .invalidEdgeTarget,
                                      .invalidExpression, .undeclaredCycle]), "\(d)")
    }
}
