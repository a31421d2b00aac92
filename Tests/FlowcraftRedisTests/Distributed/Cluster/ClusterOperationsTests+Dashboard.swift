import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `flowcraft dashboard` against the cluster: its JSON API and pages, and its actions on runs of
/// shards other than 0.
extension ClusterOperationsTests {
    struct QueuesResponse: Decodable {
        struct Queue: Decodable {
            var name: String
            var waiting: Int
            var active: Int
            var failed: Int
            var completed: Int
            var workers: [String]
            var shardOf: String?
        }
        var queues: [Queue]
    }

    struct RunDetail: Decodable {
        var run: RunSummary
        var nodeStates: [String: String]
        var waitingNodes: [String]
    }

    @Test("the dashboard lists every shard queue with its counts and workers, the runs of every shard newest first, a run's graph states, and resumes, cancels and redrives runs of shards other than 0")
    func dashboardAcrossShards() async throws {
        let cluster = try Self.cluster()
        let fixture = try ClusterOperationsWorkers()
        let queue = DistributedTestSupport.uniqueQueue("cluster-dash")
        let shards = QueueShards(queueName: queue, layout: Self.layout)
        try await fixture.withWorkers(queue: queue, layout: Self.layout, configuration: try cluster.configuration()) { workflows, _ in
            var diamonds: [String] = []
            for index in 0..<8 {
                diamonds.append(try await workflows.startWorkflow(blueprintID: "ops-diamond", runID: "dash-\(index)"))
            }
            let toResume = try await workflows.startWorkflow(
                blueprintID: "ops-gate", runID: ClusterOperationsWorkers.baseID("dash-resume", shards: shards))
            let toCancel = try await workflows.startWorkflow(
                blueprintID: "ops-gate", runID: ClusterOperationsWorkers.baseID("dash-cancel", shards: shards))
            let toRedrive = try await workflows.startWorkflow(
                blueprintID: "ops-chain", runID: ClusterOperationsWorkers.baseID("dash-redrive", shards: shards))
            for runID in diamonds { #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .completed) }
            #expect(try await workflows.result(toResume, timeout: .seconds(30)).status == .awaiting)
            #expect(try await workflows.result(toCancel, timeout: .seconds(30)).status == .awaiting)
            #expect(try await workflows.result(toRedrive, timeout: .seconds(30)).status == .failed)
            for runID in [toResume, toCancel, toRedrive] { #expect((shards.shard(ofRunID: runID) ?? 0) != 0) }
            let all = diamonds + [toResume, toCancel, toRedrive]

            let token = "cluster-ops-token"
            let dashboard = try await ClusterCommandLine.Dashboard.start(
                ["--redis", cluster.url, "--queue", queue, "--blueprints", fixture.directory, "--token", token])
            do {
                let base = dashboard.baseURL
                // Queues: every shard queue, its counts, both workers.
                let queues = try JSONDecoder().decode(QueuesResponse.self, from: try await Self.get(base + "api/queues")).queues
                #expect(queues.map(\.name) == shards.queueNames, "\(queues.map(\.name))")
                for shardQueue in queues {
                    #expect(shardQueue.workers == ["ops-w1", "ops-w2"], "\(shardQueue.name): workers \(shardQueue.workers)")
                }
                // At least the diamonds' 32 node jobs completed, spread over the shards.
                #expect(queues.map(\.completed).reduce(0, +) >= 32, "\(queues.map(\.completed))")
                #expect(queues.filter { $0.completed > 0 }.count >= 3)
                #expect(queues.allSatisfy { $0.shardOf == queue }, "\(queues.map(\.shardOf))")
                // The page groups the shards under the logical queue, with totals and both workers.
                let queuesPage = String(decoding: try await Self.get(base + "queues"), as: UTF8.self)
                #expect(queuesPage.contains("data-queue-group=\"\(queue)\"><h2>\(queue) <span class=\"muted\">(4 shards)</span>"))
                let total = queues.map(\.completed).reduce(0, +)
                #expect(queuesPage.contains("<div data-count=\"completed\"><b>\(total)</b>completed</div>"), "no total of \(total)")
                #expect(queuesPage.contains("Workers connected (2): <code>ops-w1</code>, <code>ops-w2</code>"))
                for name in shards.queueNames {
                    #expect(queuesPage.contains("data-queue=\"\(name)\""), "queues page lacks \(name)")
                }

                // Runs: every shard's, newest first.
                let runs = try JSONDecoder().decode(RunsPage.self, from: try await Self.get(base + "api/runs?limit=100")).runs
                #expect(runs.map(\.runID).sorted() == all.sorted(), "\(runs.map(\.runID))")
                #expect(runs.map(\.startedAt) == runs.map(\.startedAt).sorted(by: >))
                let runsPage = String(decoding: try await Self.get(base + "runs"), as: UTF8.self)
                for runID in all { #expect(runsPage.contains(HTMLText.escape(runID)), "runs page lacks \(runID)") }

                // A run's detail: its graph's node states (API) and its page.
                let diamond = try JSONDecoder().decode(RunDetail.self, from: try await Self.get(base + "api/runs/" + Self.component(diamonds[0])))
                #expect(diamond.nodeStates == ["a": "completed", "b": "completed", "c": "completed", "d": "completed"], "\(diamond.nodeStates)")
                let gate = try JSONDecoder().decode(RunDetail.self, from: try await Self.get(base + "api/runs/" + Self.component(toResume)))
                #expect(gate.waitingNodes == ["ask"], "\(gate)")
                let detailPage = String(decoding: try await Self.get(base + "runs/" + Self.component(toRedrive)), as: UTF8.self)
                #expect(detailPage.contains("<svg") && detailPage.contains("charge"))

                // Actions on shards other than 0.
                try await Self.post(base + "api/runs/" + Self.component(toResume) + "/resume", form: "node=ask", token: token)
                #expect(try await workflows.result(toResume, timeout: .seconds(30)).status == .completed)
                try await Self.post(base + "api/runs/" + Self.component(toCancel) + "/cancel", form: "", token: token)
                #expect(try await workflows.result(toCancel, timeout: .seconds(30)).status == .cancelled)
                try await Self.post(base + "api/runs/" + Self.component(toRedrive) + "/redrive", form: "", token: token)
                #expect(try await workflows.result(toRedrive, timeout: .seconds(30)).status == .completed)
                let after = try JSONDecoder().decode(RunsPage.self, from: try await Self.get(base + "api/runs?status=completed&limit=100"))
                #expect(after.runs.count == diamonds.count + 2, "\(after.runs.map(\.runID))")
            } catch {
                await dashboard.stop()
                throw error
            }
            await dashboard.stop()
        }
    }

    /// A run id as one URL path segment.
    static func component(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func get(_ url: String) async throws -> Data {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "GET \(url): \(String(decoding: data, as: UTF8.self))")
        return data
    }

    static func post(_ url: String, form: String, token: String) async throws {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(form.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "POST \(url): \(String(decoding: data, as: UTF8.self))")
    }
}

/// The HTML escaping the dashboard's pages use for text (enough for run ids).
enum HTMLText {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
