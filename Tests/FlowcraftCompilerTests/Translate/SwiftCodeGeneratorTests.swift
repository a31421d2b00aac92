import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

@Suite("Generating Swift from blueprints")
struct SwiftCodeGeneratorTests {
    /// Compiles YAML sources (validated like real input) and generates code from them.
    func generate(_ sources: [(String, String)]) -> (files: [GeneratedFile], diagnostics: [Diagnostic]) {
        let result = BlueprintCompiler().compile(sources: sources.map { (path: $0.0, text: $0.1) })
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "fixture does not compile: \(errors)")
        return SwiftCodeGenerator.generate(blueprints: result.blueprints)
    }

    func text(_ files: [GeneratedFile], _ name: String) -> String {
        files.first { $0.name == name }?.contents ?? ""
    }

    static let routed = """
        id: routed
        nodes:
          - { id: a, uses: decide }
          - { id: b, uses: handle }
          - { id: c, uses: handle }
          - { id: d, uses: sleep, params: { duration: 1s } }
        edges:
          - { source: a, target: b, action: yes }
          - { source: a, target: c, action: no-way }
          - { source: b, target: d }
        """

    @Test func inferredActionsAreExactlyTheEdgeLabels() {
        let (files, diagnostics) = generate([("routed.yaml", Self.routed)])
        #expect(diagnostics.isEmpty)
        let code = text(files, "routed.flowcraft.swift")
        #expect(code.contains("public enum DecideAction: String, Sendable, Hashable, CaseIterable, Codable {\n    case noWay = \"no-way\"\n    case yes\n}"))
        #expect(code.contains("-> DecideResult"))
        // No actions routed from `handle`: it returns its output directly and gets no Action type.
        #expect(!code.contains("HandleAction"))
        #expect(code.contains("params: [String: JSONValue], context: NodeContext) async throws -> JSONValue"))
    }

    @Test func builtinsAreNotImplementations() {
        let (files, _) = generate([("routed.yaml", Self.routed)])
        let registry = text(files, GeneratedFileNaming.registryFileName)
        #expect(registry.contains("public init(decide: any DecideNode, handle: any HandleNode)"))
        #expect(!registry.contains("SleepNode"))
    }

    @Test func declaredActionsWinOverInference() {
        let yaml = """
            id: declared
            implementations:
              decide: { actions: [left, right] }
            nodes:
              - { id: a, uses: decide }
              - { id: b, uses: handle }
            edges:
              - { source: a, target: b, action: left }
            """
        let (files, _) = generate([("declared.yaml", yaml)])
        #expect(text(files, "declared.flowcraft.swift").contains("case left\n    case right\n"))
    }

    @Test func fallbackRoutesOnTheEdgesItTakesOver() {
        let yaml = """
            id: fallback
            nodes:
              - { id: a, uses: primary, config: { fallback: b } }
              - { id: b, uses: backup }
              - { id: c, uses: after }
            edges:
              - { source: a, target: c, action: done }
            """
        let (files, _) = generate([("fallback.yaml", yaml)])
        let code = text(files, "fallback.flowcraft.swift")
        #expect(code.contains("public enum BackupAction"))
        #expect(code.contains("public enum PrimaryAction"))
    }

    @Test func batchWorkerKeysMustBeImplemented() {
        let yaml = """
            id: batch
            nodes:
              - { id: s, uses: batch-scatter, params: { workerUsesKey: summarize, gatherNodeId: g } }
              - { id: g, uses: batch-gather, params: { gatherNodeId: g } }
            edges:
              - { source: s, target: g }
            """
        let (files, _) = generate([("batch.yaml", yaml)])
        #expect(text(files, GeneratedFileNaming.registryFileName).contains("public init(summarize: any SummarizeNode)"))
    }

    @Test func collidingKeysAreReported() {
        let yaml = """
            id: clash
            nodes:
              - { id: a, uses: llm-process }
              - { id: b, uses: llm_process }
            edges:
              - { source: a, target: b }
            """
        let (_, diagnostics) = generate([("clash.yaml", yaml)])
        #expect(diagnostics.contains { $0.code == .identifierCollision && $0.message.contains("LlmProcess") })
        let collision = diagnostics.first { $0.code == .identifierCollision }
        #expect(collision?.location?.file == "clash.yaml")
        #expect(collision?.notes.first?.location?.line == 3)
    }

    @Test func collidingActionsAreReported() {
        let yaml = """
            id: clash
            nodes:
              - { id: a, uses: decide }
              - { id: b, uses: x }
              - { id: c, uses: y }
            edges:
              - { source: a, target: b, action: go-on }
              - { source: a, target: c, action: go_on }
            """
        let (_, diagnostics) = generate([("clash.yaml", yaml)])
        #expect(diagnostics.contains { $0.code == .identifierCollision && $0.message.contains("goOn") })
    }

    @Test func blueprintIDsAndTypeNamesCollideAcrossTheSet() {
        let a = """
            id: order-flow
            types:
              WorkNode: { a: String }
            nodes:
              - { id: x, uses: work }
            """
        let b = """
            id: order_flow
            nodes:
              - { id: y, uses: other }
            """
        let (_, diagnostics) = generate([("a.yaml", a), ("b.yaml", b)])
        let messages = diagnostics.filter { $0.code == .identifierCollision }.map(\.message)
        #expect(messages.contains { $0.contains("'orderFlow'") })
        #expect(messages.contains { $0.contains("'WorkNode'") })
    }

    @Test func recordsGetCodingKeysOnlyWhenNamesChange() {
        let yaml = """
            id: records
            types:
              Plain: { a: String }
              Renamed: { user-id: Int, note: String? }
            implementations:
              work: { input: Plain, output: Renamed }
            nodes:
              - { id: a, uses: work }
            """
        let (files, diagnostics) = generate([("records.yaml", yaml)])
        #expect(diagnostics.isEmpty)
        let code = text(files, "records.flowcraft.swift")
        #expect(code.contains("case userID = \"user-id\"") || code.contains("case userId = \"user-id\""))
        #expect(code.contains("public init(userId: Int, note: String? = nil)"))
        #expect(code.components(separatedBy: "CodingKeys").count == 2)
    }

    @Test func outputIsDeterministicWhateverTheInputOrder() {
        let other = """
            id: other
            nodes:
              - { id: z, uses: zeta }
            """
        let first = generate([("routed.yaml", Self.routed), ("other.yaml", other)]).files
        let second = generate([("other.yaml", other), ("routed.yaml", Self.routed)]).files
        #expect(first == second)
        #expect(first.map(\.name) == ["other.flowcraft.swift", "routed.flowcraft.swift", GeneratedFileNaming.registryFileName])
    }

    @Test func docCommentsAndLocationsUseTheRelativePath() {
        let result = BlueprintCompiler().compile(sources: [(path: "/home/me/pkg/Blueprints/routed.yaml", text: Self.routed)])
        let files = SwiftCodeGenerator.generate(
            blueprints: result.blueprints, options: CodeGenerationOptions(sourceRoot: "/home/me/pkg")).files
        let code = text(files, "routed.flowcraft.swift")
        #expect(code.contains("let file = \"Blueprints/routed.yaml\""))
        #expect(code.contains("(`Blueprints/routed.yaml:3`)"))
        #expect(!code.contains("/home/me"))
    }

    @Test func everyFileStartsWithTheGeneratedHeader() {
        for file in generate([("routed.yaml", Self.routed)]).files {
            #expect(file.contents.hasPrefix(CodeGeneration.generatedHeaderPrefix))
            #expect(file.contents.contains("Do not edit."))
        }
    }
}
