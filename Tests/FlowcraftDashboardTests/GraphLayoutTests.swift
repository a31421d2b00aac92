import Flowcraft
import Testing

@testable import FlowcraftDashboard

@Suite struct GraphLayoutTests {
    @Test func levelsFollowTheLongestForwardPath() throws {
        let plan = try CompiledBlueprint(SampleRuns.order)
        let layout = GraphLayout(plan: plan)
        let levels = Dictionary(uniqueKeysWithValues: layout.nodes.map { ($0.id, $0.level) })
        #expect(levels == ["validate": 0, "charge": 1, "reserve": 1, "ship": 2])
        #expect(layout.nodes.allSatisfy { $0.x >= 0 && $0.y >= 0 && $0.x + GraphLayout.nodeWidth <= layout.width })
    }

    @Test func barycentreOrderingRemovesAvoidableCrossings() throws {
        // a→{x,y}, b→{p,q} with p,q declared before x,y: level 2 must follow level 1's order.
        let blueprint = WorkflowBlueprint(
            id: "cross",
            nodes: ["s", "a", "b", "p", "q", "x", "y"].map { NodeDefinition(id: $0, uses: "u") },
            edges: [
                EdgeDefinition(source: "s", target: "a"), EdgeDefinition(source: "s", target: "b"),
                EdgeDefinition(source: "a", target: "x"), EdgeDefinition(source: "a", target: "y"),
                EdgeDefinition(source: "b", target: "p"), EdgeDefinition(source: "b", target: "q"),
            ])
        let layout = GraphLayout(plan: try CompiledBlueprint(blueprint))
        let y = Dictionary(uniqueKeysWithValues: layout.nodes.map { ($0.id, $0.y) })
        let aAbove = (y["a"] ?? 0) < (y["b"] ?? 0)
        #expect(((y["x"] ?? 0) < (y["p"] ?? 0)) == aAbove)
        #expect(((y["y"] ?? 0) < (y["q"] ?? 0)) == aAbove)
    }

    @Test func loopBackEdgesDoNotRaiseLevels() throws {
        let blueprint = WorkflowBlueprint(
            id: "loop",
            nodes: ["start", "work", "check", "done"].map { NodeDefinition(id: $0, uses: "u") },
            edges: [
                EdgeDefinition(source: "start", target: "work"), EdgeDefinition(source: "work", target: "check"),
                EdgeDefinition(source: "check", target: "work", action: "again"),
                EdgeDefinition(source: "check", target: "done", action: "finished"),
            ])
        let plan = try CompiledBlueprint(blueprint)
        let layout = GraphLayout(plan: plan)
        #expect(layout.nodes.map(\.level) == [0, 1, 2, 3])
        let svg = GraphSVG.render(layout, plan: plan)
        #expect(svg.contains("stroke-dasharray"))
        #expect(svg.contains(">again</text>"))
    }
}
