import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

private func parse(_ text: String, limits: YAMLParseLimits = .default) -> YAMLParseResult {
    YAMLParser(limits: limits).parse(text, file: "t.yaml")
}

private func mapping(_ node: YAMLNode?) -> YAMLMapping? {
    if case .mapping(let m)? = node { return m }
    return nil
}

private func scalar(_ node: YAMLNode?) -> YAMLScalar? {
    if case .scalar(let s)? = node { return s }
    return nil
}

@Suite("YAML parser")
struct YAMLParserTests {
    @Test func marksAreOneBasedForKeysValuesAndCollections() throws {
        let result = parse("a: 1\nlist:\n  - x\n  - { k: 'v' }\n")
        #expect(result.diagnostics.isEmpty)
        let root = try #require(mapping(result.root))
        #expect(root.mark == YAMLMark(line: 1, column: 1))
        #expect(root.entries[0].key.mark == YAMLMark(line: 1, column: 1))
        #expect(root.entries[0].value.mark == YAMLMark(line: 1, column: 4))
        guard case .sequence(let list)? = root["list"] else { Issue.record("no list"); return }
        #expect(list.mark == YAMLMark(line: 3, column: 3))
        #expect(list.items[0].mark == YAMLMark(line: 3, column: 5))
        let flow = try #require(mapping(list.items[1]))
        #expect(flow.mark == YAMLMark(line: 4, column: 5))
        let v = try #require(scalar(flow["k"]))
        #expect(v.mark == YAMLMark(line: 4, column: 10))
        #expect(v.contentMark == YAMLMark(line: 4, column: 11))
        #expect(v.style == .singleQuoted)
    }

    @Test func blockScalarContentMarkIsFirstContentLine() throws {
        let result = parse("cond: |\n\n    a > 1\n")
        let s = try #require(scalar(mapping(result.root)?["cond"]))
        #expect(s.style == .literal)
        #expect(s.value == "\na > 1\n")
        #expect(s.contentMark == YAMLMark(line: 3, column: 5))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let result = parse("é: \"ü\"\n")
        let root = try #require(mapping(result.root))
        #expect(root.entries[0].value.mark == YAMLMark(line: 1, column: 4))
    }

    @Test func coreSchemaResolution() throws {
        let result = parse("""
            i: 123
            n: -7
            h: 0x1F
            o: 0o17
            f: 1.5
            e: 1e3
            t: true
            F: False
            z: null
            tilde: ~
            empty:
            qs: "123"
            sq: 'true'
            tagged: !!str 42
            word: yes
            ver: 1.2.3
            inf: .inf
            """)
        let root = try #require(mapping(result.root))
        func value(_ key: String) -> JSONValue? { scalar(root[key])?.resolved }
        #expect(value("i") == .int(123))
        #expect(value("n") == .int(-7))
        #expect(value("h") == .int(31))
        #expect(value("o") == .int(15))
        #expect(value("f") == .double(1.5))
        #expect(value("e") == .double(1000))
        #expect(value("t") == .bool(true))
        #expect(value("F") == .bool(false))
        #expect(value("z") == .null)
        #expect(value("tilde") == .null)
        #expect(value("empty") == .null)
        #expect(value("qs") == .string("123"))
        #expect(value("sq") == .string("true"))
        #expect(value("tagged") == .string("42"))
        #expect(value("word") == .string("yes"))
        #expect(value("ver") == .string("1.2.3"))
        #expect(value("inf") == .double(.infinity))
    }

    @Test func anchorsAndAliasesResolve() throws {
        let result = parse("base: &b { x: 1, y: [1, 2] }\ncopy: *b\n")
        #expect(result.diagnostics.isEmpty)
        let root = try #require(mapping(result.root))
        #expect(root["copy"] == root["base"])
    }

    @Test func mergeKeySingleMapAndListWithPrecedence() throws {
        let result = parse("""
            a: &a { x: 1, y: 1 }
            b: &b { y: 2, z: 2 }
            one:
              <<: *a
              x: 9
            many:
              <<: [*b, *a]
              w: 0
            """)
        #expect(result.diagnostics.isEmpty)
        let root = try #require(mapping(result.root))
        let one = try #require(mapping(root["one"]))
        #expect(scalar(one["x"])?.value == "9")
        #expect(scalar(one["y"])?.value == "1")
        #expect(one["<<"] == nil)
        let many = try #require(mapping(root["many"]))
        #expect(scalar(many["y"])?.value == "2")  // earlier merged mapping wins
        #expect(scalar(many["x"])?.value == "1")
        #expect(scalar(many["z"])?.value == "2")
        #expect(scalar(many["w"])?.value == "0")
        #expect(many.entries.count == 4)
    }

    @Test func badMergeValueIsReported() {
        let result = parse("m:\n  <<: 3\n  a: 1\n")
        #expect(result.diagnostics.map(\.code) == [.yamlSyntax])
        #expect(result.root != nil)
    }

