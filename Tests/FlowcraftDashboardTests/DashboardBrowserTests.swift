import Flowcraft
import FlowcraftRedis
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

@testable import FlowcraftDashboard

/// When the browser tests run: always with CI=true (a missing chromium or Redis then fails them),
/// elsewhere when both are there.
enum BrowserTestEnvironment {
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var redisURL: String? { ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"] }
    static var shouldRun: Bool { isCI || (HeadlessChromium.executable() != nil && redisURL != nil) }
}

/// The dashboard in a real headless browser (Debian's `chromium`, driven over the DevTools
/// protocol): Redis, a worker and the dashboard on free loopback ports, a completed, a failed and a
/// waiting run. The run history is the real one the commit script writes (``RedisRunHistory``), as
/// `flowcraft dashboard --redis` reads it. With CI=true a missing chromium or Redis fails the test.
@Suite(.serialized, .enabled(if: BrowserTestEnvironment.shouldRun))
struct DashboardBrowserTests {
    static var redisURL: String? { BrowserTestEnvironment.redisURL }

    /// `.build/test-artifacts/` of this package.
    static var artifacts: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/test-artifacts").path
    }

    static let blueprints = [
        WorkflowBlueprint(id: "greet", nodes: [NodeDefinition(id: "hello", uses: "echo")]),
        WorkflowBlueprint(
            id: "charge-order",
            nodes: [
                NodeDefinition(id: "validate", uses: "echo", location: SourceLocation(file: "charge-order.yaml", line: 4, column: 5)),
                NodeDefinition(id: "charge", uses: "decline", location: SourceLocation(file: "charge-order.yaml", line: 6, column: 5)),
                NodeDefinition(id: "reserve", uses: "echo"), NodeDefinition(id: "ship", uses: "echo"),
            ],
            edges: [
                EdgeDefinition(source: "validate", target: "charge"), EdgeDefinition(source: "validate", target: "reserve"),
                EdgeDefinition(source: "charge", target: "ship"), EdgeDefinition(source: "reserve", target: "ship"),
            ]),
        WorkflowBlueprint(
            id: "approval",
            nodes: [
                NodeDefinition(id: "request", uses: "echo"), NodeDefinition(id: "decide", uses: "wait"),
                NodeDefinition(id: "ship", uses: "echo"), NodeDefinition(id: "notify", uses: "echo"),
            ],
            edges: [
                EdgeDefinition(source: "request", target: "decide"),
                EdgeDefinition(source: "decide", target: "ship", action: "approve"),
                EdgeDefinition(source: "decide", target: "notify", action: "reject"),
            ]),
    ]

    /// The port the dashboard bound (port 0: a free one).
    final class BoundPort: Sendable {
        let value = PthreadMutex(0)
    }

    struct Declined: Error, CustomStringConvertible {
        var description: String { "card declined" }
    }

