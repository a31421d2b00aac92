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

    private static func runFlows(_ workflows: WorkflowClient) async throws {
        print("order-fulfillment over Redis — each node is a BullMQ job")
        let order = Order(
            id: "A-1002", customerId: "c-7", items: [OrderItem(sku: "plate", quantity: 4)], total: 31.0)
        let orderRun = try await workflows.startWorkflow(
            blueprintID: "order-fulfillment", context: ["_inputs.validate": try JSONValueEncoder().encode(order)])
        let fulfilled = try await workflows.result(orderRun, timeout: .seconds(30))
        print("  status: \(fulfilled.status.rawValue)")

        print("\ncontent-moderation over Redis — the review subflow is a child run")
        let post: JSONValue = ["text": "call my phone 555-0100", "author": "bob"]
        let moderationRun = try await workflows.startWorkflow(blueprintID: "content-moderation", context: ["post": post])
        var moderated = try await workflows.result(moderationRun, timeout: .seconds(30))
        print("  status: \(moderated.status.rawValue)")
        if moderated.status == .awaiting {
            print("  a moderator approves the post…")
            try await workflows.resume(moderationRun, output: ["approved": true, "by": "ann"])
            moderated = try await workflows.result(moderationRun, timeout: .seconds(30), returnWhenAwaiting: false)
            print("  status: \(moderated.status.rawValue)")
        }
    }
}
