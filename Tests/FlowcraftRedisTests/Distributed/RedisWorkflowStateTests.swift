import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

@Suite("Redis context", .requiresRedis)
struct RedisWorkflowStateTests {
    @Test("the state hash holds JSON values; plain strings written by other clients read as strings")
    func stateValues() async throws {
        let client = try TestRedis.client()
        let runID = UUID().uuidString
        let state = RedisWorkflowState(runID: runID, client: client)
        try await state.patch(["n": 3, "o": ["a": [1, 2]], "s": "text"])
        _ = try await client.send(["HSET", "workflow:state:\(runID)", "plain", "hello world", "number", "42"])
        #expect(try await state.get("n") == 3)
        #expect(try await state.get("o") == ["a": [1, 2]])
        #expect(try await state.get("s") == "text")
        #expect(try await state.get("plain") == "hello world")
        #expect(try await state.get("number") == 42)
        #expect(try await state.get("missing") == nil)
        try await state.delete("s")
        let snapshot = try await state.snapshot()
        #expect(snapshot["s"] == nil && snapshot["plain"] == "hello world")

        // Buffered: reads see the node's own writes, Redis sees nothing until the commit.
        let buffered = RedisWorkflowState(runID: runID, client: client, mode: .buffered)
        try await buffered.set("n", 4)
        #expect(try await buffered.get("n") == 4)
        #expect(try await state.get(["n"])["n"] == 3)
        #expect(buffered.bufferedChanges().set.map(\.0) == ["n"])
        _ = try await client.send(["DEL", "workflow:state:\(runID)"])
        await client.close()
    }
}
