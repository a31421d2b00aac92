import Foundation
import Testing
@testable import FlowcraftModel

@Suite struct JSONValueTests {
    @Test func roundTripsIntegersAndDoubles() throws {
        let value: JSONValue = ["a": 3, "b": 2.5, "c": [true, nil, "x"]]
        let data = try JSONEncoder().encode(value)
        let back = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(back == value)
        #expect(back["a"] == .int(3))
    }

    @Test func descriptionIsJSON() {
        #expect("\(JSONValue.int(2))" == "2")
        #expect(String(describing: JSONValue.string("a\"b")) == #""a\"b""#)
        #expect("\(["b": [true, nil], "a": 1.5] as JSONValue)" == #"{"a":1.5,"b":[true,null]}"#)
    }

    @Test func truthinessFollowsJavaScript() {
        #expect(!JSONValue.int(0).isTruthy)
        #expect(!JSONValue.string("").isTruthy)
        #expect(JSONValue.array([]).isTruthy)
    }

    @Test func parsesTypeReferences() throws {
        #expect(try TypeReference.parse("[String: Order]?").get() == .optional(.dictionary(.named("Order"))))
        #expect(try TypeReference.parse("[Int]").get() == .array(.int))
        guard case .failure(let e) = TypeReference.parse("[Int") else {
            Issue.record("expected failure"); return
        }
        #expect(e.offset == 4)
    }
}
