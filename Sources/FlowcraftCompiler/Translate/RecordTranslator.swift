import FlowcraftModel

/// `types:` records → `Codable, Sendable, Hashable` structs with a memberwise initializer.
struct RecordTranslator {
    let access: AccessModifier
    let types: SwiftTypeSpelling
    let displayPath: (SourceLocation?) -> String?

    func translate(_ record: CodegenPlan.Record) -> SwiftDeclaration {
        var doc: [String] = []
        if let description = record.description { doc += [description, ""] }
        doc.append("The `\(record.key)` record" + (displayPath(record.location).map { " (`\($0)`)." } ?? "."))
        var members: [SwiftDeclaration] = []
        for field in record.fields {
            members.append(.variable(VariableDescription(
                access: access, isMutable: true, name: field.swiftName, type: types.spell(field.type))))
        }
        let parameters = record.fields.map { field -> ParameterDescription in
            let isOptional: Bool = if case .optional = field.type { true } else { false }
            return ParameterDescription(
                name: field.swiftName, type: types.spell(field.type), defaultValue: isOptional ? .nil : nil)
        }
        members.append(.function(FunctionDescription(
            access: access, kind: .initializer, parameters: parameters,
            body: record.fields.map { .line("self.\($0.swiftName) = \($0.swiftName)") })))
        if record.fields.contains(where: { SwiftIdentifier.unescaped($0.swiftName) != $0.key }) {
            members.append(.enumeration(EnumDescription(
                access: .private, name: "CodingKeys", conformances: ["String", "CodingKey"],
                members: record.fields.map { field in
                    .enumCase(EnumCaseDescription(
                        name: field.swiftName,
                        rawValue: SwiftIdentifier.unescaped(field.swiftName) == field.key ? nil : field.key))
                })))
        }
        return .structure(StructDescription(
            doc: DocComment(doc), access: access, name: record.swiftName,
            conformances: ["Codable", "Sendable", "Hashable"], members: members))
    }
}
