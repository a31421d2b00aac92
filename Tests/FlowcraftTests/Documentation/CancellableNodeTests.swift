import Flowcraft
import FlowcraftCompiler
import Synchronization
import Testing

/// The README's "Timeouts cancel cooperatively" advice, run: nodes written as it shows are stopped
/// by `config.timeout` long before they would end on their own.
@Suite("README cancellable nodes")
struct CancellableNodeTests {
    /// One run per node, so that one failing first cannot cancel the other.
    static let blueprints = [
        ("polling.yaml", "nodes: [{ id: poll, uses: poll, config: { timeout: 100ms, maxRetries: 1 } }]"),
        ("reading.yaml", "nodes: [{ id: read, uses: read-device, config: { timeout: 100ms, maxRetries: 1 } }]"),
    ]

    /// A stand-in for a readiness check that never succeeds.
    static func isReady(_ input: JSONValue) async throws -> Bool { false }

    /// A stand-in for a blocking resource: `readAll` waits until `close` is called.
    final class Device: Sendable {
        private let state = PthreadMutex<(closed: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))
        static let opened = PthreadMutex<[Device]>([])

        static func open() throws -> Device {
            let device = Device()
            opened.withLock { $0.append(device) }
            return device
        }

        var isClosed: Bool { state.withLock { $0.closed } }

        func readAll() async throws -> JSONValue {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { s -> Bool in
                    if s.closed { return true }
                    s.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            throw CancellationError()
        }

        func close() {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.closed = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }

    @Test("a timeout stops a polling loop and a blocked read written as the README shows")
    func timeoutsStopCooperativeNodes() async throws {
        let compiled = BlueprintCompiler().compile(sources: Self.blueprints)
        #expect(compiled.diagnostics.isEmpty, "\(compiled.diagnostics)")
        var registry = NodeRegistry()
        let rounds = Atomic(0)
        // As in the README (plus a count of the polling rounds):
        registry.register("poll") { ctx in
            for attempt in 1...100 {
                rounds.add(1, ordering: .relaxed)
                try Task.checkCancellation()
                if try await Self.isReady(ctx.input) { return NodeResult(output: ["attempts": .int(attempt)]) }
                try await Task.sleep(for: .milliseconds(500))
            }
            throw FatalNodeError("never became ready")
        }
        registry.register("read-device") { ctx in
            let device = try Device.open()
            return try await withTaskCancellationHandler {
                NodeResult(output: try await device.readAll())
            } onCancel: {
                device.close()
            }
        }
        let runtime = try FlowRuntime(blueprints: compiled.blueprints, registry: registry)
        let polling = try await runtime.run("polling")
        let reading = try await runtime.run("reading")
        let errors = polling.errors + reading.errors
        #expect(polling.status == .failed && reading.status == .failed)
        // Undisturbed, the poll would take 100 rounds (50 s) and the read forever (the test would not
        // return); cancelled at its timeout, the poll stops within a round.
        #expect(rounds.load(ordering: .relaxed) <= 3, "the poll ran \(rounds.load(ordering: .relaxed)) rounds")
        #expect(errors.compactMap(\.nodeID).sorted() == ["poll", "read"], "\(errors)")
        #expect(errors.allSatisfy { $0.message.contains("timed out") }, "\(errors)")
        #expect(Device.opened.withLock { $0.allSatisfy(\.isClosed) && !$0.isEmpty })
    }
}
