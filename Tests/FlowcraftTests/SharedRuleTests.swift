import Flowcraft
import Testing

/// The engine-independent rules both engines apply: subflow mapping, batch plan, built-in steps,
/// start nodes and what expressions see.
@Suite("Shared workflow rules")
struct SharedRuleTests {
    // MARK: - SubflowMapping

    @Test("subflow input mapping reads a parent key raw, then as a node output, else null")
    func subflowInputMapping() {
        let mapping = SubflowMapping(params: ["inputs": ["a": "plain", "b": "fetch", "c": "missing", "d": 7]])
        let parent: [String: JSONValue] = ["plain": 1, "_outputs.plain": 2, "_outputs.fetch": 3]
        #expect(Set(mapping.parentKeysRead) == ["plain", "fetch", "missing", "_outputs.plain", "_outputs.fetch", "_outputs.missing"])
        let initial = mapping.childContext(input: "ignored", childStartNodeIDs: ["s"]) { parent[$0] }
        #expect(initial == ["a": 1, "b": 3, "c": .null])
    }

    @Test("without an input mapping the node's input goes to every child start node (not a null input)")
    func subflowInputToStarts() {
        let mapping = SubflowMapping(params: [:])
        #expect(mapping.parentKeysRead.isEmpty)
        #expect(mapping.childContext(input: 5, childStartNodeIDs: ["s", "t"]) { _ in nil } == ["_inputs.s": 5, "_inputs.t": 5])
        #expect(mapping.childContext(input: .null, childStartNodeIDs: ["s"]) { _ in nil }.isEmpty)
    }

    @Test("subflow output mapping writes in parent-key order; without one, the terminal outputs")
    func subflowOutputs() {
        let child: [String: JSONValue] = ["_outputs.x": 1, "raw": 2, "_outputs.end": 3, "_outputs.other": 4]
        let mapped = SubflowMapping(params: ["outputs": ["z": "x", "a": "raw", "m": "gone"]])
            .completion(childContext: child, terminalNodeIDs: ["end"])
        #expect(mapped.writes.map(\.key) == ["a", "m", "z"])
        #expect(mapped.writes.map(\.value) == [2, .null, 1])
        #expect(mapped.output == .object(child))
        let single = SubflowMapping(params: [:]).completion(childContext: child, terminalNodeIDs: ["end"])
        #expect(single.writes.isEmpty && single.output == 3)
        let several = SubflowMapping(params: [:]).completion(childContext: child, terminalNodeIDs: ["end", "other", "none"])
        #expect(several.output == ["end": 3, "other": 4, "none": nil])
    }

    // MARK: - BatchPlan

    @Test("batch plan: worker ids, item keys, window, worker settings and event payloads")
    func batchPlan() throws {
        let scatter = NodeDefinition(
            id: "s", uses: "batch-scatter", params: ["workerUsesKey": "w", "gatherNodeId": "g", "chunkSize": 5],
            config: NodeConfig(maxRetries: 3, retryDelay: 10, timeout: 99, fallback: "fb", joinStrategy: .any))
        let plan = try #require(BatchPlan(scatter: scatter))
        #expect(plan.workerID(2) == "w_s_2")
        #expect(plan.itemKey(2) == ContextKeys.batchItem(scatter: "s", index: 2))
        #expect(plan.window(count: 2) == 2 && plan.window(count: 9) == 5 && plan.window(count: 0) == 1)
        let worker = plan.worker(1, of: scatter)
        #expect(worker.id == "w_s_1" && worker.uses == "w" && worker.inputs == .key(plan.itemKey(1)))
        #expect(worker.config == NodeConfig(maxRetries: 3, retryDelay: 10, timeout: 99))
        #expect(plan.scatterOutput(count: 2) == ["gatherNodeId": "g", "count": 2])
        #expect(plan.startPayload(count: 2)["chunkSize"] == 2)
        #expect(plan.startPayload(count: 2)["workerNodeIds"] == ["w_s_0", "w_s_1"])
        #expect(BatchPlan(scatter: NodeDefinition(id: "s", uses: "batch-scatter", params: ["workerUsesKey": "w"])) == nil)
    }

    @Test("batch gather: results in item order, an empty slot is null")
    func batchGather() {
        let gather = BatchGather(node: NodeDefinition(id: "g", uses: "batch-gather", params: ["outputKey": "out"]))
        #expect(gather.gatherID == "g" && gather.outputKey == "out")
        let ids: JSONValue = ["a", "b", "c"]
        #expect(gather.outputKeys(workerIDs: ids) == ["_outputs.a", "_outputs.b", "_outputs.c"])
        let stored: [String: JSONValue] = ["_outputs.a": 1, "_outputs.c": 3]
        #expect(gather.results(workerIDs: ids) { stored[$0] } == [1, nil, 3])
        #expect(gather.results(workerIDs: nil) { stored[$0] } == [])
    }

