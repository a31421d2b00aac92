import FlowcraftModel

/// Runs every validation rule over a set of blueprints (one compilation: subflow `blueprintId`s and
/// declared types resolve across the whole set) and collects all findings, errors and warnings alike.
///
/// Each rule family is its own unit (`NodeIdentityRules`, `EdgeReferenceRules`, …) reading a shared
/// `ValidationSet`, which analyzes every blueprint's graph once.
package enum BlueprintSetValidator {
    /// All findings, in rule order; callers sort them with `Diagnostic.reportOrder`.
    package static func validate(_ blueprints: [WorkflowBlueprint]) -> [Diagnostic] {
        validateAndAnalyze(blueprints).diagnostics
    }

    /// Validates and returns the graph analysis computed on the way, one per blueprint (same order),
    /// so a pipeline need not analyze twice.
    package static func validateAndAnalyze(_ blueprints: [WorkflowBlueprint]) -> (diagnostics: [Diagnostic], analyses: [BlueprintAnalysis]) {
        let set = ValidationSet(blueprints)
        var diagnostics: [Diagnostic] = []
        for rule in rules { rule(set, &diagnostics) }
        return (diagnostics, set.facts.map(\.analysis))
    }

    /// The rule families, in the order their findings are collected.
    static let rules: [@Sendable (ValidationSet, inout [Diagnostic]) -> Void] = [
        NodeIdentityRules.check,
        EdgeReferenceRules.check,
        StartAndReachabilityRules.check,
        CycleRules.check,
        FallbackRules.check,
        SubflowRules.check,
        BuiltinParameterRules.check,
        BatchRules.check,
        ExpressionRules.check,
        ImplementationKeyRules.check,
        TypeRules.check,
        ActionRules.check,
        JoinRules.check,
        FallbackJoinRules.check,
    ]
}

/// What every rule reads: the blueprints, their graphs and analyses, and set-wide indexes.
struct ValidationSet: Sendable {
    let blueprints: [WorkflowBlueprint]
    let facts: [GraphFacts]
    /// First blueprint of each id.
    let blueprintIndex: [String: Int]
    /// First declaration of each `uses` key under `implementations:` anywhere in the set.
    let implementations: [String: ImplementationDefinition]
    /// Record names declared under `types:` anywhere in the set.
    let typeNames: Set<String>

    init(_ blueprints: [WorkflowBlueprint]) {
        self.blueprints = blueprints
        facts = blueprints.map { GraphAnalyzer.analyze($0, graph: BlueprintGraph($0)) }
        var blueprintIndex: [String: Int] = [:]
        var implementations: [String: ImplementationDefinition] = [:]
        var typeNames: Set<String> = []
        for (i, blueprint) in blueprints.enumerated() {
            if blueprintIndex[blueprint.id] == nil { blueprintIndex[blueprint.id] = i }
            for implementation in blueprint.implementations where implementations[implementation.uses] == nil {
                implementations[implementation.uses] = implementation
            }
            for type in blueprint.types { typeNames.insert(type.name) }
        }
        self.blueprintIndex = blueprintIndex
        self.implementations = implementations
        self.typeNames = typeNames
    }

    /// Where to report something about a whole blueprint.
    func location(of blueprint: WorkflowBlueprint) -> SourceLocation? { blueprint.location }

    /// How many did-you-mean searches over blueprint `b`'s node ids to afford: each costs time linear
    /// in the node count, so large blueprints get fewer (keeping validation near-linear overall).
    func hintBudget(for b: Int) -> Int {
        max(5, min(100, 1_000_000 / max(1, facts[b].graph.nodeCount)))
    }

    /// A did-you-mean hint among node ids, bounded so that a blueprint full of bad references stays linear.
    func nodeHint(_ word: String, in b: Int, budget: inout Int) -> String {
        guard budget > 0 else { return "" }
        budget -= 1
        return DidYouMean.hint(for: word, among: facts[b].graph.ids)
    }
}

extension DiagnosticCode {
    /// An edge's action that the source's declared implementation never returns (warning).
    package static let unknownAction: DiagnosticCode = "UNKNOWN_ACTION"
    /// A transform reading a root it cannot see (warning).
    package static let unknownExpressionRoot: DiagnosticCode = "UNKNOWN_EXPRESSION_ROOT"
}

extension Diagnostic {
    /// The same diagnostic with a note attached.
    func noting(_ message: String, at location: SourceLocation?) -> Diagnostic {
        var copy = self
        copy.notes.append(Note(message: message, location: location))
        return copy
    }
}
