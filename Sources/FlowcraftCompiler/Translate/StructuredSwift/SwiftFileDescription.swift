/// A whole generated Swift file: a header comment, imports and declarations.
///
/// Translation builds these values; `SwiftRenderer` prints them. Keeping generated code as data until
/// the last step makes it testable piece by piece and always well-formed.
public struct SwiftFileDescription: Sendable, Hashable {
    /// Comment lines printed first, each prefixed with `// `.
    public var headerComment: [String]
    public var imports: [String]
    public var declarations: [SwiftDeclaration]

    public init(headerComment: [String] = [], imports: [String] = [], declarations: [SwiftDeclaration] = []) {
        self.headerComment = headerComment
        self.imports = imports
        self.declarations = declarations
    }
}
