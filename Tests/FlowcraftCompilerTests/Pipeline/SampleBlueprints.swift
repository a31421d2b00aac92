import Foundation

/// Blueprint texts for pipeline and fuzz tests: the repository's `Blueprints/` examples when
/// present, plus fixed samples that cover every syntax the decoder handles.
enum SampleBlueprints {
    static let repositoryBlueprints: [(path: String, text: String)] = {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Blueprints")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return names.sorted().compactMap { name in
            guard name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") else { return nil }
            guard let text = try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8) else { return nil }
            return ("Blueprints/" + name, text)
        }
    }()

    static let orderFulfilment = """
        id: order-fulfilment
        version: "1.0"
        description: Charge, pack and ship an order.
        x-resilient: &resilient { maxRetries: 3, retryDelay: 250ms, timeout: 5s }
        types:
          Order: { id: String, total: Double, items: "[Item]" }
          Item: { sku: String, quantity: Int }
        implementations:
          charge-card: { input: Order, output: Order, actions: [ok, declined] }
        nodes:
          - id: validate
            uses: validate-order
            inputs: order
          - id: charge
            uses: charge-card
            config: { <<: *resilient, fallback: manual-review }
          - id: manual-review
            uses: manual-review
          - id: pack
            uses: pack-items
            params: { warehouse: "EU-1", "fragile": true }
          - id: label
            uses: print-label
          - id: ship
            uses: ship
            config: { joinStrategy: all }
          - id: nap
            uses: sleep
            params: { duration: 2s }
        edges:
          - { source: validate, target: charge }
          - { source: charge, target: pack, action: ok }
          - { source: charge, target: label, action: ok, condition: "result.output.total > 0" }
          - source: pack
            target: ship
          - source: label
            target: ship
            transform: |
              result.output
          - { source: ship, target: nap }
        """

    static let moderationJSON = """
        {
          "id": "moderation",
          "nodes": [
            {"id": "classify", "uses": "classify", "config": {"maxRetries": 2}},
            {"id": "approve", "uses": "approve"},
            {"id": "reject", "uses": "reject"},
            {"id": "notify", "uses": "notify", "config": {"joinStrategy": "any"}}
          ],
          "edges": [
            {"source": "classify", "target": "approve", "action": "safe"},
            {"source": "classify", "target": "reject", "action": "unsafe"},
            {"source": "approve", "target": "notify"},
            {"source": "reject", "target": "notify"}
          ],
          "metadata": {"version": "2", "cycleEntryPoints": []}
        }
        """

    static var all: [(path: String, text: String)] {
        repositoryBlueprints + [("fixtures/order.yaml", orderFulfilment), ("fixtures/moderation.json", moderationJSON)]
    }
}
