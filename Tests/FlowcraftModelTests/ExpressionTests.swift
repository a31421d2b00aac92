import Foundation
import Testing
@testable import FlowcraftModel

@Suite struct ExpressionParsingTests {
    @Test func parsesPathsWithMembersBracketsAndIndexes() throws {
        let e = try WorkflowExpression("result.output.items[0].total")
        #expect(e.node == .member(.subscripted(.member(.member(.root("result"), "output"), "items"), .literal(.int(0))), "total"))
        #expect(e.referencedRoots == ["result"])
        let p = try #require(e.path)
        #expect(p.root == "result")
        #expect(p.steps == [.member("output"), .member("items"), .index(0), .member("total")])
    }

    @Test func bracketStringKeysAreMembers() throws {
        let e = try WorkflowExpression(#"context["user-id"]"#)
        #expect(e.node == .member(.root("context"), "user-id"))
        #expect(try WorkflowExpression("context['_outputs.fetch-order'].id").node
            == .member(.member(.root("context"), "_outputs.fetch-order"), "id"))
    }

    @Test func acceptsFlowcraftDigitMembers() throws {
        #expect(try WorkflowExpression("items.0").node == .member(.root("items"), "0"))
    }

    @Test func parsesLiterals() throws {
        #expect(try WorkflowExpression("42").node == .literal(.int(42)))
        #expect(try WorkflowExpression("-3").node == .literal(.int(-3)))
        #expect(try WorkflowExpression("2.5e1").node == .literal(.double(25)))
        #expect(try WorkflowExpression("99999999999999999999").node == .literal(.double(1e20)))
        #expect(try WorkflowExpression("true").node == .literal(.bool(true)))
        #expect(try WorkflowExpression("null").node == .literal(.null))
        #expect(try WorkflowExpression("undefined").node == .literal(.null))
        #expect(try WorkflowExpression(#"'it\'s' "#).node == .literal(.string("it's")))
        #expect(try WorkflowExpression(#""a\n\"b\u00e9\ud83d\ude00""#).node == .literal(.string("a\n\"bé😀")))
    }

    @Test func precedenceIsJavaScriptLike() throws {
        let e = try WorkflowExpression("a || b && c == 1 < 2")
        #expect(e.node == .binary(.or, .root("a"),
            .binary(.and, .root("b"), .binary(.equal, .root("c"), .binary(.less, .literal(.int(1)), .literal(.int(2)))))))
        #expect(try WorkflowExpression("!(a || b)").node == .not(.binary(.or, .root("a"), .root("b"))))
        #expect(try WorkflowExpression("a === b").node == .binary(.equal, .root("a"), .root("b")))
        #expect(try WorkflowExpression("a !== b").node == .binary(.notEqual, .root("a"), .root("b")))
        #expect(try WorkflowExpression("a.b && c").referencedRoots == ["a", "c"])
    }

    @Test func descriptionReparsesToTheSameTree() throws {
        for text in ["!a.b[0] && (c['x-y'] >= -2.5 || d != 'q\"')", "-(x)", "!!a", "a[b.c]"] {
            let e = try WorkflowExpression(text)
            #expect(try WorkflowExpression(e.node.description).node == e.node, "\(text)")
        }
    }

    @Test func codableAsText() throws {
        let e = try WorkflowExpression("result.output.ok == true")
        let data = try JSONEncoder().encode(e)
        #expect(String(decoding: data, as: UTF8.self) == #""result.output.ok == true""#)
        #expect(try JSONDecoder().decode(WorkflowExpression.self, from: data) == e)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(WorkflowExpression.self, from: Data(#""a &&""#.utf8)) }
    }

    @Test(arguments: [
        ("", 0, "empty expression"),
        ("a &&", 4, "expected a value"),
        ("a & b", 2, "'&'"),
        ("a = 1", 2, "use '=='"),
        ("(a || b", 7, "expected ')'"),
        ("a)", 1, "unmatched ')'"),
        ("items[0", 7, "expected ']'"),
        ("'abc", 0, "unterminated string"),
        ("'a\\qb'", 2, "unknown escape"),
        ("a.", 2, "member name"),
        ("user-id", 4, "'-' cannot appear"),
        ("ctx.user-id", 8, "'-' cannot appear"),
        ("run()", 3, "function calls"),
        ("12abc", 2, "after a number"),
        ("1e", 1, "exponent"),
        ("é == 1", 0, "expected a value"),
        ("a == é", 5, "expected a value"),
        ("'\\ud800'", 1, "surrogate"),
    ])
    func reportsErrorsWithScalarOffsets(text: String, offset: Int, fragment: String) {
        do {
            _ = try ExpressionParser.parse(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(error.message.contains(fragment), "\(text): \(error)")
        }
    }

    @Test func offsetsCountUnicodeScalarsNotBytes() {
        do {
            _ = try ExpressionParser.parse("'ééé' == ")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 9)
        }
    }

    @Test func hostileNestingIsRejectedWithoutCrashing() {
        let cases = [
            String(repeating: "(", count: 200_000) + "a" + String(repeating: ")", count: 200_000),
            String(repeating: "!", count: 200_000) + "a",
            String(repeating: "-", count: 200_000) + "a",
            "a" + String(repeating: ".b", count: 100_000),
            "a" + String(repeating: "[0]", count: 100_000),
            Array(repeating: "a", count: 100_000).joined(separator: " || "),
            String(repeating: "a[", count: 100_000),
        ]
        for text in cases {
            do {
                _ = try ExpressionParser.parse(text)
                Issue.record("expected an error")
            } catch {
                #expect(error.message.contains("nests too deeply"), "\(error.message)")
            }
        }
        // Exactly at the bound parses.
        let deep = String(repeating: "(", count: ExpressionParser.maximumDepth) + "a"
            + String(repeating: ")", count: ExpressionParser.maximumDepth)
        #expect(throws: Never.self) { try ExpressionParser.parse(deep) }
    }

    @Test func randomGarbageNeverCrashes() {
        var rng = SplitMix(seed: 7)
        let alphabet = Array("ab.[]()'\"\\!&|=<>- 0123456789eu_x".unicodeScalars)
        for _ in 0..<5_000 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int(rng.next() % 24) { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            let text = String(s)
            if let e = try? ExpressionParser.parse(text) {
                _ = e.evaluate(in: ["a": ["b": [1, "x"]], "b": 2] as [String: JSONValue])
            }
        }
    }
}

