import FlowcraftModel
@testable import FlowcraftRedis
import Testing

/// Lua errors do not roll back earlier writes, so every script must reject bad arguments before it
/// writes anything.
@Suite("Queue script argument validation", .requiresRedis)
struct QueueScriptValidationTests {
    private func keysSnapshot(_ client: RedisClient, _ queue: String) async throws -> [String] {
        let reply = try await client.send(["KEYS", "bull:\(queue):*"])
        return (reply.array ?? []).compactMap(\.string).sorted()
    }

    @Test("addJob with a non-numeric priority errors and writes nothing")
    func addJobRejects() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("vadd")
        let keys = QueueKeys(prefix: "bull", queueName: name)
        await #expect(throws: RedisError.self) {
            _ = try await client.evalScript(
                QueueScript.addJob,
                keys: [keys.wait, keys.meta, keys.id, keys.delayed, keys.prioritized, keys.priorityCounter,
                       keys.marker, keys.events, keys.active],
                arguments: [keys.base, "", "n", "{}", "{}", "1", "0", "high", "0", "10000", "", "0"])
        }
        #expect(try await keysSnapshot(client, name).isEmpty)
        await client.close()
    }

    @Test("moveToFinished with an unknown target errors and leaves the job active")
    func finishRejects() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("vfin")
        let queue = try Queue(name: name, client: client)
        let keys = QueueKeys(prefix: "bull", queueName: name)
        let id = try await queue.add(name: "n", data: nil)
        _ = try await client.evalScript(
            QueueScript.moveToActive, keys: keys.fetchKeys, arguments: [keys.base, "tok", "30000", "1", "w"])
        #expect(try await queue.getState(id) == .active)
        let before = try await keysSnapshot(client, name)
        await #expect(throws: RedisError.self) {
            _ = try await client.evalScript(
                QueueScript.moveToFinished, keys: keys.fetchKeys + [keys.completed],
                arguments: [keys.base, id, "tok", "2", "archived", "null", "", "-1", "0", "0", "0", "", "30000", "w", "", "0"])
        }
        #expect(try await queue.getState(id) == .active)
        #expect(try await keysSnapshot(client, name) == before)
        #expect(try await client.send(["GET", "bull:\(name):\(id):lock"]).string == "tok")
        await client.close()
    }

    @Test("moveToFinished with a wrong token reports −6 and changes nothing")
    func finishWrongToken() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("vtok")
        let queue = try Queue(name: name, client: client)
        let keys = QueueKeys(prefix: "bull", queueName: name)
        let id = try await queue.add(name: "n", data: nil)
        _ = try await client.evalScript(
            QueueScript.moveToActive, keys: keys.fetchKeys, arguments: [keys.base, "tok", "30000", "1", "w"])
        let reply = try await client.evalScript(
            QueueScript.moveToFinished, keys: keys.fetchKeys + [keys.completed],
            arguments: [keys.base, id, "other", "2", "completed", "null", "", "-1", "0", "0", "0", "", "30000", "w", "", "0"])
        #expect(reply.array?.first?.int == -6)
        #expect(try await queue.getState(id) == .active)
        await client.close()
    }
}
