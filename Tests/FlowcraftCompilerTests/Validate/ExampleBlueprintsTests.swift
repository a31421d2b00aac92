import Foundation
import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

@Suite("Example blueprints")
struct ExampleBlueprintsTests {
    static var blueprintsDirectory: String {
        // Tests/FlowcraftCompilerTests/Validate/<this file> → repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Blueprints")
            .resolvingSymlinksInPath().path
    }

    @Test func validateCleanWithoutWarnings() {
        let result = BlueprintCompiler().compile(paths: [Self.blueprintsDirectory])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description).joined(separator: "\n"))")
        let ids = Set(result.blueprints.map(\.id))
        #expect(ids.isSuperset(of: ["order-fulfillment", "content-moderation", "moderation-review", "polling-loop", "article-digest"]))
    }

    @Test func analysesDescribeTheExamples() throws {
        let result = BlueprintCompiler().compile(paths: [Self.blueprintsDirectory])
        func analysis(_ id: String) throws -> BlueprintAnalysis {
            let index = try #require(result.blueprints.firstIndex { $0.id == id })
            return result.analyses[index]
        }
        let order = try analysis("order-fulfillment")
        #expect(order.startNodes == ["validate"])
        #expect(order.joins.map(\.node) == ["ship"])
        #expect(order.isAcyclic)
        // The fallback-only `manual-payment` runs in `charge`'s place: its level, and not a terminal node.
        #expect(order.levels == [["validate"], ["reserve", "charge", "manual-payment", "reject"], ["ship"], ["notify"]])
        #expect(order.terminalNodes == ["notify", "reject"])
        let loop = try analysis("polling-loop")
        #expect(loop.cycles == [["check-status", "poll", "pause"]])
        let moderation = try analysis("content-moderation")
        #expect(moderation.exclusiveJoins.isEmpty)  // the join after triage is an `any` join
        #expect(moderation.joins.map(\.node) == ["triage", "record"])
    }
}
