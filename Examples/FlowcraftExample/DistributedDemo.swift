import Flowcraft
import FlowcraftRedis

/// `swift run flowcraft-example --redis redis://127.0.0.1:6379`: the same generated registry and
/// blueprints, run by the distributed engine. A `DistributedWorker` serves the queue in this
/// process (any number of processes could serve it), and a `WorkflowClient` starts runs, waits for
/// them and resumes the moderation run's human review, which pauses inside its subflow.
enum DistributedDemo {
    static func run(url: String, registry: NodeRegistry, trace: @escaping WorkflowEventHandler) async throws {
        let client = try RedisClient(url: url)
        let options = DistributedOptions(queueName: "flowcraft-example", eventHandler: trace)
        let worker = try DistributedWorker(
            blueprints: FlowcraftWorkflows.all, registry: registry, client: client, options: options)
        worker.start()
        let workflows = try WorkflowClient(client: client, blueprints: FlowcraftWorkflows.all, options: options)
        do {
            try await runFlows(workflows)
        } catch {
            await worker.close()
            await client.close()
            throw error
        }
        await worker.close()
        await client.close()
    }

    /// The generated typed client: `start(orderFulfillment:)` takes the start node's `Order`, the
    /// handle's `result()` decodes the run's result, and `resume(awaitVerdict: .approve)` only
    /// accepts the actions the `wait` node routes on.
    private static func runFlows(_ workflows: WorkflowClient) async throws {
        print("order-fulfillment over Redis — each node is a BullMQ job")
        let order = Order(
            id: "A-1002", customerId: "c-7", items: [OrderItem(sku: "plate", quantity: 4)], total: 31.0)
        let orderRun = try await workflows.start(orderFulfillment: order)
        // Two terminal nodes (notify, reject): the result is the final context.
        let fulfilled = try await orderRun.result(timeout: .seconds(30))
        print("  status: completed")
        if let sent = fulfilled["_outputs.notify"]?["sent"]?.stringValue { print("  customer told: \(sent)") }

        print("\ncontent-moderation over Redis — the review subflow is a child run")
        let post: JSONValue = ["text": "call my phone 555-0100", "author": "bob"]
        let moderationRun = try await workflows.start(contentModeration: ["post": post])
        print("  status: \(try await moderationRun.settled(timeout: .seconds(30)).status.rawValue)")
        if try await moderationRun.status().status == .awaiting {
            print("  a moderator approves the post…")
            try await moderationRun.resume(awaitVerdict: .approve, output: ["approved": true, "by": "ann"])
            // One terminal node (`record`, JSON output): the result is its output.
            let decision = try await moderationRun.result(timeout: .seconds(30))
            print("  status: completed")
            print("  decision: \(decision)")
        }
    }
}
