import Flowcraft
import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import FlowcraftDashboard

/// Every endpoint through the in-process router client (``RouterTestClient``): pages, the JSON API and
/// the actions, with good and bad input (bad input is a clear 4xx, never a 500).
@Suite struct DashboardHTTPTests {
    let history = InMemoryRunHistory()
    let actions = RecordingActions()

    init() {
        SampleRuns.fill(history)
    }

    func app(
        token: String? = nil, basePath: String = "", actions: (any DashboardRunActions)? = nil, allowedHosts: Set<String>? = nil
    ) -> Router<BasicRequestContext> {
        let queues = FixedQueues(snapshots: [
            DashboardQueueSnapshot(
                name: "flowcraft-queue", waiting: 3, active: 1, delayed: 2, prioritized: 0, failed: 4, completed: 9,
                workers: ["worker-a", "worker-b"],
                throughput: [ThroughputBucket(start: SampleRuns.base, completed: 5, failed: 1)])
        ])
        let configuration = DashboardConfiguration(
            history: history, queues: queues, actions: actions ?? self.actions, blueprints: SampleRuns.blueprints,
            token: token, basePath: basePath, readTimeout: .milliseconds(300), allowedHosts: allowedHosts)
        return Dashboard(configuration: configuration).router()
    }

    /// A page on another site that points its own name at 127.0.0.1 (DNS rebinding) sends its name
    /// in `Host` (and `Origin`): a dashboard that answers to the loopback names refuses it, 421, for
    /// reads and actions alike. Found by review: it read every page and, without a token, resumed runs.
    @Test func foreignHostNamesAreRefused() async throws {
        try await app(allowedHosts: DashboardConfiguration.loopbackHosts).test { client in
            for host in ["attacker.example:8080", "attacker.example", "127.0.0.1.attacker.example"] {
                let page = try await client.execute(uri: "/api/runs", method: .get, headers: [HTTPField.Name("Host")!: host])
                #expect(page.status == .misdirectedRequest, "\(host)")
                #expect(Self.text(page).contains("does not answer to host"), "\(Self.text(page))")
                let action = try await client.execute(
                    uri: "/runs/run-waiting/cancel", method: .post,
                    headers: [HTTPField.Name("Host")!: host, .origin: "http://\(host)", .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "csrf=x"))
                #expect(action.status == .misdirectedRequest, "\(host)")
            }
            for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080"] {
                let page = try await client.execute(uri: "/api/runs", method: .get, headers: [HTTPField.Name("Host")!: host])
                #expect(page.status == .ok, "\(host): \(Self.text(page))")
            }
        }
        #expect(DashboardHandlers.hostName(of: "[::1]:80") == "::1" && DashboardHandlers.hostName(of: "Example.COM") == "example.com")
    }

    /// Uptime checks send `HEAD`: it was 404 on every page. Every page and API answers it with the
    /// `GET`'s status and headers and no body; another method on a known path is 405 with `Allow`
    /// (it was 404, as if the path did not exist); an unknown path stays 404.
    @Test func headAndWrongMethods() async throws {
        try await app().test { client in
            for uri in ["/queues", "/runs", "/runs/run-failed", "/blueprints", "/api/runs", "/api/runs/run-failed", "/api/queues",
                        "/assets/dashboard.css"] {
                let get = try await client.execute(uri: uri, method: .get)
                let head = try await client.execute(uri: uri, method: .head)
                #expect(get.status == .ok, "GET \(uri): \(get.status)")
                #expect(head.status == get.status, "HEAD \(uri): \(head.status)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(uri)")
                #expect(head.body.readableBytes == 0, "HEAD \(uri) has a body")
            }
            let missing = try await client.execute(uri: "/api/runs/no-such-run", method: .head)
            #expect(missing.status == .notFound)
            for (uri, method) in [
                ("/queues", HTTPRequest.Method.post), ("/api/runs", .delete), ("/runs/run-failed", .put), ("/api/queues", .trace),
                ("/runs", .connect), ("/blueprints", .options), ("/api/runs/run-failed", .patch),
            ] {
                let refused = try await client.execute(uri: uri, method: method)
                #expect(refused.status == .methodNotAllowed, "\(method) \(uri): \(refused.status)")
                #expect(refused.headers[.allow] == "GET, HEAD", "\(method) \(uri)")
                #expect(Self.text(refused).contains("is not allowed here"), "\(Self.text(refused))")
            }
            for method in [HTTPRequest.Method.get, .head, .trace, .delete] {
                let action = try await client.execute(uri: "/api/runs/run-failed/redrive", method: method)
                #expect(action.status == .methodNotAllowed && action.headers[.allow] == "POST", "\(method): \(action.status)")
            }
            let unknown = try await client.execute(uri: "/nowhere", method: .post)
            #expect(unknown.status == .notFound)
        }
    }

    /// Pages may not be framed by other sites (their action forms), nor sniffed.
    @Test func pagesCarrySafetyHeaders() async throws {
        try await app().test { client in
            let page = try await client.execute(uri: "/runs", method: .get)
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!] == "frame-ancestors 'none'")
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let api = try await client.execute(uri: "/api/runs", method: .get)
            #expect(api.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        }
    }

    /// The body, with the apostrophes the pages escape put back (for readable expectations).
    static func text(_ response: RouterTestResponse) -> String {
        String(buffer: response.body).replacingOccurrences(of: "&#39;", with: "'")
    }

    static func json(_ response: RouterTestResponse) throws -> JSONValue {
        try JSONText.parse(String(buffer: response.body))
    }

    // MARK: Pages

    @Test func rootRedirectsToQueues() async throws {
        try await app().test { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/queues")
        }
    }

    @Test func queuesPageShowsCountsWorkersAndThroughput() async throws {
        try await app().test { client in
            let response = try await client.execute(uri: "/queues", method: .get)
            #expect(response.status == .ok)
            let page = Self.text(response)
            #expect(page.contains("data-queue=\"flowcraft-queue\""))
            #expect(page.contains("<div data-count=\"waiting\"><b>3</b>waiting</div>"))
            #expect(page.contains("<div data-count=\"failed\"><b>4</b>failed</div>"))
            #expect(page.contains("Workers connected (2)"))
            #expect(page.contains("worker-b"))
            #expect(page.contains("class=\"throughput\""))
            #expect(page.contains("Jobs finished in the last"))
            let live = try await client.execute(uri: "/queues/live", method: .get)
            #expect(live.status == .ok)
            #expect(!Self.text(live).contains("<html"))
            let api = try await client.execute(uri: "/api/queues", method: .get)
            #expect(api.status == .ok)
            let queue = try Self.json(api)["queues"]?.arrayValue?.first
            #expect(queue?["waiting"]?.intValue == 3)
            #expect(queue?["workers"]?.arrayValue?.count == 2)
        }
    }

    @Test func runsPageListsRunsNewestFirstWithStatuses() async throws {
        try await app().test { client in
            let response = try await client.execute(uri: "/runs", method: .get)
            #expect(response.status == .ok)
            let page = Self.text(response)
            #expect(page.contains("<tr data-run=\"run-failed\" data-status=\"failed\">"))
            #expect(page.contains("<tr data-run=\"run-waiting\" data-status=\"waiting\">"))
            #expect(page.contains("<tr data-run=\"run-completed\" data-status=\"completed\">"))
            let waiting = try #require(page.range(of: "run-waiting"))
            let completed = try #require(page.range(of: "data-run=\"run-completed\""))
            #expect(waiting.lowerBound < completed.lowerBound)
            #expect(page.contains("<code>charge</code>"))
        }
    }

    @Test func runsFiltersAndPaging() async throws {
        try await app().test { client in
            let failed = Self.text(try await client.execute(uri: "/runs?status=failed", method: .get))
            #expect(failed.contains("data-run=\"run-failed\""))
            #expect(!failed.contains("data-run=\"run-waiting\""))
            let approvals = try Self.json(try await client.execute(uri: "/api/runs?blueprint=approval", method: .get))
            #expect(approvals["runs"]?.arrayValue?.compactMap { $0["runID"]?.stringValue }.sorted() == ["run-child", "run-waiting"])
            let first = try Self.json(try await client.execute(uri: "/api/runs?limit=2", method: .get))
            #expect(first["runs"]?.arrayValue?.compactMap { $0["runID"]?.stringValue } == ["run-waiting", "run-failed"])
            let cursor = try #require(first["nextCursor"]?.stringValue)
            let second = try Self.json(try await client.execute(uri: "/api/runs?limit=2&cursor=\(cursor)", method: .get))
            #expect(second["runs"]?.arrayValue?.compactMap { $0["runID"]?.stringValue } == ["run-child", "run-completed"])
            let page = Self.text(try await client.execute(uri: "/runs?limit=2", method: .get))
            #expect(page.contains("id=\"next-page\" href=\"/runs?limit=2&cursor=2\""))
            let recent = try Self.json(try await client.execute(uri: "/api/runs?since=1h", method: .get))
            #expect(recent["runs"]?.arrayValue?.isEmpty == true)
            let search = try Self.json(try await client.execute(uri: "/api/runs?run=run-failed", method: .get))
            #expect(search["runs"]?.arrayValue?.first?["status"]?.stringValue == "failed")
            let go = try await client.execute(uri: "/runs?run=run-failed", method: .get)
            #expect(go.status == .seeOther)
            #expect(go.headers[.location] == "/runs/run-failed")
        }
    }

    @Test func badFiltersAreClear400s() async throws {
        try await app().test { client in
            for (uri, words) in [
                ("/runs?status=exploded", "unknown status 'exploded'"), ("/api/runs?status=exploded", "unknown status"),
                ("/runs?limit=0", "limit '0'"), ("/api/runs?limit=5000", "limit '5000'"), ("/api/runs?limit=abc", "limit 'abc'"),
                ("/api/runs?since=yesterday", "since 'yesterday'"), ("/api/runs?since=99999999999d", "since"),
                ("/api/runs?cursor=\(String(repeating: "c", count: 600))", "cursor is longer"),
                // Refused by the store: the request's fault (found by review: a 503 "unavailable").
                ("/api/runs?cursor=garbage", "cursor: 'garbage' is not a cursor"), ("/runs?cursor=garbage", "is not a cursor"),
                ("/api/runs?blueprint=\(String(repeating: "b", count: 300))", "blueprint is longer"),
            ] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(Self.text(response).contains(words), "\(uri): \(Self.text(response))")
            }
            let api = try await client.execute(uri: "/api/runs?status=nope", method: .get)
            #expect(api.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try Self.json(api)["error"]?.stringValue?.contains("unknown status 'nope'") == true)
        }
    }

    @Test func oversizedQueryIs414() async throws {
        try await app().test { client in
            let long = String(repeating: "x", count: 5000)
            for uri in ["/runs?blueprint=\(long)", "/api/runs?blueprint=\(long)", "/runs/run-failed?x=\(long)"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .uriTooLong, "\(uri.prefix(30))")
                #expect(Self.text(response).contains("longer than 4096"))
            }
        }
    }

    @Test func failedRunPageShowsFailedNodeErrorAndLine() async throws {
        try await app().test { client in
            let response = try await client.execute(uri: "/runs/run-failed", method: .get)
            #expect(response.status == .ok)
            let page = Self.text(response)
            #expect(page.contains("data-node=\"charge\" data-state=\"failed\""))
            #expect(page.contains("fill=\"\(GraphSVG.fill(for: .failed))\""))
            #expect(page.contains("<code id=\"failed-node\">charge</code>"))
            #expect(page.contains("<p class=\"error\" id=\"run-error\">card declined</p>"))
            #expect(page.contains("<code class=\"location\">order.yaml:12</code>"))
            #expect(page.contains("data-node=\"ship\" data-state=\"not-reached\""))
            #expect(page.contains("charge (3 attempts)"))
            #expect(page.contains("class=\"bar retry\""))
            #expect(page.contains("class=\"bar failed\""))
            #expect(page.contains("id=\"redrive\""))
            #expect(response.headers[.setCookie]?.contains("flowcraft_dashboard_csrf=") == true)
            #expect(response.headers[.setCookie]?.contains("SameSite=Strict") == true)
        }
    }

    @Test func completedRunPageMarksTakenEdgesHidesInternalKeysAndLinksChildren() async throws {
        try await app().test { client in
            let page = Self.text(try await client.execute(uri: "/runs/run-completed", method: .get))
            #expect(page.contains("class=\"edge taken\" data-edge=\"validate-charge\""))
            #expect(page.contains("class=\"edge taken\" data-edge=\"charge-ship\""))
            #expect(page.contains("&quot;orderId&quot;: 7"))
            #expect(page.contains("&quot;valid&quot;: true"))
            #expect(!page.contains("secret"))
            #expect(page.contains("href=\"/runs/run-child\""))
            #expect(!page.contains("id=\"cancel\""))
            let child = Self.text(try await client.execute(uri: "/runs/run-child", method: .get))
            #expect(child.contains("child of <a href=\"/runs/run-completed\">run-completed</a> (node charge)"))
        }
    }

    @Test func waitingRunPageOffersTheRoutedActions() async throws {
        try await app().test { client in
            let page = Self.text(try await client.execute(uri: "/runs/run-waiting", method: .get))
            #expect(page.contains("data-node=\"decide\" data-state=\"waiting\""))
            #expect(page.contains("<option value=\"approve\">approve</option><option value=\"reject\">reject</option>"))
            #expect(page.contains("id=\"resume-decide\""))
            #expect(page.contains("id=\"cancel\""))
            #expect(page.contains("data-live-url=\"/runs/run-waiting/live\" data-status=\"waiting\""))
            let live = try await client.execute(uri: "/runs/run-waiting/live", method: .get)
            #expect(live.status == .ok)
            #expect(live.headers[DashboardHandlers.statusHeader] == "waiting")
            #expect(!Self.text(live).contains("<html"))
        }
    }

    @Test func runJSON() async throws {
        try await app().test { client in
            let detail = try Self.json(try await client.execute(uri: "/api/runs/run-failed", method: .get))
            #expect(detail["run"]?["status"]?.stringValue == "failed")
            #expect(detail["nodeStates"]?["charge"]?.stringValue == "failed")
            #expect(detail["nodeStates"]?["validate"]?.stringValue == "completed")
            #expect(detail["events"]?.arrayValue?.count == 5)
            #expect(detail["takenEdges"]?.arrayValue?.contains { $0["target"]?.stringValue == "reserve" } == true)
            let waiting = try Self.json(try await client.execute(uri: "/api/runs/run-waiting", method: .get))
            #expect(waiting["waitingNodes"]?.arrayValue == [.string("decide")])
        }
    }

    @Test func unknownAndInvalidRunIDs() async throws {
        try await app().test { client in
            for uri in ["/runs/no-such-run", "/api/runs/no-such-run", "/runs/no-such-run/live"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .notFound, "\(uri)")
                #expect(Self.text(response).contains("no run 'no-such-run' in the history"))
            }
            let long = String(repeating: "r", count: 2000)
            let response = try await client.execute(uri: "/api/runs/\(long)", method: .get)
            #expect(response.status == .badRequest)
            #expect(Self.text(response).contains("invalid run id"))
            let unknownPath = try await client.execute(uri: "/no/such/page", method: .get)
            #expect(unknownPath.status == .notFound)
        }
    }

    @Test func blueprintsPageAndJSON() async throws {
        let broken = WorkflowBlueprint(
            id: "broken", nodes: [NodeDefinition(id: "a", uses: "a")], edges: [EdgeDefinition(source: "a", target: "ghost")])
        let configuration = DashboardConfiguration(
            history: history,
            blueprints: SampleRuns.blueprints + [
                DashboardBlueprint(broken, findings: [DashboardFinding(severity: .warning, message: "node 'a' is never read")])
            ])
        try await Dashboard(configuration: configuration).router().test { client in
            let page = Self.text(try await client.execute(uri: "/blueprints", method: .get))
            #expect(page.contains("id=\"bp-order\""))
            #expect(page.contains("data-node=\"reserve\""))
            #expect(page.contains("node 'a' is never read"))
            #expect(page.contains("edge target 'ghost' is not a node"))
            let api = try Self.json(try await client.execute(uri: "/api/blueprints", method: .get))
            let order = api["blueprints"]?.arrayValue?.first { $0["id"]?.stringValue == "order" }
            let levels = order?["nodes"]?.arrayValue?.reduce(into: [String: Int]()) {
                $0[$1["id"]?.stringValue ?? ""] = $1["level"]?.intValue
            }
            #expect(levels == ["validate": 0, "charge": 1, "reserve": 1, "ship": 2])
            let brokenJSON = api["blueprints"]?.arrayValue?.first { $0["id"]?.stringValue == "broken" }
            #expect(brokenJSON?["findings"]?.arrayValue?.count == 2)
            // Without queues or actions, the pages say so instead of failing.
            let queues = try await client.execute(uri: "/queues", method: .get)
            #expect(queues.status == .ok)
            #expect(Self.text(queues).contains("No queue configured"))
            let run = Self.text(try await client.execute(uri: "/runs/run-waiting", method: .get))
            #expect(!run.contains("id=\"resume-decide\""))
        }
    }

    @Test func assetsAreServed() async throws {
        try await app().test { client in
            let css = try await client.execute(uri: "/assets/dashboard.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            let js = try await client.execute(uri: "/assets/dashboard.js", method: .get)
            #expect(Self.text(js).contains("data-live-url"))
        }
    }

    @Test func mountedUnderAPrefix() async throws {
        try await app(basePath: "/dashboard").test { client in
            let page = Self.text(try await client.execute(uri: "/dashboard/runs", method: .get))
            #expect(page.contains("href=\"/dashboard/runs/run-failed\""))
            #expect(page.contains("/dashboard/assets/dashboard.css"))
            let run = try await client.execute(uri: "/dashboard/runs/run-failed", method: .get)
            #expect(run.status == .ok)
            #expect(run.headers[.setCookie]?.contains("Path=/dashboard") == true)
        }
    }
}
