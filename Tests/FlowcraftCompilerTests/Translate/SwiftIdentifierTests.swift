import Testing

@testable import FlowcraftCompiler

@Suite("Swift identifiers for blueprint keys")
struct SwiftIdentifierTests {
    @Test(arguments: [
        ("llm-process", "LlmProcess", "llmProcess"),
        ("order", "Order", "order"),
        ("send_email", "SendEmail", "sendEmail"),
        ("HTTPRequest", "HTTPRequest", "httpRequest"),
        ("URL", "URL", "url"),
        ("class", "Class", "`class`"),
        ("default", "Default", "`default`"),
        ("2fa", "_2fa", "_2fa"),
        ("größe-prüfen", "GrößePrüfen", "größePrüfen"),
        ("self", "Self_", "self_"),
        ("init", "Init", "init_"),
        ("a.b/c d", "ABCD", "aBCD"),
    ])
    func names(key: String, type: String, member: String) {
        #expect(SwiftIdentifier.typeName(key) == type)
        #expect(SwiftIdentifier.memberName(key) == member)
    }

    @Test func symbolsAreSpelledOutDeterministically() {
        #expect(SwiftIdentifier.typeName("🚀-launch") == "U1F680Launch")
        #expect(SwiftIdentifier.memberName("🚀") == "u1F680")
        #expect(SwiftIdentifier.typeName("🚀") != SwiftIdentifier.typeName("🛸"))
    }

    @Test func emptyAndPunctuationOnlyKeysStillGiveIdentifiers() {
        #expect(SwiftIdentifier.typeName("") == "__")
        #expect(SwiftIdentifier.memberName("---") == "__")
    }

    @Test func reservedTypeNamesAreSuffixed() {
        #expect(SwiftIdentifier.typeName("result") == "Result_")
        #expect(SwiftIdentifier.typeName("JSONValue") == "JSONValue_")
    }

    @Test func scopeReportsDistinctKeysWithTheSameName() {
        var scope = IdentifierScope("type name")
        let first = scope.claim("LlmProcess", key: "llm-process", what: "implementation", at: nil)
        let again = scope.claim("LlmProcess", key: "llm-process", what: "implementation", at: nil)
        let other = scope.claim("LlmProcess", key: "llm_process", what: "implementation", at: nil)
        #expect(first && again && !other)
        #expect(scope.diagnostics.map(\.code) == [.identifierCollision])
    }
}