    @Test func duplicateKeyHasNoteAtFirstAndKeepsFirst() throws {
        let result = parse("a: 1\nb: 2\na: 3\n")
        let d = try #require(result.diagnostics.first)
        #expect(d.code == .duplicateKey)
        #expect(d.location == SourceLocation(file: "t.yaml", line: 3, column: 1))
        #expect(d.notes.first?.location == SourceLocation(file: "t.yaml", line: 1, column: 1))
        #expect(scalar(mapping(result.root)?["a"])?.value == "1")
    }

    @Test func duplicateKeyInLargeMappingUsesIndex() throws {
        var text = ""
        for i in 0..<100 { text += "k\(i): \(i)\n" }
        text += "k42: again\n"
        let result = parse(text)
        #expect(result.diagnostics.map(\.code) == [.duplicateKey])
        #expect(result.diagnostics.first?.location?.line == 101)
        #expect(result.diagnostics.first?.notes.first?.location?.line == 43)
    }

    @Test func billionLaughsStopsAtTheBudget() throws {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...12 {
            let refs = Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        let result = parse(text)
        #expect(result.root == nil)
        let d = try #require(result.diagnostics.first)
        #expect(d.code == .yamlSyntax)
        #expect(d.message.contains("alias"))
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let text = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        let result = parse(text)
        #expect(result.root == nil)
        let d = try #require(result.diagnostics.first)
        #expect(d.code == .yamlSyntax)
        #expect(d.message.contains("nesting"))
    }

    @Test func nestingThroughAliasesIsBounded() throws {
        let limits = YAMLParseLimits(maxDepth: 10)
        let deep = String(repeating: "[", count: 6) + "x" + String(repeating: "]", count: 6)
        let result = parse("a: &a \(deep)\nb: [[[[[*a]]]]]\n", limits: limits)
        #expect(result.diagnostics.first?.code == .yamlSyntax)
    }

    @Test func oversizedInputIsRejectedBeforeParsing() {
        let limits = YAMLParseLimits(maxInputBytes: 1024)
        let result = parse(String(repeating: "a: b\n", count: 1000), limits: limits)
        #expect(result.diagnostics.map(\.code) == [.inputTooLarge])
        #expect(result.root == nil)
    }

    @Test func nonUTF8IsAnEncodingErrorWithPosition() throws {
        let bytes: [UInt8] = Array("a: 1\nb: x".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        let result = bytes.withUnsafeBufferPointer { YAMLParser().parse(bytes: $0, file: "t.yaml") }
        let d = try #require(result.diagnostics.first)
        #expect(d.code == .invalidEncoding)
        #expect(d.location == SourceLocation(file: "t.yaml", line: 2, column: 5))
    }

    @Test func overlongAndSurrogateSequencesAreInvalid() {
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let result = bad.withUnsafeBufferPointer { YAMLParser().parse(bytes: $0, file: "t") }
            #expect(result.diagnostics.first?.code == .invalidEncoding)
        }
    }

    @Test func syntaxErrorCarriesLibYAMLPosition() throws {
        let result = parse("a: 1\nb: [1, 2\nc: 3\n")
        let d = try #require(result.diagnostics.first)
        #expect(d.code == .yamlSyntax)
        #expect(d.location?.line ?? 0 >= 2)
        #expect(result.root == nil)
    }

    @Test func secondDocumentIsAnErrorAndFirstIsKept() throws {
        let result = parse("a: 1\n---\nb: 2\n")
        #expect(result.diagnostics.map(\.code) == [.yamlSyntax])
        #expect(result.diagnostics.first?.location?.line == 2)
        #expect(scalar(mapping(result.root)?["a"])?.value == "1")
    }

    @Test func unknownAliasIsAnError() {
        let result = parse("a: *nope\n")
        #expect(result.diagnostics.first?.code == .yamlSyntax)
        #expect(result.diagnostics.first?.message.contains("nope") == true)
    }

    @Test func jsonIsYAML() throws {
        let result = parse(#"{"id": "j", "nodes": [{"id": "a", "uses": "x", "params": {"n": 1.5, "s": "1"}}], "edges": []}"#)
        #expect(result.diagnostics.isEmpty)
        let root = try #require(mapping(result.root))
        #expect(scalar(root["id"])?.value == "j")
    }

    @Test("a UTF-8 byte-order mark at the start is skipped; marks count from the character after it")
    func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id: bom\nnodes: [x]\n".utf8)
        let result = bytes.withUnsafeBufferPointer { YAMLParser().parse(bytes: $0, file: "t.yaml") }
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let root = try #require(mapping(result.root))
        #expect(root.entries[0].key.mark == YAMLMark(line: 1, column: 1))
        #expect(scalar(root["id"])?.value == "bom")
        #expect(scalar(root["id"])?.mark == YAMLMark(line: 1, column: 5))
        #expect(root.entries[1].key.mark == YAMLMark(line: 2, column: 1))
        // The String entry point too (a BOM decoded into U+FEFF).
        let text = parse("\u{FEFF}a: 1\nb: [1, 2\n")
        #expect(text.diagnostics.first?.code == .yamlSyntax)
        #expect(text.diagnostics.first?.location?.line ?? 0 >= 2)
    }

    @Test func emptyInputHasNoRootAndNoError() {
        let result = parse("")
        #expect(result.root == nil)
        #expect(result.diagnostics.isEmpty)
    }
}
