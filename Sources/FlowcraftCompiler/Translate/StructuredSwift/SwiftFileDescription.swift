/// A whole generated Swift file: a header comment, imports and declarations.
///
/// Translation builds these values; `SwiftRenderer` prints them. Keeping generated code as data until
/// the last step makes it testable piece by piece and always well-formed.
package struct SwiftFileDescription: Sendable, Hashable {
    /// Comment lines printed first, each prefixed with `// `.
    package var headerComment: [String]
    package var imports: [String]
    package var declarations: [SwiftDeclaration]

    package init(headerComment: [String] = [], imports: [String] = [], declarations: [SwiftDeclaration] = []) {
        self.headerComment = headerComment
        self.imports = imports
        self.declarations = declarations
    }
}