    // MARK: - BuiltinStep

    @Test("built-in steps: invalid params fail with one message for both engines")
    func builtinSteps() {
        func step(_ uses: BuiltinNode, _ params: [String: JSONValue] = [:], input: JSONValue = .null) -> BuiltinStep {
            BuiltinStep.decide(uses, node: NodeDefinition(id: "n", uses: uses.rawValue, params: params), input: input)
        }
        guard case .sleep(let ms) = step(.sleep, ["duration": "2s"]) else { Issue.record("sleep"); return }
        #expect(ms == 2000)
        guard case .fail(let noDuration) = step(.sleep, ["duration": "soon"]) else { Issue.record("bad sleep"); return }
        #expect(noDuration.contains("sleep needs a 'duration'"))
        guard case .fail(let notArray) = step(.batchScatter, ["workerUsesKey": "w", "gatherNodeId": "g"], input: 3) else {
            Issue.record("scatter of a number"); return
        }
        #expect(notArray == "batch-scatter needs an array input, got number")
        guard case .scatter(_, let items) = step(.batchScatter, ["workerUsesKey": "w", "gatherNodeId": "g"], input: [1, 2]) else {
            Issue.record("scatter"); return
        }
        #expect(items == [1, 2])
        guard case .fail(let noChild) = step(.subflow) else { Issue.record("subflow without id"); return }
        #expect(noChild == "subflow blueprint '(missing)' is not loaded")
        guard case .subflow(let id, _) = step(.subflow, ["blueprintId": "child"]) else { Issue.record("subflow"); return }
        #expect(id == "child")
        guard case .fail = step(.webhook) else { Issue.record("webhook"); return }
    }

    // MARK: - Start nodes

    @Test("start nodes: no incoming edge and not a fallback target; else each cycle entry point once, in node order")
    func startNodes() throws {
        let plain = try CompiledBlueprint(WorkflowBlueprint(
            id: "p",
            nodes: [NodeDefinition(id: "a", uses: "x", config: NodeConfig(fallback: "fb")), NodeDefinition(id: "fb", uses: "x"),
                    NodeDefinition(id: "b", uses: "x"), NodeDefinition(id: "c", uses: "x")],
            edges: [EdgeDefinition(source: "a", target: "c")]))
        #expect(plain.startNodes == [0, 2])
        let cycle = try CompiledBlueprint(WorkflowBlueprint(
            id: "c",
            nodes: [NodeDefinition(id: "a", uses: "x"), NodeDefinition(id: "b", uses: "x")],
            edges: [EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "b", target: "a")],
            metadata: BlueprintMetadata(cycleEntryPoints: ["b", "nope", "a", "b"])))
        // A duplicated entry point started its node twice.
        #expect(cycle.startNodes == [0, 1])
    }

    // MARK: - ExpressionSite

    @Test("the runtime's expression scopes see exactly the roots ExpressionSite defines")
    func expressionScopesFollowTheSite() {
        let context: [String: JSONValue] = ["key": 1]
        func seen(_ site: ExpressionSite, _ root: String) -> Bool {
            switch site {
            case .edgeCondition: return EdgeConditionScope(output: 2, action: "go", context: context).value(forRoot: root) != nil
            case .edgeTransform: return EdgeTransformScope(input: 2, context: context).value(forRoot: root) != nil
            case .loopCondition: return LoopConditionScope(context: context).value(forRoot: root) != nil
            }
        }
        for site in ExpressionSite.allCases {
            for root in site.boundRoots { #expect(seen(site, root), "\(site) binds \(root)") }
            #expect(seen(site, ExpressionSite.contextRoot))
            #expect(seen(site, "key") == site.contextKeysAreRoots, "\(site) reading a context key")
            for other in [ExpressionSite.resultRoot, ExpressionSite.inputRoot] where !site.boundRoots.contains(other) {
                #expect(!seen(site, other), "\(site) must not bind \(other)")
            }
            let read = site.contextRead(roots: ["key", ExpressionSite.resultRoot, ExpressionSite.inputRoot])
            #expect(!read.whole)
            #expect(read.keys == (site.contextKeysAreRoots ? Set(["key", ExpressionSite.resultRoot, ExpressionSite.inputRoot]).subtracting(site.boundRoots) : []))
            #expect(site.contextRead(roots: [ExpressionSite.contextRoot]).whole)
        }
        #expect(ExpressionSite.edgeTransform.closedRoots == ["input", "context"])
    }
}
