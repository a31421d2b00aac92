/// Prints a `SwiftFileDescription` as Swift source text with fixed formatting: four-space indentation,
/// one declaration per line, long calls and literals wrapped one argument per line. The output is a
/// pure function of the description, so generated files are byte-for-byte reproducible.
package struct SwiftRenderer: Sendable {
    /// Lines longer than this (including indentation) are wrapped where the grammar allows.
    package var maxLineWidth: Int

    package init(maxLineWidth: Int = 110) {
        self.maxLineWidth = maxLineWidth
    }

    package func render(_ file: SwiftFileDescription) -> String {
        var writer = SourceTextWriter()
        for line in file.headerComment { writer.line(line.isEmpty ? "//" : "// " + SwiftLiteralEscaping.commentText(line), 0) }
        if !file.headerComment.isEmpty { writer.blank() }
        for module in file.imports { writer.line("import \(module)", 0) }
        if !file.imports.isEmpty { writer.blank() }
        for (i, declaration) in file.declarations.enumerated() {
            if i > 0 { writer.blank() }
            render(declaration, level: 0, into: &writer)
        }
        return writer.text
    }

    // MARK: - Declarations

    func render(_ declaration: SwiftDeclaration, level: Int, into w: inout SourceTextWriter) {
        switch declaration {
        case .structure(let s):
            doc(s.doc, level, &w)
            typeBody(head: modifiers(s.access) + "struct " + s.name + inheritance(s.conformances), s.members, level, &w)
        case .enumeration(let e):
            doc(e.doc, level, &w)
            typeBody(head: modifiers(e.access) + "enum " + e.name + inheritance(e.conformances), e.members, level, &w)
        case .protocolType(let p):
            doc(p.doc, level, &w)
            typeBody(head: modifiers(p.access) + "protocol " + p.name + inheritance(p.conformances), p.members, level, &w)
        case .extensionOf(let x):
            doc(x.doc, level, &w)
            typeBody(head: modifiers(x.access) + "extension " + x.extendedType + inheritance(x.conformances), x.members, level, &w)
        case .function(let f):
            function(f, level, &w)
        case .variable(let v):
            variable(v, level, &w)
        case .enumCase(let c):
            doc(c.doc, level, &w)
            if let raw = c.rawValue {
                w.line("case \(c.name) = \(SwiftLiteralEscaping.stringLiteral(raw))", level)
            } else {
                w.line("case \(c.name)", level)
            }
        case .mark(let title):
            w.line("// MARK: - " + SwiftLiteralEscaping.commentText(title), level)
        }
    }

    private func typeBody(head: String, _ members: [SwiftDeclaration], _ level: Int, _ w: inout SourceTextWriter) {
        guard !members.isEmpty else {
            w.line(head + " {}", level)
            return
        }
        w.line(head + " {", level)
        var previous: SwiftDeclaration?
        for member in members {
            if let previous, Self.wantsBlankLine(between: previous, and: member) { w.blank() }
            render(member, level: level + 1, into: &w)
            previous = member
        }
        w.line("}", level)
    }

    /// Runs of undocumented stored properties or enum cases stay together; everything else is spaced.
    static func wantsBlankLine(between a: SwiftDeclaration, and b: SwiftDeclaration) -> Bool {
        switch (a, b) {
        case (.variable(let x), .variable(let y)):
            return x.doc != nil || y.doc != nil || x.getter != nil || y.getter != nil
        case (.enumCase(let x), .enumCase(let y)):
            return x.doc != nil || y.doc != nil
        default:
            return true
        }
    }

    private func function(_ f: FunctionDescription, _ level: Int, _ w: inout SourceTextWriter) {
        doc(f.doc, level, &w)
        for attribute in f.attributes { w.line(attribute, level) }
        var head = modifiers(f.access)
        if f.isStatic { head += "static " }
        switch f.kind {
        case .function(let name): head += "func " + name
        case .initializer: head += "init"
        }
        var tail = ""
        if f.isAsync { tail += " async" }
        if f.isThrowing { tail += " throws" }
        if let r = f.returnType { tail += " -> " + r }
        let opener = f.body == nil ? "" : " {"
        let parameters = f.parameters.map(parameter)
        let oneLine = head + "(" + parameters.joined(separator: ", ") + ")" + tail + opener
        if indentWidth(level) + oneLine.count <= maxLineWidth || parameters.count < 2 {
            w.line(oneLine, level)
        } else {
            w.line(head + "(", level)
            for (i, p) in parameters.enumerated() {
                w.line(p + (i == parameters.count - 1 ? "" : ","), level + 1)
            }
            w.line(")" + tail + opener, level)
        }
        guard let body = f.body else { return }
        statements(body, level + 1, &w)
        w.line("}", level)
    }

    private func parameter(_ p: ParameterDescription) -> String {
        var text = ""
        if let label = p.label, label != p.name { text += label + " " }
        text += p.name + ": " + p.type
        if let value = p.defaultValue { text += " = " + inline(value) }
        return text
    }

    private func variable(_ v: VariableDescription, _ level: Int, _ w: inout SourceTextWriter) {
        doc(v.doc, level, &w)
        var head = modifiers(v.access)
        if v.isStatic { head += "static " }
        head += (v.isMutable || v.getter != nil ? "var " : "let ") + v.name
        if let type = v.type { head += ": " + type }
        if let getter = v.getter {
            w.line(head + " {", level)
            statements(getter, level + 1, &w)
            w.line("}", level)
        } else if let value = v.initializer {
            expression(value, prefix: head + " = ", suffix: "", level: level, into: &w)
        } else {
            w.line(head, level)
        }
    }

    private func doc(_ doc: DocComment?, _ level: Int, _ w: inout SourceTextWriter) {
        guard let doc else { return }
        for line in doc.lines {
            let text = SwiftLiteralEscaping.commentText(line)
            w.line(text.isEmpty ? "///" : "/// " + text, level)
        }
    }

    private func modifiers(_ access: AccessModifier?) -> String {
        access.map { $0.rawValue + " " } ?? ""
    }

    private func inheritance(_ conformances: [String]) -> String {
        conformances.isEmpty ? "" : ": " + conformances.joined(separator: ", ")
    }

    // MARK: - Statements

    func statements(_ body: [CodeStatement], _ level: Int, _ w: inout SourceTextWriter) {
        for statement in body {
            switch statement {
            case .line(let text): w.line(text, level)
            case .expression(let e): expression(e, prefix: "", suffix: "", level: level, into: &w)
            case .blank: w.blank()
            case .block(let header, let inner):
                w.line(header + " {", level)
                statements(inner, level + 1, &w)
                w.line("}", level)
            case .closure(let call, let parameters, let inner):
                w.line(call + " { " + parameters + " in", level)
                statements(inner, level + 1, &w)
                w.line("}", level)
            case .doCatch(let body, let handler):
                w.line("do {", level)
                statements(body, level + 1, &w)
                w.line("} catch {", level)
                statements(handler, level + 1, &w)
                w.line("}", level)
            }
        }
    }

    // MARK: - Expressions

    /// The expression on one line.
    package func inline(_ e: SwiftExpression) -> String {
        switch e {
        case .string(let s): return SwiftLiteralEscaping.stringLiteral(s)
        case .int(let i): return String(i)
        case .double(let d): return SwiftLiteralEscaping.doubleLiteral(d)
        case .bool(let b): return b ? "true" : "false"
        case .nil: return "nil"
        case .identifier(let name): return name
        case .prefixed(let p, let inner): return p + " " + inline(inner)
        case .array(let elements): return "[" + elements.map(inline).joined(separator: ", ") + "]"
        case .dictionary(let elements):
            if elements.isEmpty { return "[:]" }
            return "[" + elements.map { inline($0.key) + ": " + inline($0.value) }.joined(separator: ", ") + "]"
        case .call(let callee, let arguments):
            return callee + "(" + arguments.map(argument).joined(separator: ", ") + ")"
        }
    }

    private func argument(_ a: SwiftExpression.Argument) -> String {
        (a.label.map { $0 + ": " } ?? "") + inline(a.value)
    }

    /// Prints `prefix + e + suffix`, wrapping `e` one element per line when it does not fit.
    func expression(_ e: SwiftExpression, prefix: String, suffix: String, level: Int, into w: inout SourceTextWriter) {
        let oneLine = prefix + inline(e) + suffix
        if indentWidth(level) + oneLine.count <= maxLineWidth {
            w.line(oneLine, level)
            return
        }
        switch e {
        case .call(let callee, let arguments) where arguments.count == 1 && arguments[0].label == nil:
            // `f(g(` … `))`: a lone argument hugs its call's parentheses instead of adding a level.
            expression(arguments[0].value, prefix: prefix + callee + "(", suffix: ")" + suffix, level: level, into: &w)
        case .call(let callee, let arguments) where !arguments.isEmpty:
            w.line(prefix + callee + "(", level)
            for (i, a) in arguments.enumerated() {
                expression(
                    a.value, prefix: a.label.map { $0 + ": " } ?? "", suffix: i == arguments.count - 1 ? "" : ",",
                    level: level + 1, into: &w)
            }
            w.line(")" + suffix, level)
        case .array(let elements) where !elements.isEmpty:
            w.line(prefix + "[", level)
            for e in elements { expression(e, prefix: "", suffix: ",", level: level + 1, into: &w) }
            w.line("]" + suffix, level)
        case .dictionary(let elements) where !elements.isEmpty:
            w.line(prefix + "[", level)
            for e in elements { expression(e.value, prefix: inline(e.key) + ": ", suffix: ",", level: level + 1, into: &w) }
            w.line("]" + suffix, level)
        case .prefixed(let p, let inner):
            expression(inner, prefix: prefix + p + " ", suffix: suffix, level: level, into: &w)
        default:
            w.line(oneLine, level)
        }
    }

    private func indentWidth(_ level: Int) -> Int { level * SourceTextWriter.indentUnit.count }
}
