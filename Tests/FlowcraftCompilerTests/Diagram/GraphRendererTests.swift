import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

@Suite("Graph renderers")
struct GraphRendererTests {
    static let tricky = WorkflowBlueprint(
        id: "we \"quote\"",
        nodes: [
            NodeDefinition(id: "start", uses: "x"),
            NodeDefinition(id: "say \"hi\" [now]", uses: "loop-controller"),
            NodeDefinition(id: "end", uses: "subflow"),
            NodeDefinition(id: "日本", uses: "sleep", config: NodeConfig(fallback: "end")),
            NodeDefinition(id: "a-b", uses: "x"),
            NodeDefinition(id: "a_b", uses: "x"),
        ],
        edges: [
            EdgeDefinition(source: "start", target: "say \"hi\" [now]", action: "go|stop", condition: "a[\"k\"] > 1 && b < 2"),
            EdgeDefinition(source: "say \"hi\" [now]", target: "end", transform: "x\n#y"),
            EdgeDefinition(source: "end", target: "日本"),
            EdgeDefinition(source: "日本", target: "ghost"),
        ])

    @Test func mermaidEscapesLabelsAndSanitisesIds() {
        let text = MermaidGraphRenderer.render(Self.tricky)
        #expect(text.hasPrefix("flowchart TD\n"))
        #expect(text.contains(#"    start["start<br/>(x)"]"#))
        #expect(text.contains(#"    say__hi___now_{"say #quot;hi#quot; [now]<br/>(loop-controller)"}"#))
        #expect(text.contains(#"    n_end[["end<br/>(subflow)"]]"#))
        #expect(text.contains(#"    a_b["a-b<br/>(x)"]"#))
        #expect(text.contains(#"    a_b_2["a_b<br/>(x)"]"#))
        #expect(text.contains(#"start -->|"go#124;stop [a[#quot;k#quot;] #gt; 1 #amp;#amp; b #lt; 2]"| say__hi___now_"#))
        #expect(text.contains(#"-->|"⇒ x<br/>#35;y"| n_end"#))
        #expect(text.contains(#"missing_ghost["ghost<br/>(missing)"]"#))
        #expect(text.contains(#"-.->|"fallback"| n_end"#))
        // Every label is a balanced quoted string: no raw quote survives inside.
        for line in text.split(separator: "\n") {
            #expect(line.filter { $0 == "\"" }.count % 2 == 0, "\(line)")
        }
    }

    @Test func dotEscapesQuotesBackslashesAndNewlines() {
        let text = DOTGraphRenderer.render(Self.tricky)
        #expect(text.hasPrefix("digraph \"we \\\"quote\\\"\" {\n"))
        #expect(text.contains(#""say \"hi\" [now]" [label="say \"hi\" [now]\n(loop-controller)", shape=diamond];"#))
        #expect(text.contains(#"-> "end" [label="⇒ x\n#y"];"#))
        #expect(text.contains(#""日本" -> "ghost";"#))
        #expect(text.hasSuffix("}\n"))
        #expect(!text.contains("\r"))
    }

    @Test func formatsDispatch() {
        #expect(GraphRenderer.render(Self.tricky, as: .mermaid) == MermaidGraphRenderer.render(Self.tricky))
        #expect(GraphRenderer.render(Self.tricky, as: .dot) == DOTGraphRenderer.render(Self.tricky))
    }
}
