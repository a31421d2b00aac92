import CLibYAML
import FlowcraftModel

/// Drives libyaml's event loop and assembles the syntax tree on an explicit stack.
struct YAMLTreeBuilder {
    let file: String
    let source: UnsafeBufferPointer<UInt8>
    let limits: YAMLParseLimits

    private(set) var root: YAMLNode?
    private(set) var diagnostics: [Diagnostic] = []

    /// An anchored node with the numbers that bound its expansion.
    private struct Anchored {
        var node: YAMLNode
        /// Logical node count of the subtree (aliases inside counted expanded).
        var size: Int
        /// Collection nesting inside the subtree (0 for a scalar).
        var height: Int
    }

    /// A collection under construction.
    private struct Frame {
        var isMapping: Bool
        var mark: YAMLMark
        var tag: String?
        var anchor: String?
        /// Where this collection's children start in the builder's shared `items`/`entries` stacks.
        var start: Int
        var pendingKey: YAMLNode?
        /// Values of `<<` keys, applied when the mapping ends.
        var merges: [YAMLNode] = []
        /// Scalar key → absolute index in `entries`; built only for large mappings (small ones scan).
        var keyIndex: [String: Int]?
        var size = 1
        var height = 1
    }

    private var stack: [Frame] = []
    /// Children of all open collections, innermost last. A finished collection copies its slice
    /// into an exactly sized array: one allocation per collection, no regrowth, no slack.
    private var items: [YAMLNode] = []
    private var entries: [YAMLMapping.Entry] = []
    private var anchors: [String: Anchored] = [:]
    private var aliasExpansion = 0
    private var documents = 0
    private var stopped = false

    init(file: String, source: UnsafeBufferPointer<UInt8>, limits: YAMLParseLimits) {
        self.file = file
        self.source = source
        self.limits = limits
    }

