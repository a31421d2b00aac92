import Flowcraft
#if canImport(Glibc)
import Glibc
#endif

// `swift run flowcraft-example`: runs the blueprints of Blueprints/ in memory. FlowcraftPlugin
// compiled them at build time into typed protocols, records, a registry and embedded blueprints;
// an invalid blueprint would have stopped the build with its file:line:col.

/// Every implementation is required here: leave one out and this file does not compile.
let nodes = FlowcraftNodes(
    assignModerator: AssignModerator(),
    chargeCard: ChargeCard(),
    checkExportStatus: CheckExportStatus(),
    composeDigest: ComposeDigest(),
    createShipment: CreateShipment(),
    downloadExport: DownloadExport(),
    extractFirstParagraph: ExtractFirstParagraph(),
    httpFetch: HTTPFetch(),
    llmClassify: LLMClassify(),
    llmKeywords: LLMKeywords(),
    llmSummarize: LLMSummarize(),
    logSkip: LogSkip(),
    notifyCustomer: NotifyCustomer(),
    publishDigest: PublishDigest(),
    publishPost: PublishPost(),
    queueManualPayment: QueueManualPayment(),
    receivePost: ReceivePost(),
    recordDecision: RecordDecision(),
    redactPost: RedactPost(),
    rejectOrder: RejectOrder(),
    reserveStock: ReserveStock(),
    startExportJob: StartExportJob(),
    storeVerdict: StoreVerdict(),
    triagePost: TriagePost(),
    validateOrder: ValidateOrder()
)

/// Prints one line per finished node, as the run happens.
let trace: WorkflowEventHandler = { event in
    guard let node = event.nodeID else { return }
    switch event.type {
    case .nodeFinish:
        let action = event.payload["action"]?.stringValue.map { " → \($0)" } ?? ""
        print("    ✓ \(node)\(action)")
    case .nodeError:
        print("    ✗ \(node): \(event.payload["error"]?.stringValue ?? "failed")")
    case .nodeSkipped:
        print("    · \(node) (branch not taken)")
    default:
        break
    }
}

func summary(_ result: WorkflowResult) -> String {
    var text = "  status: \(result.status.rawValue)"
    for error in result.errors { text += "\n  error: \(error)" }
    return text
}

// `--redis URL`: the same workflows through the distributed engine instead.
let arguments = CommandLine.arguments
if let flag = arguments.firstIndex(of: "--redis") {
    guard flag + 1 < arguments.count else {
        print("usage: flowcraft-example [--redis redis://host:port]")
        exit(2)
    }
    do {
        try await DistributedDemo.run(url: arguments[flag + 1], registry: nodes.nodeRegistry(), trace: trace)
        exit(0)
    } catch {
        print("error: \(error)")
        exit(1)
    }
}

do {
    let runtime = try FlowRuntime(
        blueprints: FlowcraftWorkflows.all, registry: nodes.nodeRegistry(),
        options: FlowRuntime.Options(eventHandler: trace))

    print("order-fulfillment — typed input, validate → reserve ∥ charge → ship → notify")
    let order = Order(
        id: "A-1001", customerId: "c-42", items: [OrderItem(sku: "mug", quantity: 2)], total: 24.5)
    let fulfilled = try await runtime.run(orderFulfillment: order)
    print(summary(fulfilled))
    if let sent = fulfilled.context["_outputs.notify"]?["sent"]?.stringValue { print("  customer told: \(sent)") }

    print("\ncontent-moderation — parallel checks, triage by action, human review subflow")
    let post: JSONValue = ["text": "call my phone 555-0100", "author": "bob"]
    let paused = try await runtime.run(contentModeration: ["post": post])
    print(summary(paused))
    if paused.status == .awaiting {
        print("  a moderator approves the post…")
        // Typed resume: `.approve` is a case of the generated `ModerationReviewAwaitVerdictAction`.
        let resumed = try await runtime.resume(paused, awaitVerdict: .approve, output: ["approved": true, "by": "ann"])
        print(summary(resumed))
    }

    print("\narticle-digest — a Flowcraft JSON blueprint, unchanged")
    print(summary(try await runtime.run(articleDigest: [:])))

    print("\npolling-loop — loop-controller until the export is done")
    // Each `sleep` makes the run durable-awaiting; `settle` wakes it when the sleep is due. A virtual
    // clock keeps the example quick: the two 5-second pauses pass at once.
    let clock = VirtualClock()
    let pollingRuntime = try FlowRuntime(
        blueprints: FlowcraftWorkflows.all, registry: nodes.nodeRegistry(),
        options: FlowRuntime.Options(eventHandler: trace, clock: clock))
    var polling = try await pollingRuntime.run(pollingLoop: [:])
    if polling.status == .awaiting {
        print("  (sleeping; settling on a virtual clock)")
        polling = try await pollingRuntime.settle(polling)
    }
    print(summary(polling))
} catch {
    print("error: \(error)")
    exit(1)
}
