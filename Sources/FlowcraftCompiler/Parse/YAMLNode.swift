import FlowcraftModel

/// A 1-based line and column inside one YAML source (the file is known by the caller).
///
/// Kept to two `Int32`s: the syntax tree of a 100 000-node blueprint holds millions of marks.
package struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var line: Int32
    package var column: Int32

    package init(line: Int, column: Int) {
        self.line = Int32(clamping: line)
        self.column = Int32(clamping: column)
    }

    package var description: String { "\(line):\(column)" }

    package static func < (a: YAMLMark, b: YAMLMark) -> Bool { (a.line, a.column) < (b.line, b.column) }

    /// The full location inside `file`.
    package func location(in file: String) -> SourceLocation {
        SourceLocation(file: file, line: Int(line), column: Int(column))
    }
}

/// How a scalar was written; quoting decides whether `123` is a number or a string.
package enum YAMLScalarStyle: UInt8, Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A scalar: its text, how it was written, and an explicit tag when one was given (`!!str 1`).
package struct YAMLScalar: Sendable, Hashable {
    package var value: String
    package var style: YAMLScalarStyle
    /// The explicit tag, expanded (`tag:yaml.org,2002:str`), or `nil` when untagged.
    package var tag: String?
    /// Where the scalar's token starts (the opening quote or the `|`/`>` indicator, if any).
    package var mark: YAMLMark
    /// Where the scalar's content starts: after an opening quote, or the first content line of a
    /// block scalar. Column offsets into the (single-line) value land right from here.
    package var contentMark: YAMLMark

    package init(
        value: String,
        style: YAMLScalarStyle = .plain,
        tag: String? = nil,
        mark: YAMLMark,
        contentMark: YAMLMark? = nil
    ) {
        self.value = value
        self.style = style
        self.tag = tag
        self.mark = mark
        self.contentMark = contentMark ?? mark
    }

    /// `true` for scalars whose type is resolved from their text (plain and untagged).
    package var isPlainUntagged: Bool { style == .plain && tag == nil }
}

/// A sequence (`- a` or `[a, b]`).
package struct YAMLSequence: Sendable, Hashable {
    package var items: [YAMLNode]
    package var mark: YAMLMark
    package var tag: String?

    package init(items: [YAMLNode], mark: YAMLMark, tag: String? = nil) {
        self.items = items
        self.mark = mark
        self.tag = tag
    }
}

/// A mapping, in source order, with merge keys (`<<`) already applied and duplicate keys removed
/// (the first occurrence wins; the parser reports the rest).
package struct YAMLMapping: Sendable, Hashable {
    package struct Entry: Sendable, Hashable {
        package var key: YAMLNode
        package var value: YAMLNode
        package init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    package var entries: [Entry]
    package var mark: YAMLMark
    package var tag: String?

    package init(entries: [Entry], mark: YAMLMark, tag: String? = nil) {
        self.entries = entries
        self.mark = mark
        self.tag = tag
    }

    /// The value under the scalar key `key` (linear scan: blueprint mappings are small).
    package subscript(key: String) -> YAMLNode? {
        for entry in entries {
            if case .scalar(let k) = entry.key, k.value == key { return entry.value }
        }
        return nil
    }
}

/// One node of the YAML syntax tree. Aliases are resolved: an alias shares its anchor's subtree
/// (copy-on-write arrays), so expansion costs no memory; the parser bounds the logical size.
package enum YAMLNode: Sendable, Hashable {
    case scalar(YAMLScalar)
    case sequence(YAMLSequence)
    case mapping(YAMLMapping)

    /// Where the node starts.
    package var mark: YAMLMark {
        switch self {
        case .scalar(let s): return s.mark
        case .sequence(let s): return s.mark
        case .mapping(let m): return m.mark
        }
    }

    /// A short name of the node's kind, for messages ("a mapping", "a list", "a string").
    package var kindDescription: String {
        switch self {
        case .scalar(let s):
            switch s.resolved {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int, .double: return "a number"
            default: return "a string"
            }
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
