import ArgumentParser
import Flowcraft
import FlowcraftCompiler
import FlowcraftDashboard
import FlowcraftRedis
import Foundation
import Hummingbird
import Logging

/// `flowcraft dashboard --redis URL [--queue Q …] [--port 8080] [--host 127.0.0.1] [--token T] [--blueprints PATH …]`.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve the web dashboard: queues, runs, each run's graph and timeline, blueprints, and run actions.",
        discussion: """
            Binds 127.0.0.1 by default. Actions (cancel, resume, redrive) are POSTs protected against \
            cross-site requests; with --token (or FLOWCRAFT_DASHBOARD_TOKEN) they also need the token. \
            --blueprints loads the blueprints to draw (their validation findings are shown too). \
            SIGINT/SIGTERM stop it.
            """
    )

    @Option(help: "Redis URL (as for the worker; redis+cluster://host:port,… for a cluster: a sharded queue shows its shard queues under it).")
    var redis = "redis://127.0.0.1:6379"

    @Option(name: .customLong("queue"), help: "A queue to show (repeatable; default flowcraft-queue). Actions use the first.")
    var queues: [String] = []

    @Option(parsing: .unconditional, help: "Port to listen on (0 picks a free one and prints it).")
    var port = 8080

    @Option(help: "Address to bind (127.0.0.1 keeps it local; 0.0.0.0 exposes it).")
    var host = "127.0.0.1"

    @Option(help: "Token actions need (default: FLOWCRAFT_DASHBOARD_TOKEN; none: actions need no token).")
    var token: String?

    @Option(name: .customLong("blueprints"), help: "Blueprint files or directories to draw (repeatable).")
    var blueprintPaths: [String] = []

    @Option(help: "Path prefix the dashboard is served under (e.g. /dashboard behind a proxy).")
    var basePath = ""

    @Option(name: .customLong("allowed-host"), help: "A host name the dashboard answers to besides the bound address (repeatable; e.g. the name a proxy forwards). Others get 421.")
    var allowedHosts: [String] = []

    @Option(parsing: .unconditional, help: "Seconds (1…3600) a connection may send nothing complete (idle keep-alive, half-open, a request head still arriving) before it is closed.")
    var idleTimeout = 30

    /// The host names the dashboard answers to: the loopback names when bound to a loopback address,
    /// the bound address otherwise, and `--allowed-host`; any (nil) when bound to every interface with
    /// no `--allowed-host` (the names it is reached under are not known).
    var answeredHosts: Set<String>? {
        let given = Set(allowedHosts.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) })
        let bound = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if DashboardConfiguration.loopbackHosts.contains(bound) || bound.hasPrefix("127.") {
            return DashboardConfiguration.loopbackHosts.union(given).union([bound])
        }
        if bound == "0.0.0.0" || bound == "::" { return given.isEmpty ? nil : given }
        return given.union([bound])
    }

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535 (got \(port))") }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
        for name in allowedHosts where name.isEmpty || name.contains("/") {
            throw ValidationError("--allowed-host takes a host name, without a port or path (got '\(name)')")
        }
        for queue in queues where queue.isEmpty { throw ValidationError("--queue must not be empty") }
        guard (1...3_600).contains(idleTimeout) else {
            throw ValidationError("--idle-timeout must be from 1 to 3600 seconds (got \(idleTimeout))")
        }
    }

    func run() async throws {
        let queueNames = queues.isEmpty ? ["flowcraft-queue"] : queues
        let blueprints = try loadBlueprints()
        let client = try RedisClient(url: redis, poolSize: 2)
        let catalog: BlueprintCatalog
        do {
            catalog = try BlueprintCatalog(blueprints.filter { $0.plan != nil }.map(\.blueprint))
        } catch {
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
        // Each queue's layout as recorded: a sharded queue shows its shard queues, and its runs are
        // listed across them. Read once Redis answers: a dashboard started before Redis (or while it
        // fails over) waits for it, as a worker does, instead of exiting.
        var logger = Logger(label: "flowcraft.dashboard")
        logger.logLevel = .info
        var layouts: [QueueLayout] = []
        do {
            for name in queueNames {
                guard
                    let layout = try await QueueLayoutRecord.resolveWaitingForRedis(
                        nil, queueName: name, client: client, logger: logger)
                else { throw CancellationError() }
                layouts.append(layout)
            }
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
        var options = DistributedOptions(queueName: queueNames[0])
        options.layout = layouts[0]
        let workflowClient = WorkflowClient(client: client, catalog: catalog, options: options)
        let configuration = DashboardConfiguration(
            history: DashboardHistory.reader(client: client, queueName: queueNames[0], layout: layouts[0]),
            queues: RedisDashboardQueues(client: client, queues: zip(queueNames, layouts).map { QueueShards(queueName: $0, layout: $1) }),
            actions: RedisDashboardActions(client: workflowClient, redrive: DashboardHistory.redrive(client: workflowClient)),
            blueprints: blueprints,
            token: token ?? ProcessInfo.processInfo.environment["FLOWCRAFT_DASHBOARD_TOKEN"],
            basePath: basePath, allowedHosts: answeredHosts)
        if answeredHosts == nil {
            StandardStreams.error("flowcraft dashboard: bound to every interface and answering to any host name; --allowed-host NAME limits it (a page on another site could otherwise reach it through DNS rebinding)\n")
        }
        let dashboard = Dashboard(configuration: configuration)
        let shownHost = host
        let base = configuration.basePath
        let app = Application(
            router: dashboard.router(),
            // A connection that sends no complete request part for that long is closed: idle
            // keep-alive connections, half-open ones, a request head trickling in byte by byte (the
            // time counts from the last complete part: a body sent in small parts is not cut).
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(idleTimeout)))),
            configuration: .init(address: .hostname(host, port: port), serverName: "flowcraft-dashboard"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                StandardStreams.error("flowcraft dashboard: serving http://\(shownHost):\(bound)\(base)/ (queues: \(queueNames.joined(separator: ", ")))\n")
            })
        do {
            try await app.runService()
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
        await client.close()
    }

    /// Compiles `--blueprints`; each blueprint keeps the compiler's findings for its file.
    private func loadBlueprints() throws -> [DashboardBlueprint] {
        guard !blueprintPaths.isEmpty else { return [] }
        let result = BlueprintCompiler().compile(paths: blueprintPaths)
        if result.hasIOErrors {
            StandardStreams.error(DiagnosticRenderer.text(result.diagnostics.filter { $0.code == .ioError }))
            throw ExitCode(2)
        }
        return result.blueprints.map { blueprint in
            let file = blueprint.location?.file
            let findings = result.diagnostics.filter { file != nil && $0.location?.file == file }.map { diagnostic in
                DashboardFinding(
                    severity: DashboardFinding.Severity(rawValue: diagnostic.severity.rawValue) ?? .note,
                    message: diagnostic.message, location: diagnostic.location)
            }
            return DashboardBlueprint(blueprint, findings: findings)
        }
    }
}
