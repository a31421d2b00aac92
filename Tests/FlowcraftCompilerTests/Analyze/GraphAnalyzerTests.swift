import Foundation
import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

@Suite("Graph analysis")
struct GraphAnalyzerTests {
    static func blueprint(_ nodes: [String], _ edges: [(String, String, String?)], configs: [String: NodeConfig] = [:],
                          uses: [String: String] = [:], entryPoints: [String] = []) -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: "g",
            nodes: nodes.map { NodeDefinition(id: $0, uses: uses[$0] ?? "work", config: configs[$0] ?? NodeConfig()) },
            edges: edges.map { EdgeDefinition(source: $0.0, target: $0.1, action: $0.2) },
            metadata: entryPoints.isEmpty ? nil : BlueprintMetadata(cycleEntryPoints: entryPoints))
    }

    static func chain(_ n: Int) -> WorkflowBlueprint {
        var nodes: [NodeDefinition] = []
        var edges: [EdgeDefinition] = []
        nodes.reserveCapacity(n)
        for i in 0..<n {
            nodes.append(NodeDefinition(id: "n\(i)", uses: "work"))
            if i > 0 { edges.append(EdgeDefinition(source: "n\(i - 1)", target: "n\(i)")) }
        }
        return WorkflowBlueprint(id: "chain", nodes: nodes, edges: edges)
    }

    @Test func chain() {
        let a = GraphAnalyzer.analyze(Self.blueprint(["a", "b", "c"], [("a", "b", nil), ("b", "c", nil)]))
        #expect(a.startNodes == ["a"])
        #expect(a.terminalNodes == ["c"])
        #expect(a.levels == [["a"], ["b"], ["c"]])
        #expect(a.isAcyclic && a.cycles.isEmpty && a.joins.isEmpty && a.unreachableNodes.isEmpty)
        #expect(a.nodeCount == 3 && a.edgeCount == 2)
    }

    @Test func diamondHasOneJoinAndLongestPathLevels() {
        let a = GraphAnalyzer.analyze(Self.blueprint(
            ["a", "b", "c", "d", "e"],
            [("a", "b", nil), ("a", "c", nil), ("c", "e", nil), ("b", "d", nil), ("e", "d", nil)],
            configs: ["d": NodeConfig(joinStrategy: .any)]))
        #expect(a.joins == [JoinPoint(node: "d", predecessors: ["b", "e"], strategy: .any)])
        #expect(a.levels == [["a"], ["b", "c"], ["e"], ["d"]])
        #expect(a.terminalNodes == ["d"])
        #expect(a.exclusiveJoins.isEmpty)
    }

    @Test func cyclesAreComponents() {
        let a = GraphAnalyzer.analyze(Self.blueprint(
            ["s", "a", "b", "c", "x", "t"],
            [("s", "a", nil), ("a", "b", nil), ("b", "c", nil), ("c", "a", nil), ("c", "t", nil), ("x", "x", nil)]))
        #expect(a.cycles == [["a", "b", "c"], ["x"]])
        #expect(!a.isAcyclic)
        // The cycle shares one level; `t` comes after it.
        #expect(a.levels == [["s", "x"], ["a", "b", "c"], ["t"]])
        #expect(a.startNodes == ["s"])
        #expect(a.unreachableNodes == ["x"])
    }

    @Test func cycleEntryPointsStartACyclicGraph() {
        let a = GraphAnalyzer.analyze(Self.blueprint(["a", "b"], [("a", "b", nil), ("b", "a", nil)], entryPoints: ["b"]))
        #expect(a.startNodes == ["b"])
        #expect(a.unreachableNodes.isEmpty)
    }

    @Test func fallbackNodesAreNotStartsButAreReachable() {
        let a = GraphAnalyzer.analyze(Self.blueprint(["a", "b", "spare"], [("a", "b", nil)],
                                                     configs: ["a": NodeConfig(fallback: "spare")]))
        #expect(a.startNodes == ["a"])
        #expect(a.unreachableNodes.isEmpty)
    }

    @Test func edgesToUnknownNodesAreIgnored() {
        let a = GraphAnalyzer.analyze(Self.blueprint(["a"], [("a", "ghost", nil), ("ghost", "a", nil)]))
        #expect(a.startNodes == ["a"])
        #expect(a.terminalNodes == ["a"])
        #expect(a.edgeCount == 2)
    }

    @Test func exclusiveBranchesIntoAnAllJoin() {
        let a = GraphAnalyzer.analyze(Self.blueprint(
            ["r", "yes", "no", "join"],
            [("r", "yes", "approve"), ("r", "no", "reject"), ("yes", "join", nil), ("no", "join", nil)]))
        #expect(a.exclusiveJoins == [ExclusiveJoin(join: "join", router: "r", branches: [
            .init(action: "approve", predecessor: "yes"), .init(action: "reject", predecessor: "no"),
        ])])
    }

    @Test func directRouterEdgeAndDefaultRouteAreExclusive() {
        let a = GraphAnalyzer.analyze(Self.blueprint(
            ["r", "other", "join"],
            [("r", "join", "skip"), ("r", "other", nil), ("other", "join", nil)]))
        #expect(a.exclusiveJoins.map(\.router) == ["r"])
        #expect(a.exclusiveJoins.first?.branches == [.init(action: nil, predecessor: "other"), .init(action: "skip", predecessor: "r")])
    }

    @Test func nestedRoutersAreTraced() {
        // r routes a/b; a routes c/d; the join sees d (under r:a, a:d) and b (under r:b).
        let a = GraphAnalyzer.analyze(Self.blueprint(
            ["r", "a", "b", "c", "d", "join"],
            [("r", "a", "x"), ("r", "b", "y"), ("a", "c", "p"), ("a", "d", "q"), ("d", "join", nil), ("b", "join", nil)]))
        #expect(a.exclusiveJoins.map(\.router) == ["r"])
    }

    @Test func parallelFanOutIsNotExclusive() {
        let a = GraphAnalyzer.analyze(Self.blueprint(
            ["r", "a", "b", "join"],
            [("r", "a", nil), ("r", "b", nil), ("a", "join", nil), ("b", "join", nil)]))
        #expect(a.exclusiveJoins.isEmpty)
        #expect(a.joins.count == 1)
    }

    @Test func analysisIsCodable() throws {
        let a = GraphAnalyzer.analyze(Self.blueprint(["a", "b"], [("a", "b", "go")]))
        let data = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(BlueprintAnalysis.self, from: data) == a)
    }

    @Test func hundredThousandNodeChainDoesNotRecurse() {
        let n = 100_000
        let a = GraphAnalyzer.analyze(Self.chain(n))
        #expect(a.startNodes == ["n0"])
        #expect(a.terminalNodes == ["n\(n - 1)"])
        #expect(a.levels.count == n)
        #expect(a.unreachableNodes.isEmpty)
        // And the whole validator over it.
        #expect(BlueprintSetValidator.validate([Self.chain(n)]).isEmpty)
    }

    @Test func hundredThousandNodeCycleIsOneComponent() {
        var b = Self.chain(100_000)
        b.edges.append(EdgeDefinition(source: "n99999", target: "n0"))
        b.metadata = BlueprintMetadata(cycleEntryPoints: ["n0"])
        let a = GraphAnalyzer.analyze(b)
        #expect(a.cycles.count == 1 && a.cycles[0].count == 100_000)
        #expect(a.startNodes == ["n0"])
        let d = BlueprintSetValidator.validate([b])
        #expect(d.isEmpty, "\(d.prefix(3))")
    }

    @Test func largeRandomDAG() {
        var rng = AnalysisTestRandom(seed: 42)
        let n = 100_000
        var nodes: [NodeDefinition] = []
        var edges: [EdgeDefinition] = []
        for i in 0..<n {
            nodes.append(NodeDefinition(id: "n\(i)", uses: "work"))
            if i > 0 {
                for _ in 0..<3 {
                    let j = Int(rng.next() % UInt64(i))
                    edges.append(EdgeDefinition(source: "n\(j)", target: "n\(i)"))
                }
            }
        }
        let b = WorkflowBlueprint(id: "dag", nodes: nodes, edges: edges)
        let a = GraphAnalyzer.analyze(b)
        #expect(a.isAcyclic)
        #expect(a.startNodes == ["n0"])
        #expect(a.unreachableNodes.isEmpty)
        #expect(a.levels.reduce(0) { $0 + $1.count } == n)
    }
}

/// A tiny deterministic generator (SplitMix64).
struct AnalysisTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
