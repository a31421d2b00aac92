import FlowcraftModel

/// The words shown on a drawn graph, shared by every format so they agree.
enum GraphLabels {
    /// A node: its id, and what it uses on a second line.
    static func node(_ node: NodeDefinition) -> String {
        node.uses.isEmpty ? node.id : "\(node.id)\n(\(node.uses))"
    }

    /// An edge: its action, its condition in brackets, `⇒ transform`; `nil` when there is none.
    static func edge(_ edge: EdgeDefinition) -> String? {
        var parts: [String] = []
        if let action = edge.action { parts.append(action) }
        if let condition = edge.condition { parts.append("[\(trimmed(condition))]") }
        if let transform = edge.transform { parts.append("⇒ \(trimmed(transform))") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// Block scalars end with a newline; labels should not.
    static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let last = scalars.last, last == "\n" || last == " " || last == "\r" || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

    /// Built-ins drawn with their own shape.
    enum Shape { case box, decision, subroutine, pause }

    static func shape(of node: NodeDefinition) -> Shape {
        switch BuiltinNode(rawValue: node.uses) {
        case .loopController?: return .decision
        case .subflow?: return .subroutine
        case .sleep?, .wait?: return .pause
        default: return .box
        }
    }
}
