import FlowcraftModel

/// The Swift names already taken in one scope (top-level types, a struct's fields, an enum's cases).
/// Claiming a name that a *different* key already produced records an `IDENTIFIER_COLLISION`.
struct IdentifierScope {
    private struct Claim {
        var key: String
        var what: String
        var location: SourceLocation?
    }

    /// Describes the scope in messages ("top-level type", "field of 'Order'").
    let description: String
    private var claims: [String: Claim] = [:]
    private(set) var diagnostics: [Diagnostic] = []

    init(_ description: String) {
        self.description = description
    }

    /// Claims `name` for `key`. Returns `false` (and records a diagnostic) when another key owns it.
    @discardableResult
    mutating func claim(_ name: String, key: String, what: String, at location: SourceLocation?) -> Bool {
        let bare = SwiftIdentifier.unescaped(name)
        if let existing = claims[bare] {
            if existing.key == key && existing.what == what { return true }
            diagnostics.append(Diagnostic(
                .error, .identifierCollision,
                "\(what) '\(key)' and \(existing.what) '\(existing.key)' both become the Swift \(description) '\(bare)'; rename one",
                at: location ?? existing.location,
                notes: [Diagnostic.Note(message: "'\(existing.key)' is declared here", location: existing.location)]))
            return false
        }
        claims[bare] = Claim(key: key, what: what, location: location)
        return true
    }

    func isTaken(_ name: String) -> Bool { claims[SwiftIdentifier.unescaped(name)] != nil }
}
