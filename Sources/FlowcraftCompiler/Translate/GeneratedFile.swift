/// One generated Swift source: a file name (no directories) and its full text.
package struct GeneratedFile: Sendable, Hashable {
    package var name: String
    package var contents: String

    package init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }
}
