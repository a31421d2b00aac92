import Testing

@testable import FlowcraftCompiler

@Suite("Rendering Swift descriptions")
struct SwiftRendererTests {
    @Test func stringLiteralsEscapeEverythingThatCouldBreakOut() {
        let literal = SwiftLiteralEscaping.stringLiteral("a\"b\\(c)\nd\u{0}\u{2028}")
        #expect(literal == #""a\"b\\(c)\nd\0\u{2028}""#)
    }

    @Test func doublesRoundTrip() {
        #expect(SwiftLiteralEscaping.doubleLiteral(5) == "5.0")
        #expect(SwiftLiteralEscaping.doubleLiteral(.infinity) == "Double.infinity")
        #expect(SwiftLiteralEscaping.doubleLiteral(-.infinity) == "-Double.infinity")
        #expect(SwiftLiteralEscaping.doubleLiteral(.nan) == "Double.nan")
    }

    @Test func rendersAStructWithFixedIndentation() {
        let file = SwiftFileDescription(
            headerComment: ["Generated."], imports: ["Flowcraft"],
            declarations: [
                .structure(StructDescription(
                    doc: "A point.", access: .public, name: "Point", conformances: ["Sendable"],
                    members: [
                        .variable(VariableDescription(access: .public, isMutable: true, name: "x", type: "Int")),
                        .variable(VariableDescription(access: .public, isMutable: true, name: "y", type: "Int")),
                        .function(FunctionDescription(
                            access: .public, kind: .initializer,
                            parameters: [ParameterDescription(name: "x", type: "Int"), ParameterDescription(name: "y", type: "Int")],
                            body: [.line("self.x = x"), .line("self.y = y")])),
                    ]))
            ])
        let expected = """
            // Generated.

            import Flowcraft

            /// A point.
            public struct Point: Sendable {
                public var x: Int
                public var y: Int

                public init(x: Int, y: Int) {
                    self.x = x
                    self.y = y
                }
            }

            """
        #expect(SwiftRenderer().render(file) == expected)
    }

    @Test func wrapsLongCallsOneArgumentPerLine() {
        let call = SwiftExpression.call("NodeDefinition", [
            .init("id", .string(String(repeating: "a", count: 60))),
            .init("uses", .string(String(repeating: "b", count: 60))),
        ])
        let file = SwiftFileDescription(declarations: [
            .function(FunctionDescription(kind: .function(name: "f"), body: [.expression(.call("nodes.append", [.init(nil, call)]))]))
        ])
        let text = SwiftRenderer().render(file)
        #expect(text.contains("    nodes.append(NodeDefinition(\n        id: \""))
        #expect(text.contains("\n    ))\n"))
    }

    @Test func emptyTypesAndDictionariesStayWellFormed() {
        let file = SwiftFileDescription(declarations: [
            .enumeration(EnumDescription(name: "Empty")),
            .variable(VariableDescription(name: "d", type: "[String: Int]", initializer: .dictionary([]))),
        ])
        #expect(SwiftRenderer().render(file) == "enum Empty {}\n\nlet d: [String: Int] = [:]\n")
    }
}
