import Flowcraft
import Foundation
import Hummingbird
import Testing

@testable import FlowcraftDashboard

/// A store that goes away shows a banner (503) and the next request after it returns recovers.
@Suite struct DashboardAvailabilityTests {
    @Test func unreachableHistoryShowsABannerAndRecovers() async throws {
        let history = InMemoryRunHistory()
        SampleRuns.fill(history)
        let configuration = DashboardConfiguration(history: history, readTimeout: .milliseconds(300))
        try await Dashboard(configuration: configuration).router().test { client in
            history.set(mode: .failing)
            let down = try await client.execute(uri: "/runs", method: .get)
            #expect(down.status == .serviceUnavailable)
            let page = String(buffer: down.body)
            #expect(page.contains("id=\"banner\""))
            #expect(page.contains("connection refused (fake)"))
            let api = try await client.execute(uri: "/api/runs/run-failed", method: .get)
            #expect(api.status == .serviceUnavailable)

            // A source that never answers: the page gives up at its deadline and says so.
            history.set(mode: .hanging)
            let hung = try await client.execute(uri: "/runs/run-failed", method: .get)
            #expect(hung.status == .serviceUnavailable)
            #expect(String(buffer: hung.body).contains("did not answer within"))

            history.set(mode: .normal)
            let back = try await client.execute(uri: "/runs", method: .get)
            #expect(back.status == .ok)
            #expect(!String(buffer: back.body).contains("id=\"banner\""))
        }
    }

    @Test func unreachableQueueShowsABanner() async throws {
        struct DownQueues: DashboardQueueSource {
            var queueNames: [String] { ["q"] }
            func snapshot(of queue: String) async throws -> DashboardQueueSnapshot {
                throw InMemoryRunHistory.Unreachable()
            }
        }
        let configuration = DashboardConfiguration(history: InMemoryRunHistory(), queues: DownQueues())
        try await Dashboard(configuration: configuration).router().test { client in
            let page = try await client.execute(uri: "/queues", method: .get)
            #expect(page.status == .serviceUnavailable)
            #expect(String(buffer: page.body).contains("id=\"banner\""))
            let live = try await client.execute(uri: "/queues/live", method: .get)
            #expect(String(buffer: live.body).contains("id=\"banner\""))
            let api = try await client.execute(uri: "/api/queues", method: .get)
            #expect(api.status == .serviceUnavailable)
        }
    }
}
