@testable import FlowcraftRedis
import Testing

/// `String.replacingColons()`, which makes job ids of node instances and subflow links (a job id may
/// not contain ':'): it works on bytes, so no ':' survives, whatever follows it.
@Suite("Replacing colons in job ids")
struct ReplacingColonsTests {
    @Test("every ':' becomes '_'")
    func plainColons() {
        #expect("a:b".replacingColons() == "a_b")
        #expect("::a::".replacingColons() == "__a__")
        #expect(!"run:1/node:x#0".replacingColons().utf8.contains(UInt8(ascii: ":")))
    }

    @Test("a ':' followed by a combining mark (one Character with it) is replaced too")
    func colonWithCombiningMark() {
        let replaced = "x:\u{301}".replacingColons()
        #expect(!replaced.utf8.contains(UInt8(ascii: ":")), "\(Array(replaced.utf8))")
        #expect(Array(replaced.utf8) == Array("x_\u{301}".utf8))
    }

    @Test("a string without colons is returned unchanged", arguments: ["", "abc", "run-1/node#0", "é\u{301}ü 日本"])
    func noColons(_ text: String) {
        #expect(text.replacingColons() == text)
        #expect(Array(text.replacingColons().utf8) == Array(text.utf8))
    }
}
