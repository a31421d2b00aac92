@testable import FlowcraftModel
import Testing

@Suite("JSON text of job fields")
struct JSONTextTests {
    @Test("parses every JSON kind and keeps integers apart from doubles")
    func parsesKinds() throws {
        let value = try JSONText.parse(#" {"a": [1, -2.5, true, false, null], "s": "x\"\\\n\u00e9\ud83d\ude00", "e": 1e3} "#)
        #expect(value["a"] == [1, -2.5, true, false, nil])
        #expect(value["s"] == "x\"\\\né😀")
        #expect(value["e"] == .double(1000))
    }

    @Test("round-trips through serialize with sorted keys")
    func roundTrips() throws {
        let value: JSONValue = ["b": [1, 2], "a": "tab\tquote\"", "c": ["nested": nil], "d": 0.5]
        let text = JSONText.serialize(value)
        #expect(text == #"{"a":"tab\tquote\"","b":[1,2],"c":{"nested":null},"d":0.5}"#)
        #expect(try JSONText.parse(text) == value)
    }

    @Test("rejects malformed text with an offset", arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "1 2", "\"\\x\"", "{'a':1}"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONText.ParseError.self) { try JSONText.parse(text) }
    }
}