@Suite struct ExpressionEvaluationTests {
    let scope: [String: JSONValue] = [
        "result": ["output": ["total": 120, "status": "paid", "items": [["sku": "A"], ["sku": "B"]], "ratio": 0.5],
                   "action": "approve"],
        "context": ["user-id": "u1", "_outputs.fetch": ["ok": true], "count": 3],
        "retries": 2,
        "one": 1,
    ]

    func eval(_ text: String) throws -> JSONValue { try WorkflowExpression(text).evaluate(in: scope) }

    @Test func resolvesPaths() throws {
        #expect(try eval("result.output.total") == 120)
        #expect(try eval("result.output.items[1].sku") == "B")
        #expect(try eval("result.output.items.0.sku") == "A")
        #expect(try eval("result.output.items.length") == 2)
        #expect(try eval("result.output.status.length") == 4)
        #expect(try eval(#"context["user-id"]"#) == "u1")
        #expect(try eval(#"context["_outputs.fetch"].ok"#) == true)
        #expect(try eval("result.output.items[one].sku") == "B")
    }

    @Test func missingPathsAreNull() throws {
        #expect(try eval("nothing") == .null)
        #expect(try eval("result.output.missing.deeper[3]") == .null)
        #expect(try eval("result.output.items[9]") == .null)
        #expect(try eval("result.output.items[-1]") == .null)
        #expect(try eval("result.output.total.x") == .null)
        #expect(try eval("result.output.items['x']") == .null)
        #expect(try eval("retries[0]") == .null)
    }

    @Test func comparisonsAreStrictAcrossKinds() throws {
        #expect(try eval("1 == 1.0") == true)
        #expect(try eval("'1' == 1") == false)
        #expect(try eval("0 == false") == false)
        #expect(try eval("nothing == null") == true)
        #expect(try eval("result.output.status == 'paid'") == true)
        #expect(try eval("result.output.total > 100") == true)
        #expect(try eval("result.output.ratio <= 0.5") == true)
        #expect(try eval("retries >= 2.5") == false)
        #expect(try eval("'abc' < 'abd'") == true)
        #expect(try eval("'10' < 9") == false)
        #expect(try eval("null < 1") == false)
        #expect(try eval("result.output.items == result.output.items") == true)
        #expect(try eval("result.output != result") == true)
    }

    @Test func logicUsesTruthinessAndYieldsBooleans() throws {
        #expect(try eval("retries && result.output.status") == true)
        #expect(try eval("nothing || 0") == false)
        #expect(try eval("!nothing") == true)
        #expect(try eval("!result.output.items") == false)
        #expect(try eval("result.action == 'approve' && !(retries > 2)") == true)
    }

    @Test func unaryMinus() throws {
        #expect(try eval("-retries") == -2)
        #expect(try eval("-result.output.ratio") == -0.5)
        #expect(try eval("-result") == .null)
        #expect(ExpressionEvaluator.evaluate(.negate(.literal(.int(Int.min)))) { _ in nil } == .double(9.223372036854775808e18))
    }

    @Test func closureScope() throws {
        let e = try WorkflowExpression("input.n > 1")
        var asked: [String] = []
        let value = e.evaluate { name in
            asked.append(name)
            return name == "input" ? ["n": 2] : nil
        }
        #expect(value == true)
        #expect(asked == ["input"])
        #expect(try WorkflowExpression("a > 1").isSatisfied(in: ["a": 5] as [String: JSONValue]))
    }
}

/// A tiny deterministic generator so the garbage test is reproducible.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
