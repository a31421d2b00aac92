import FlowcraftModel

/// Decides the Swift names and shapes for a blueprint set: record types, one typed protocol per
/// implementation (with its routed actions), and the embedded blueprints.
struct CodegenPlanner {
    let options: CodeGenerationOptions

    func plan(_ blueprints: [WorkflowBlueprint]) -> CodegenPlan {
        var plan = CodegenPlan()
        var topLevel = IdentifierScope("type name")
        topLevel.claim(options.registryTypeName, key: options.registryTypeName, what: "generated type", at: nil)
        topLevel.claim(options.workflowsTypeName, key: options.workflowsTypeName, what: "generated type", at: nil)

        for blueprint in blueprints {
            plan.blueprints.append(CodegenPlan.Blueprint(
                model: blueprint, memberName: "",
                displayPath: options.displayPath(blueprint.location?.file ?? blueprint.id)))
        }
        planRecords(blueprints, &plan, &topLevel)
        planImplementations(blueprints, &plan, &topLevel)
        planBlueprintNames(&plan)
        planWaits(&plan, &topLevel)
        plan.diagnostics += topLevel.diagnostics
        checkTypeReferences(&plan)
        return plan
    }

    // MARK: - Records

    private func planRecords(_ blueprints: [WorkflowBlueprint], _ plan: inout CodegenPlan, _ scope: inout IdentifierScope) {
        var seen: [String: TypeDefinition] = [:]
        for (home, blueprint) in blueprints.enumerated() {
            for type in blueprint.types {
                if let earlier = seen[type.name] {
                    if Self.sameShape(earlier, type) { continue }
                    plan.diagnostics.append(Diagnostic(
                        .error, .identifierCollision,
                        "type '\(type.name)' is declared twice with different fields; one Swift type is generated per name",
                        at: type.location,
                        notes: [Diagnostic.Note(message: "first declared here", location: earlier.location)]))
                    continue
                }
                seen[type.name] = type
                let swiftName = SwiftIdentifier.typeName(type.name)
                guard scope.claim(swiftName, key: type.name, what: "type", at: type.location) else { continue }
                var fieldScope = IdentifierScope("property name of '\(swiftName)'")
                var fields: [CodegenPlan.Field] = []
                for field in type.fields {
                    let name = SwiftIdentifier.memberName(field.name)
                    guard fieldScope.claim(name, key: field.name, what: "field", at: field.location) else { continue }
                    fields.append(CodegenPlan.Field(key: field.name, swiftName: name, type: field.type, location: field.location))
                }
                plan.diagnostics += fieldScope.diagnostics
                plan.recordNames[type.name] = swiftName
                plan.records.append(CodegenPlan.Record(
                    key: type.name, swiftName: swiftName, fields: fields, description: type.description,
                    location: type.location, home: home))
            }
        }
    }

    static func sameShape(_ a: TypeDefinition, _ b: TypeDefinition) -> Bool {
        a.fields.map { [$0.name, $0.type.description] } == b.fields.map { [$0.name, $0.type.description] }
    }

    // MARK: - Implementations

