@testable import Flowcraft
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// A resume that meets a run key someone set to another Redis type. Before: the commit script failed
/// part-way (its earlier writes kept) with a bare `WRONGTYPE` reply and the run stayed `awaiting`
/// for ever; a wrong-typed run hash or awaiting set read as "unknown run" / "no awaiting node".
@Suite("Distributed resume of a run with a wrong-typed key", .requiresRedis)
struct ResumeWrongTypeTests {
    /// Runs `body` with an awaiting run whose key `key(keys)` now holds a string.
    static func withBrokenRun(
        _ key: @escaping @Sendable (DistributedKeys) -> String,
        _ body: @escaping @Sendable (WorkflowClient, RedisClient, String, String) async throws -> Void
    ) async throws {
        try await DistributedTestSupport.withWorker(
            blueprints: [ResumeRefusalTests.approval], registry: ScenarioBuilding.registry(ScenarioProbe()),
            queue: DistributedTestSupport.uniqueQueue("resume-wrongtype")
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "approval")
            #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .awaiting)
            let broken = key(DistributedKeys(runID: runID))
            _ = try await client.send(["DEL", broken])
            _ = try await client.send(["SET", broken, "oops"])
            try await body(workflows, client, runID, broken)
        }
    }

    /// The commit meets the key: the run ends `failed` with a reason naming it, and the resume says so.
    @Test(arguments: ["state", "history", "pending", "done"])
    func commitMeetingAWrongTypedKeyFailsTheRun(which: String) async throws {
        try await Self.withBrokenRun({ keys in
            switch which {
            case "state": keys.state
            case "history": keys.history
            case "pending": keys.pending
            default: keys.done
            }
        }) { workflows, _, runID, broken in
            var thrown = ""
            do { try await workflows.resume(runID, action: "approve") } catch { thrown = "\(error)" }
            #expect(thrown.hasPrefix("the run ended failed: run '\(runID)': node 'ask' could not commit: '\(broken)' (string, not "), "\(thrown)")
            #expect(thrown.hasSuffix("holds the wrong Redis type"), "\(thrown)")
            let status = try await workflows.result(runID, timeout: .seconds(10))
            #expect(status.status == .failed)
            #expect(status.reason?.contains("'\(broken)' (string, not ") == true, "\(status.reason ?? "-")")
        }
    }

    /// What resume reads first (the run hash, the awaiting set) is named, and nothing is written.
    @Test(arguments: ["run", "awaiting"])
    func unreadableRunIsNamedAndLeftAlone(which: String) async throws {
        try await Self.withBrokenRun({ keys in which == "run" ? keys.run : keys.awaiting }) { workflows, client, runID, broken in
            let state = try await client.send(["HGETALL", DistributedKeys(runID: runID).state]).array?.count
            var thrown = ""
            do { try await workflows.resume(runID, action: "approve") } catch { thrown = "\(error)" }
            #expect(thrown.hasPrefix("run '\(runID)' cannot be resumed: '\(broken)' cannot be read: WRONGTYPE"), "\(thrown)")
            #expect(try await client.send(["GET", broken]).string == "oops")
            #expect(try await client.send(["HGETALL", DistributedKeys(runID: runID).state]).array?.count == state)
        }
    }
}