    mutating func run() {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            error(.yamlSyntax, "the YAML parser could not be initialised (out of memory)", at: YAMLMark(line: 1, column: 1))
            return
        }
        defer { yaml_parser_delete(parser) }
        if let base = source.baseAddress {
            yaml_parser_set_input_string(parser, base, source.count)
        } else {
            // Empty input: libyaml still needs a (valid) buffer.
            var empty: UInt8 = 0
            withUnsafePointer(to: &empty) { yaml_parser_set_input_string(parser, $0, 0) }
        }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)

        var event = yaml_event_t()
        while !stopped {
            guard yaml_parser_parse(parser, &event) != 0 else {
                reportParserError(parser)
                return
            }
            let type = event.type
            handle(&event)
            yaml_event_delete(&event)
            if type == YAML_STREAM_END_EVENT { break }
        }
    }

    // MARK: - Events

    private mutating func handle(_ event: inout yaml_event_t) {
        let mark = Self.mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                error(
                    .yamlSyntax,
                    "a blueprint file holds one YAML document; this second document is not allowed",
                    at: mark)
                stopped = true
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value: String
            if let p = data.value, data.length > 0 {
                value = String(decoding: UnsafeBufferPointer(start: p, count: data.length), as: UTF8.self)
            } else {
                value = ""
            }
            let style = Self.style(data.style)
            let tag = data.tag.map { String(cString: $0) }
            let scalar = YAMLScalar(
                value: value, style: style, tag: tag, mark: mark,
                contentMark: contentMark(style: style, start: event.start_mark))
            let node = YAMLNode.scalar(scalar)
            if let anchor = data.anchor {
                anchors[String(cString: anchor)] = Anchored(node: node, size: 1, height: 0)
            }
            attach(node, size: 1, height: 0, at: mark)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard stack.count < limits.maxDepth else {
                error(.yamlSyntax, "nesting deeper than \(limits.maxDepth) levels", at: mark)
                stopped = true
                return
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let tagPointer = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            let anchorPointer = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            stack.append(Frame(
                isMapping: isMapping, mark: mark,
                tag: tagPointer.map { String(cString: $0) },
                anchor: anchorPointer.map { String(cString: $0) },
                start: isMapping ? entries.count : items.count))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard var frame = stack.popLast() else { return }
            let node: YAMLNode
            if frame.isMapping {
                if frame.pendingKey != nil {
                    // libyaml always pairs keys with values; be defensive anyway.
                    frame.pendingKey = nil
                }
                if !frame.merges.isEmpty { applyMerges(&frame) }
                let own = Array(entries[frame.start...])
                entries.removeSubrange(frame.start...)
                node = .mapping(YAMLMapping(entries: own, mark: frame.mark, tag: frame.tag))
            } else {
                let own = Array(items[frame.start...])
                items.removeSubrange(frame.start...)
                node = .sequence(YAMLSequence(items: own, mark: frame.mark, tag: frame.tag))
            }
            if let anchor = frame.anchor {
                anchors[anchor] = Anchored(node: node, size: frame.size, height: frame.height)
            }
            attach(node, size: frame.size, height: frame.height, at: frame.mark)
        case YAML_ALIAS_EVENT:
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            guard let target = anchors[name] else {
                error(.yamlSyntax, "unknown anchor '\(name)'", at: mark)
                stopped = true
                return
            }
            aliasExpansion += target.size
            if aliasExpansion > limits.maxAliasExpansion {
                error(
                    .yamlSyntax,
                    "aliases expand to more than \(limits.maxAliasExpansion) nodes (an alias bomb?)",
                    at: mark)
                stopped = true
                return
            }
            if stack.count + target.height > limits.maxDepth {
                error(.yamlSyntax, "alias '\(name)' nests deeper than \(limits.maxDepth) levels", at: mark)
                stopped = true
                return
            }
            attach(target.node, size: target.size, height: target.height, at: mark)
        default:
            break
        }
    }

    /// Adds a finished node to the collection being built (or makes it the document root).
    private mutating func attach(_ node: YAMLNode, size: Int, height: Int, at mark: YAMLMark) {
        guard !stack.isEmpty else {
            if root == nil { root = node }
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        if height + 1 > stack[top].height { stack[top].height = height + 1 }
        guard stack[top].isMapping else {
            items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            stack[top].pendingKey = node
            return
        }
        stack[top].pendingKey = nil
        if case .scalar(let k) = key {
            if k.value == "<<" && k.isPlainUntagged {
                stack[top].merges.append(node)
                return
            }
            if let first = firstIndex(ofKey: k.value, in: stack[top]) {
                var diagnostic = Diagnostic.error(
                    .duplicateKey, "duplicate key '\(k.value)'", at: k.mark.location(in: file))
                diagnostic.notes.append(Diagnostic.Note(
                    message: "'\(k.value)' first defined here",
                    location: entries[first].key.mark.location(in: file)))
                diagnostics.append(diagnostic)
                return
            }
            let index = entries.count
            stack[top].keyIndex?[k.value] = index
            if stack[top].keyIndex == nil && index - stack[top].start >= 16 {
                var built: [String: Int] = [:]
                built.reserveCapacity((index - stack[top].start) * 2)
                for i in stack[top].start..<index {
                    if case .scalar(let s) = entries[i].key, built[s.value] == nil { built[s.value] = i }
                }
                built[k.value] = index
                stack[top].keyIndex = built
            }
        }
        entries.append(YAMLMapping.Entry(key: key, value: node))
    }

    private func firstIndex(ofKey key: String, in frame: Frame) -> Int? {
        if let index = frame.keyIndex { return index[key] }
        for i in frame.start..<entries.count {
            if case .scalar(let s) = entries[i].key, s.value == key { return i }
        }
        return nil
    }

    /// Appends the entries of `<<` mappings whose keys the mapping does not already hold.
    private mutating func applyMerges(_ frame: inout Frame) {
        var present = Set<String>()
        present.reserveCapacity(entries.count - frame.start)
        for entry in entries[frame.start...] {
            if case .scalar(let s) = entry.key { present.insert(s.value) }
        }
        func merge(_ node: YAMLNode, into entries: inout [YAMLMapping.Entry], present: inout Set<String>) -> Bool {
            guard case .mapping(let m) = node else { return false }
            for entry in m.entries {
                if case .scalar(let s) = entry.key {
                    guard present.insert(s.value).inserted else { continue }
                }
                entries.append(entry)
            }
            return true
        }
        for value in frame.merges {
            if merge(value, into: &entries, present: &present) { continue }
            if case .sequence(let list) = value,
                list.items.allSatisfy({ if case .mapping = $0 { return true } else { return false } })
            {
                for item in list.items { _ = merge(item, into: &entries, present: &present) }
                continue
            }
            error(.yamlSyntax, "the merge key '<<' takes a mapping or a list of mappings", at: value.mark)
        }
        frame.merges = []
    }

    // MARK: - Marks and errors

    /// libyaml marks are 0-based; columns count characters.
    private static func mark(_ m: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    private static func style(_ s: yaml_scalar_style_t) -> YAMLScalarStyle {
        switch s {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// The first content character: past the opening quote, or on the first non-blank line after a
    /// block scalar's header.
    private func contentMark(style: YAMLScalarStyle, start: yaml_mark_t) -> YAMLMark {
        let base = Self.mark(start)
        switch style {
        case .plain:
            return base
        case .singleQuoted, .doubleQuoted:
            return YAMLMark(line: Int(base.line), column: Int(base.column) + 1)
        case .literal, .folded:
            var i = Int(start.index)
            var line = Int(base.line)
            // Skip the header line (indicators and an optional comment).
            while i < source.count, source[i] != UInt8(ascii: "\n") { i += 1 }
            while i < source.count {
                // At a newline: look at the next line's indentation.
                i += 1
                line += 1
                var column = 1
                while i < source.count, source[i] == UInt8(ascii: " ") {
                    i += 1
                    column += 1
                }
                if i < source.count, source[i] != UInt8(ascii: "\n") && source[i] != UInt8(ascii: "\r") {
                    return YAMLMark(line: line, column: column)
                }
                if i < source.count, source[i] == UInt8(ascii: "\r") { i += 1 }
                if i >= source.count || source[i] != UInt8(ascii: "\n") { break }
            }
            return base
        }
    }

    private mutating func error(_ code: DiagnosticCode, _ message: String, at mark: YAMLMark) {
        diagnostics.append(.error(code, message, at: mark.location(in: file)))
    }

    private mutating func reportParserError(_ parser: UnsafeMutablePointer<yaml_parser_t>) {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
        var mark = Self.mark(p.problem_mark)
        if p.error == YAML_READER_ERROR {
            // Reader errors carry a byte offset, not a line; compute it.
            let (line, column) = UTF8Validation.lineAndColumn(of: Int(p.problem_offset), in: source)
            mark = YAMLMark(line: line, column: column)
        }
        var diagnostic = Diagnostic.error(.yamlSyntax, problem, at: mark.location(in: file))
        if let context = p.context.map({ String(cString: $0) }) {
            diagnostic.notes.append(Diagnostic.Note(
                message: context, location: Self.mark(p.context_mark).location(in: file)))
        }
        diagnostics.append(diagnostic)
    }
}