    @Test func runsListFailedRunAndResumeInAHeadlessBrowser() async throws {
        let executable = try #require(HeadlessChromium.executable(), "chromium is missing: install Debian's chromium (scripts/test.sh does)")
        let url = try #require(Self.redisURL, "FLOWCRAFT_TEST_REDIS_URL is not set (scripts/test.sh starts Redis)")
        let redis = try RedisClient(url: url, poolSize: 4)
        let options = DistributedOptions(queueName: "dashboard-browser-\(UUID().uuidString.prefix(8))", stateTTLSeconds: 600)
        let history = RedisRunHistory(client: redis, queueName: options.queueName)
        var registry = NodeRegistry()
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        registry.register("decline") { _ in throw Declined() }
        let worker = try DistributedWorker(
            blueprints: Self.blueprints, registry: registry, client: redis, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        let workflows = try WorkflowClient(client: redis, blueprints: Self.blueprints, options: options)
        let dashboard = Dashboard(
            configuration: DashboardConfiguration(
                history: history, queues: RedisDashboardQueues(client: redis, queueNames: [options.queueName]),
                actions: RedisDashboardActions(client: workflows), blueprints: Self.blueprints.map { DashboardBlueprint($0) }))
        let port = BoundPort()
        var logger = Logger(label: "dashboard-browser-test")
        logger.logLevel = .warning
        let app = Application(
            router: dashboard.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.value.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger)
        let group = ServiceGroup(services: [worker, app], logger: logger)
        let running = Task { try await group.run() }
        let browser = try HeadlessChromium(executable: executable)
        do {
            for _ in 0..<400 where port.value.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(25)) }
            let bound = port.value.withLock { $0 }
            try #require(bound != 0, "the dashboard did not start")
            let base = "http://127.0.0.1:\(bound)"

            let completed = try await workflows.startWorkflow(blueprintID: "greet", context: ["name": "Ada"])
            let failed = try await workflows.startWorkflow(blueprintID: "charge-order")
            let waiting = try await workflows.startWorkflow(blueprintID: "approval")
            #expect(try await workflows.result(completed, timeout: .seconds(20)).status == .completed)
            #expect(try await workflows.result(failed, timeout: .seconds(20)).status == .failed)
            #expect(try await workflows.result(waiting, timeout: .seconds(20)).status == .awaiting)

            try await browser.openPage()
            // The runs list shows the three runs with their statuses.
            try await browser.navigate(to: "\(base)/runs")
            let statuses = try await browser.evaluate(
                "JSON.stringify(Object.fromEntries([...document.querySelectorAll('tr[data-run]')].map(r => [r.dataset.run, r.querySelector('.status').textContent])))")
            let shown = try JSONText.parse(statuses.stringValue ?? "{}")
            #expect(shown[completed]?.stringValue == "completed")
            #expect(shown[failed]?.stringValue == "failed")
            #expect(shown[waiting]?.stringValue == "waiting")

            // The failed run's page: the failing node in the failed colour, and its error with its line.
            try await browser.navigate(to: "\(base)/runs/\(failed)")
            let fill = try await browser.evaluate(
                "getComputedStyle(document.querySelector('g[data-node=\"charge\"] rect')).fill")
            #expect(fill.stringValue == "rgb(220, 38, 38)")
            let validateFill = try await browser.evaluate(
                "document.querySelector('g[data-node=\"validate\"] rect').getAttribute('fill')")
            #expect(validateFill.stringValue == GraphSVG.fill(for: .completed))
            let error = try await browser.evaluate("document.getElementById('run-error').textContent")
            #expect(error.stringValue?.contains("card declined") == true)
            let line = try await browser.evaluate("document.querySelector('#failure .location').textContent")
            #expect(line.stringValue == "charge-order.yaml:6")
            try await browser.screenshot(to: "\(Self.artifacts)/dashboard-run-failed.png")

            // Resuming the waiting run from its page completes it.
            try await browser.navigate(to: "\(base)/runs/\(waiting)")
            #expect(try await browser.evaluate("document.querySelector('g[data-node=\"decide\"]').dataset.state").stringValue == "waiting")
            _ = try await browser.evaluate(
                "document.querySelector('form.resume select[name=action]').value = 'approve'; document.getElementById('resume-decide').click(); true")
            try await browser.waitFor(
                "document.querySelector('h1 .status') && document.querySelector('h1 .status').textContent === 'completed'",
                what: "the resumed run to show completed")
            let final = try await workflows.status(waiting)
            #expect(final?.status == .completed)
            #expect(final?.context["_outputs.ship"] != nil)
            #expect(try await browser.evaluate("document.querySelector('g[data-node=\"ship\"]').dataset.state").stringValue == "completed")
            try await browser.screenshot(to: "\(Self.artifacts)/dashboard-run-resumed.png")

            // The queues page reads the real queue.
            try await browser.navigate(to: "\(base)/queues")
            let workers = try await browser.evaluate("document.querySelector('[data-queue]').textContent")
            #expect(workers.stringValue?.contains("Workers connected (1)") == true)
        } catch {
            Issue.record(error)
        }
        await browser.close()
        await group.triggerGracefulShutdown()
        try? await running.value
        await redis.close()
    }
}
