import Foundation
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// The distributed engine's scenario suite (both retry modes) with every Redis connection over TLS:
/// a test-owned `redis-server --tls-port` with certificates made by the test, clients verifying
/// them against the test CA.
@Suite("Distributed engine scenarios over TLS", .requiresRedisServerBinary)
struct TLSScenarioTests {
    @Test func everyScenarioPassesOverTLS() async throws {
        let certificates = try TestCertificates()
        try await PrivateRedisServer.with(certificates: certificates) { server in
            let configuration = server.tlsConfiguration()
            let runs: [(WorkflowScenario, RedisScenarioEngine)] =
                DistributedScenarioTests.supported.map { ($0, RedisScenarioEngine(configuration: configuration)) }
                + ResilienceScenarios.all.map { ($0, RedisScenarioEngine(retryMode: .queue, configuration: configuration)) }
            // Four scenarios at a time (each has a worker of its own): the rest of the suite runs alongside.
            try await withThrowingTaskGroup(of: (String, [String]).self) { group in
                var next = 0
                func addNext() {
                    guard next < runs.count else { return }
                    let (scenario, engine) = runs[next]
                    next += 1
                    group.addTask {
                        let label = "\(scenario.name) (\(engine.retryMode == .queue ? "queue retries" : "in process"))"
                        do {
                            return (label, try await DistributedScenarioTests.problems(scenario, engine: engine))
                        } catch {
                            return (label, ["\(error)"])
                        }
                    }
                }
                for _ in 0..<4 { addNext() }
                var finished = 0
                while let (label, problems) = try await group.next() {
                    finished += 1
                    #expect(problems.isEmpty, "\(label) over TLS: \(problems.joined(separator: "; "))")
                    addNext()
                }
                #expect(finished == runs.count)
            }
        }
    }
}
