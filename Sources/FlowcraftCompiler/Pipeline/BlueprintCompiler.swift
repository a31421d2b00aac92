import FlowcraftModel

/// The compiler's front door: files → parse → decode → validate (as a set) → analyze.
///
/// ```swift
/// let result = BlueprintCompiler().compile(paths: ["Blueprints"])
/// for d in result.diagnostics { print(d) }
/// ```
/// The stages are `package` methods too, for the benchmarks that time them one by one.
public struct BlueprintCompiler: Sendable {
    /// Bounds on each file's size, nesting and alias expansion.
    public var limits: YAMLParseLimits

    /// A compiler with `limits` (``YAMLParseLimits/default`` unless given).
    public init(limits: YAMLParseLimits = .default) {
        self.limits = limits
    }

    /// Compiles files and directories (searched recursively for `*.yaml`, `*.yml`, `*.json`).
    public func compile(paths: [String]) -> CompilationResult {
        let (files, discoveryDiagnostics) = BlueprintFileDiscovery.files(at: paths)
        var diagnostics = discoveryDiagnostics
        var decoded: [WorkflowBlueprint] = []
        for file in files {
            switch BlueprintFileDiscovery.read(file, limit: limits.maxInputBytes) {
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
            case .bytes(let bytes):
                let (blueprint, found) = bytes.withUnsafeBufferPointer { frontEnd(bytes: $0, file: file) }
                diagnostics += found
                if let blueprint { decoded.append(blueprint) }
            }
        }
        return finish(files: files, blueprints: decoded, diagnostics: diagnostics)
    }

    /// Compiles in-memory sources; `path` names each in diagnostics and gives the default id.
    public func compile(sources: [(path: String, text: String)]) -> CompilationResult {
        var diagnostics: [Diagnostic] = []
        var decoded: [WorkflowBlueprint] = []
        for source in sources {
            var text = source.text
            let (blueprint, found) = text.withUTF8 { frontEnd(bytes: $0, file: source.path) }
            diagnostics += found
            if let blueprint { decoded.append(blueprint) }
        }
        return finish(files: sources.map(\.path), blueprints: decoded, diagnostics: diagnostics)
    }

    /// Compiles in-memory raw bytes (checked for UTF-8 like files are).
    public func compile(sourceBytes: [(path: String, bytes: [UInt8])]) -> CompilationResult {
        var diagnostics: [Diagnostic] = []
        var decoded: [WorkflowBlueprint] = []
        for source in sourceBytes {
            let (blueprint, found) = source.bytes.withUnsafeBufferPointer { frontEnd(bytes: $0, file: source.path) }
            diagnostics += found
            if let blueprint { decoded.append(blueprint) }
        }
        return finish(files: sourceBytes.map(\.path), blueprints: decoded, diagnostics: diagnostics)
    }

    // MARK: - Stages

    /// Stage 1: bytes → syntax tree.
    package func parse(bytes: UnsafeBufferPointer<UInt8>, file: String) -> YAMLParseResult {
        YAMLParser(limits: limits).parse(bytes: bytes, file: file)
    }

    /// Stage 2: syntax tree → blueprint (nothing when the file did not parse).
    package func decode(_ parsed: YAMLParseResult, file: String) -> (WorkflowBlueprint?, [Diagnostic]) {
        guard parsed.root != nil || !parsed.hasErrors else { return (nil, []) }
        var decoder = BlueprintDecoder(file: file)
        let blueprint = decoder.decode(parsed.root)
        return (blueprint, decoder.diagnostics)
    }

    /// Stage 3: every validator, over the whole set (subflow references resolve across files).
    package func validate(_ blueprints: [WorkflowBlueprint]) -> [Diagnostic] {
        BlueprintSetValidator.validate(blueprints)
    }

    /// Stage 4: graph facts of one blueprint.
    package func analyze(_ blueprint: WorkflowBlueprint) -> BlueprintAnalysis {
        GraphAnalyzer.analyze(blueprint)
    }

    /// Stages 3 and 4 together, as the pipeline runs them: validation analyzes every graph anyway,
    /// so its analyses are reused (one per blueprint, same order).
    package func validateAndAnalyze(_ blueprints: [WorkflowBlueprint]) -> (diagnostics: [Diagnostic], analyses: [BlueprintAnalysis]) {
        BlueprintSetValidator.validateAndAnalyze(blueprints)
    }


    private func frontEnd(bytes: UnsafeBufferPointer<UInt8>, file: String) -> (WorkflowBlueprint?, [Diagnostic]) {
        let parsed = parse(bytes: bytes, file: file)
        // A fatal YAML error leaves no tree (a partial one would only add noise); duplicate keys and
        // bad merges are not fatal, so decoding still reports everything else.
        guard parsed.root != nil || !parsed.hasErrors else { return (nil, parsed.diagnostics) }
        let (blueprint, decodeDiagnostics) = decode(parsed, file: file)
        return (blueprint, parsed.diagnostics + decodeDiagnostics)
    }

    private func finish(files: [String], blueprints: [WorkflowBlueprint], diagnostics: [Diagnostic]) -> CompilationResult {
        let (found, analyses) = validateAndAnalyze(blueprints)
        var all = diagnostics + found
        all.sort(by: Diagnostic.reportOrder)
        return CompilationResult(files: files, blueprints: blueprints, analyses: analyses, diagnostics: all)
    }
}
