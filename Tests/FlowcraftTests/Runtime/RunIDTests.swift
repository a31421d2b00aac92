import Testing

@testable import Flowcraft

@Suite("In-memory run ids")
struct RunIDTests {
    @Test func base62DigitsInOrder() {
        #expect(FlowRuntime.base62(0, width: 3) == "000")
        #expect(FlowRuntime.base62(9, width: 1) == "9")
        #expect(FlowRuntime.base62(10, width: 1) == "A")
        #expect(FlowRuntime.base62(35, width: 1) == "Z")
        #expect(FlowRuntime.base62(36, width: 1) == "a")
        #expect(FlowRuntime.base62(61, width: 1) == "z")
        #expect(FlowRuntime.base62(62, width: 1) == "10")
        #expect(FlowRuntime.base62(UInt64.max, width: 7) == "LygHa16AHYF")  // 11 digits: wider than asked
    }

    /// 15 characters (a Swift string stored inline), distinct, and sorting in the order made.
    @Test func idsAreShortUniqueAndOrdered() {
        let ids = (0..<2_000).map { _ in FlowRuntime.makeRunID() }
        #expect(ids.allSatisfy { $0.utf8.count == 15 })
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(Set(ids.map { $0.prefix(8) }).count == 1)
        let alphabet = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        #expect(ids.allSatisfy { $0.allSatisfy(alphabet.contains) })
    }

    @Test func runsGetDistinctIDs() async throws {
        let runtime = try FlowRuntime(
            blueprints: [WorkflowBlueprint(id: "one", nodes: [NodeDefinition(id: "a", uses: "noop")])],
            registry: { var r = NodeRegistry(); r.register("noop") { _ in NodeResult() }; return r }())
        let first = try await runtime.run("one").runID
        let second = try await runtime.run("one").runID
        #expect(first != second && first.utf8.count == 15 && first < second)
    }
}