    private func planImplementations(_ blueprints: [WorkflowBlueprint], _ plan: inout CodegenPlan, _ scope: inout IdentifierScope) {
        let builtins = Set(BuiltinNode.allCases.map(\.rawValue))
        var declared: [String: (ImplementationDefinition, Int)] = [:]
        for (home, blueprint) in blueprints.enumerated() {
            for implementation in blueprint.implementations where !builtins.contains(implementation.uses) {
                if let (earlier, _) = declared[implementation.uses] {
                    if Self.sameSignature(earlier, implementation) { continue }
                    plan.diagnostics.append(Diagnostic(
                        .error, .identifierCollision,
                        "implementation '\(implementation.uses)' is declared twice with different types or actions",
                        at: implementation.location,
                        notes: [Diagnostic.Note(message: "first declared here", location: earlier.location)]))
                    continue
                }
                declared[implementation.uses] = (implementation, home)
            }
        }

        // Every user `uses` key, plus batch worker keys named in params, with the nodes using them.
        var order: [String] = []
        var uses: [String: (home: Int, nodes: [(blueprint: String, node: String, location: SourceLocation?)])] = [:]
        var inferredActions: [String: Set<String>] = [:]
        for (home, blueprint) in blueprints.enumerated() {
            var usesOfNode: [String: String] = [:]
            for node in blueprint.nodes {
                usesOfNode[node.id] = node.uses
                var keys: [(String, SourceLocation?)] = []
                if !builtins.contains(node.uses) { keys.append((node.uses, node.location(of: "uses"))) }
                if node.uses == BuiltinNode.batchScatter.rawValue, case .string(let worker)? = node.params["workerUsesKey"],
                    !builtins.contains(worker)
                {
                    keys.append((worker, node.location(of: "params.workerUsesKey")))
                }
                for (key, location) in keys {
                    if uses[key] == nil {
                        order.append(key)
                        uses[key] = (declared[key]?.1 ?? home, [])
                    }
                    uses[key]?.nodes.append((blueprint.id, node.id, location))
                }
            }
            // A fallback takes over its node's edges, so it routes on their actions too.
            var routers: [String: [String]] = [:]
            for node in blueprint.nodes {
                routers[node.id, default: []].append(node.uses)
                if let fallback = node.config.fallback, let fallbackUses = blueprint.nodes.first(where: { $0.id == fallback })?.uses {
                    routers[node.id, default: []].append(fallbackUses)
                }
            }
            for edge in blueprint.edges {
                guard let action = edge.action else { continue }
                for key in routers[edge.source] ?? [] where !builtins.contains(key) {
                    inferredActions[key, default: []].insert(action)
                }
            }
        }

        for key in order.sorted() {
            guard let use = uses[key] else { continue }
            let declaration = declared[key]?.0
            let typeStem = SwiftIdentifier.typeName(key)
            let location = declaration?.location ?? use.nodes.first?.location
            var implementation = CodegenPlan.Implementation(
                uses: key, memberName: SwiftIdentifier.memberName(key), typeStem: typeStem,
                input: declaration?.input, output: declaration?.output, params: declaration?.params,
                actions: [], actionsDeclared: declaration?.actions != nil, description: declaration?.description,
                declaredAt: declaration?.location, usedBy: use.nodes, home: use.home)
            var ok = scope.claim(implementation.protocolName, key: key, what: "implementation", at: location)
            let actionKeys = declaration?.actions.map(Self.uniqued) ?? (inferredActions[key] ?? []).sorted()
            if !actionKeys.isEmpty {
                ok = scope.claim(implementation.actionTypeName, key: key, what: "implementation", at: location) && ok
                ok = scope.claim(implementation.resultTypeName, key: key, what: "implementation", at: location) && ok
                var caseScope = IdentifierScope("case name of '\(implementation.actionTypeName)'")
                for action in actionKeys {
                    let name = SwiftIdentifier.memberName(action)
                    if caseScope.claim(name, key: action, what: "action", at: location) {
                        implementation.actions.append((action, name))
                    }
                }
                plan.diagnostics += caseScope.diagnostics
            }
            if ok { plan.implementations.append(implementation) }
        }

        var members = IdentifierScope("property name of '\(options.registryTypeName)'")
        members.claim("nodeRegistry", key: "nodeRegistry", what: "generated method", at: nil)
        for implementation in plan.implementations {
            members.claim(implementation.memberName, key: implementation.uses, what: "implementation",
                at: implementation.declaredAt ?? implementation.usedBy.first?.location)
        }
        plan.diagnostics += members.diagnostics
    }

    static func sameSignature(_ a: ImplementationDefinition, _ b: ImplementationDefinition) -> Bool {
        a.input == b.input && a.output == b.output && a.params == b.params && a.actions == b.actions
    }

    static func uniqued(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    // MARK: - Blueprints

    private func planBlueprintNames(_ plan: inout CodegenPlan) {
        var scope = IdentifierScope("property name of '\(options.workflowsTypeName)'")
        scope.claim("all", key: "all", what: "generated property", at: nil)
        for i in plan.blueprints.indices {
            let blueprint = plan.blueprints[i].model
            let name = SwiftIdentifier.memberName(blueprint.id)
            plan.blueprints[i].memberName = name
            scope.claim(name, key: blueprint.id, what: "blueprint", at: blueprint.location)
        }
        plan.diagnostics += scope.diagnostics
    }

    // MARK: - Types

    /// Named types must exist, or the generated code would not compile; say so at the blueprint line.
    private func checkTypeReferences(_ plan: inout CodegenPlan) {
        func check(_ type: TypeReference?, _ what: String, _ location: SourceLocation?) {
            guard let type else { return }
            for name in Self.namedTypes(in: type) where plan.recordNames[name] == nil {
                plan.diagnostics.append(.error(.unknownType, "unknown type '\(name)' in \(what)", at: location))
            }
        }
        for record in plan.records {
            for field in record.fields { check(field.type, "field '\(field.key)' of '\(record.key)'", field.location) }
        }
        for implementation in plan.implementations {
            let location = implementation.declaredAt
            check(implementation.input, "the input of '\(implementation.uses)'", location)
            check(implementation.output, "the output of '\(implementation.uses)'", location)
            check(implementation.params, "the params of '\(implementation.uses)'", location)
        }
    }

    static func namedTypes(in type: TypeReference) -> [String] {
        switch type {
        case .string, .int, .double, .bool, .json: return []
        case .array(let t), .dictionary(let t), .optional(let t): return namedTypes(in: t)
        case .named(let n): return [n]
        }
    }
}
