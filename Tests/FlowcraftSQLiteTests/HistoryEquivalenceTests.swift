import Flowcraft
import FlowcraftScenarios
import Foundation
import Testing

/// The in-memory engine's history, event for event, against fingerprints taken from the engine that
/// built every event on the run's task (before the runs recorded compact records and the delivery
/// built the events): every semantics scenario (retries, fallbacks, failures, pauses and resumes,
/// subflows, batches, redrives…) and a run whose nodes write keys with no event handler set.
@Suite("In-memory history equals the history built before")
struct HistoryEquivalenceTests {
    /// A recorder that keeps every batch in memory.
    final class CollectingRecorder: RunHistoryRecorder {
        let batches = PthreadMutex<[RunHistoryBatch]>([])

        func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {
            batches.withLock { $0.append(RunHistoryBatch(summary: summary, events: events)) }
        }

        func record(batches: [RunHistoryBatch]) async throws {
            self.batches.withLock { $0.append(contentsOf: batches) }
        }

        /// Every run's final summary and its events, as text that does not depend on the run id of
        /// `topRunID`, on the order concurrent nodes finished in (events are sorted without their
        /// sequence numbers; `ScenarioHistoryTests` checks those) or on times (retry jitter; the attempts are compared by
        /// number and error, `EngineHistoryTests` checks their times); edge inputs are listed per run.
        func canonicalText(topRunID: String) throws -> String {
            let batches = self.batches.withLock { $0 }
            var summaries: [String: RunSummary] = [:]
            var events: [String: [RunHistoryEvent]] = [:]
            for batch in batches {
                summaries[batch.summary.runID] = batch.summary
                events[batch.summary.runID, default: []].append(contentsOf: batch.events)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var lines: [String] = []
            for runID in summaries.keys.sorted() {
                guard var summary = summaries[runID] else { continue }
                summary.startedAt = 0
                summary.endedAt = summary.endedAt.map { _ in 0 }
                lines.append(String(decoding: try encoder.encode(summary), as: UTF8.self))
                let runEvents = events[runID] ?? []
                var texts: [String] = []
                for event in runEvents {
                    var unnumbered = event
                    unnumbered.sequence = 0
                    unnumbered.time = 0
                    if case .nodeFinished(var execution) = event.kind {
                        for i in execution.attempts.indices {
                            execution.attempts[i].startedAt = 0
                            execution.attempts[i].endedAt = 0
                        }
                        // Edge inputs go with the completion that routed them (the last of a batch's
                        // workers to finish, which varies): compared per run, not per execution.
                        for (key, value) in execution.writes where key.hasPrefix("_inputs.") {
                            execution.writes[key] = nil
                            texts.append("routed " + key + "=" + String(decoding: try encoder.encode(value), as: UTF8.self))
                        }
                        unnumbered.kind = .nodeFinished(execution)
                    }
                    texts.append(String(decoding: try encoder.encode(unnumbered), as: UTF8.self))
                }
                lines.append(contentsOf: texts.sorted())
            }
            return lines.joined(separator: "\n").replacingOccurrences(of: topRunID, with: "RUN")
        }
    }

    /// FNV-1a (64 bit) of the text's UTF-8 bytes, in hex.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    @Test(arguments: WorkflowScenarios.all)
    func scenarioHistoryIsUnchanged(_ scenario: WorkflowScenario) async throws {
        let recorder = CollectingRecorder()
        let outcome = try await InMemoryScenarioEngine(history: recorder).execute(scenario)
        let text = try recorder.canonicalText(topRunID: outcome.result.runID)
        let actual = Self.fingerprint(text)
        print("HISTORY-FINGERPRINT \(scenario.name)\t\(actual)")
        if Self.raceDependent.contains(scenario.name) { return }
        // On a starved machine the interrupted branch can finish before the failure is handled: a
        // different (as valid) history, which the scenario itself checks.
        if scenario.name == RedriveScenarios.interruptedBranchIsNotLost.name,
            outcome.intermediate.first?.context["_outputs.slow"] != nil
        {
            return
        }
        guard let expected = Self.expected[scenario.name] else {
            Issue.record("no fingerprint for '\(scenario.name)': \(actual)\n\(text)")
            return
        }
        #expect(actual == expected, "\(scenario.name): history changed:\n\(text)")
    }

    @Test func probedWritesRetriesFallbackPauseAndSubflowAreUnchanged() async throws {
        let recorder = CollectingRecorder()
        let runtime = try FlowRuntime(
            blueprints: EngineHistoryTests.blueprints, registry: EngineHistoryTests.registry(CallCounter()),
            options: FlowRuntime.Options(clock: VirtualClock(), history: recorder))
        let paused = try await runtime.run("orders", context: ["orderId": "A-1"], runID: "run-1")
        _ = try await runtime.resume(paused, action: "ok")
        _ = try await runtime.run("failing", runID: "bad-1")
        await runtime.flushHistory()
        let text = try recorder.canonicalText(topRunID: "run-1")
        let actual = Self.fingerprint(text)
        print("HISTORY-FINGERPRINT orders+failing\t\(actual)")
        #expect(actual == Self.expected["orders+failing"], "history changed:\n\(text)")
    }

    /// Scenarios whose history depends on which of two concurrent nodes finishes first (a shared
    /// fallback's two runs, two dynamic nodes, two parallel nodes of which the second to complete
    /// fails over the run-context limit): their writes differ from run to run.
    static let raceDependent: Set<String> = [
        "a fallback shared by two failing nodes runs once per failed node and takes over each one's edges",
        "dynamic nodes returned by a node run before its successors",
        SizeLimitScenarios.parallelNodesOverRunContextLimitFailRun.name,
    ]

    /// Taken from the engine before the runs recorded compact records (commit 81d46f9), but for the
    /// timeout scenario, and the loop and subflow scenarios since executions carry their loop
    /// iteration and child runs are named `<run>/<node>#<iteration>` (``SubflowRunID``), as in the
    /// distributed engine.
    static let expected: [String: String] = [
        // FailureEventScenarios (added after the engine change these fingerprints guard; taken from
        // their first run, the histories read and found right: the failed node's record, the run's end).
        "a loop past its iteration cap reports node:error on the loop controller": "bc3adf8c2ba9e25c",
        "a subflow whose child run failed reports node:error on the subflow node (and the child's node its own)": "67534eb8e4d72442",
        "a node whose implementation is not registered reports node:error": "5ae8bd6156b6f3ed",
        "an output past the size limit reports node:error on its node": "416915dddad33a63",
        "an output past the size limit from a retried attempt reports that attempt in node:error and in the run's error": "5aa7328c5f148ac2",
        "a batch worker's output above maximumOutputBytes fails the run naming the worker; nothing is gathered": "a09dc91d1ce1ebd3",
        "batch workers whose outputs together pass maximumRunContextBytes fail the run at the worker that passes it, with no node:finish for it": "2fa83ce02974a85b",
        "a dynamic node's output above maximumOutputBytes fails the run naming it; the spawner's successors do not run": "2a98486982d7bca6",
        "an output nesting arrays and objects past 256 levels fails the run naming the node, without retry": "c910131505ad08d7",
        "FatalNodeError skips retries and the fallback": "401e50678388f812",
        "a batch-scatter fallback writes its output under the failed node and takes over its edges": "371021f89d4ac5da",
        "a branch still running when the run failed is not lost: the redrive completes it and the join fires": "36e5a67f7fea18a5",
        "a branch that ignores being stopped and ends after the redrive does not strand the run: it runs again": "2c41f185dfe3146c",
        "a context value above maximumValueBytes written by a node fails the run naming the node, the key, its size and the limit": "5fd4551da1503348",
        "a fallback returning dynamic nodes takes over the failed node's edges once they finished": "51d6641f0b34bc2e",
        "a fallback taking over into an any join fires it once": "91d9e0996f97af7d",
        "a fallback that failed runs again on the redrive (its node does not) with the failed node's input": "86b7631e8fb9a15",
        "a join behind a never-reached predecessor: workflow:stall names the join and the run fails": "f19bd58fdee41489",
        "a join that can never fire fails the run, naming the join, who arrived, who never will, and its line": "9abbf2a370800985",
        "a loop inside a loop runs its rounds on every outer round, counting each entry from one": "f7340e621c72e57b",
        "a loop re-entered through a sleep and a loop-back edge runs each iteration": "80d0e877326efb10",
        "a loop that never ends hits its iteration cap with a clear error": "a1ad46e1ef814b8c",
        "a loop whose maxIterations passes the loop iteration bound fails at its first continue": "3ba056b211050752",
        "a node id written precomposed and referenced decomposed names the same node (NFC everywhere)": "88bdc317f0b31eed",
        "a node skipped by dead-path elimination leaves its fallback unused: the fallback's edges die too": "d189afb8d047df54",
        // Changed on purpose: a timed-out attempt's error is the timeout, as the attempt loop reports
        // it (and the distributed engine records it), no longer the node's `CancellationError()`.
        "a node sleeping past its timeout is cancelled and retried": "e2d52a14774d313d",
        "a node that fails on the first run succeeds on the redrive and the run completes": "f2ed47c4de0bf79",
        "a resumed wait emits node:finish with its output and action": "35ed9ba8fe76b12f",
        "a run completes when no work is left, not when every terminal ran": "2e34623f47c3b25a",
        "a scatter's successors other than its gather run after every worker finished": "bd1e3fa9ee7aa48f",
        "a shared fallback's own edges resolve once: its first owner failed, so the fallback routes them": "4ff54e8be4265321",
        "a shared fallback's own edges resolve once: its first owner succeeded, so they are dead": "51e7ea1d2a7b551e",
        "a sleep without a readable duration fails the node in both engines": "7fa47ffba5b6846",
        "a subflow node whose child failed runs again on the redrive with a new child run": "b5b4471a8362c7d5",
        "a wait inside a subflow pauses the parent; resume routes inside the child, then the parent continues": "da0858ebe56dcde5",
        "action selects labelled edges": "9b6d6a185a55482d",
        "all join waits for every live predecessor and fires once": "5bb05e3775e41870",
        "an action no edge routes (no default edge) fails the run with NO_ROUTE": "cd1560ca9fbf206c",
        "an output above maximumOutputBytes fails the run naming the node, its size and the limit; no retry, no fallback": "b49cae6818cfcb92",
        "an unused fallback counts as a dead predecessor of the all join it feeds": "f2e953d1bbef13dc",
        "any join fires once on the first arrival": "32d176e7edaee9bf",
        "batch and dynamic-node bookkeeping never shows in the result; conditions see the gather's output": "cba3a225399c01d6",
        "batch events: batch:start reports the workers in flight at once (a chunkSize above the item count is the count)": "a142db7694e77609",
        "batch scatter/gather: a worker reads its item's index (NodeContext.batchItemIndex); other nodes read nil": "365c72b69a4ce212",
        "batch scatter/gather: chunkSize bounds the workers in flight, results keep input order and empty slots": "b4761a77c0ec911c",
        "batch scatter: conditions on the scatter's edges see its own output once the workers finished": "6ef8fb6d46a8b46e",
        "bookkeeping is hidden from a paused run's result but kept in its state for the gather after resume": "262652204a4a26b5",
        "cancelling a run stops it and keeps its context": "186cbf74ca51e72e",
        "chain passes outputs as inputs": "112476673b2b6ab4",
        "conditions guard edges (result and context roots)": "c72beb138fa952a2",
        "edge conditions after dynamic nodes see the spawner's output and action, not a dynamic node's": "7c029f2e8f49a8d2",
        "edge conditions and transforms see the node's own output and state writes": "cd05363c285c7084",
        "exclusive branches into an all join still fire it (dead-path elimination)": "864987a4d497387c",
        "exhausted retries fail the run naming the node and its YAML line": "ec550a64452f0893",
        "fallback runs with the failed node's input and inherits its edges": "7f51c85e5d841cf",
        "inputs resolve _outputs, raw keys, dotted paths and lists": "95a2090209abf839",
        "inside a loop, routing sees the output of this round, not the previous one": "46d8ff29e44a7f42",
        "join table: all join, charge fails (fallback), reserve dead": "f37802f14e7a91e6",
        "join table: all join, charge fails (fallback), reserve live": "c1278602ad99c854",
        "join table: all join, charge succeeds, reserve dead": "905ed9d110e25b70",
        "join table: all join, charge succeeds, reserve live": "b3edd91ba80f9b64",
        "join table: any join, charge fails (fallback), reserve dead": "aeab80391326ad95",
        "join table: any join, charge fails (fallback), reserve live": "a3999c0d07707b25",
        "join table: any join, charge succeeds, reserve dead": "b4a51d31bf63e484",
        "join table: any join, charge succeeds, reserve live": "7c1e9b6f0786b526",
        "loop-controller continues while its condition holds, then breaks": "3b705e649951a1ec",
        "maxRetries is total attempts; backoff grows exponentially with jitter": "2bbb3a86000295f6",
        "metadata unroutedActions: end keeps Flowcraft's silent end of an unrouted branch": "50f93de44a0b6cea",
        "middleware: before in order, around nested, after in reverse": "e5c1f9d04ee1e88c",
        "no action where every edge is labelled (no default edge) fails the run with NO_ROUTE": "4003360db3dd3cd5",
        "node state writes and engine writes are context:change events": "f1878d8ce3ec778",
        // Added with HeldNodeEvents; taken from its first run, the history read and found right (four
        // completed executions, b and c routed from a, the join once).
        "every node starts after its predecessors' node:finish, a join after both branches' (one of them slower)":
            "90ccc32da10dcc06",
        "orders+failing": "c783da212dbfd2b0",
        "redrive of a completed run is refused and changes nothing": "ad2cba014fd4ced3",
        "redrive of a failed diamond runs the failed branch and the join, not the succeeded nodes": "41c975ea7cb531de",
        "sleep outputs its input, whether it pauses the run or lasts zero milliseconds": "de8d93bb45e6b6f3",
        "sleep pauses the run durably; a new runtime wakes it from the serialized state": "e7d5e46e594eda53",
        "subflow maps inputs in and outputs out": "a465ed1b7efe4a2f",
        "transform computes the target's input": "9c31e804b23abc3d",
        "unlabelled edges when no action edge matches": "9d8946a679f87e34",
        "values that together stay within maximumRunContextBytes complete the run": "1a34b44349ab68aa",
        "values that together take the run's context above maximumRunContextBytes fail the run naming the node and the limit": "65e490ade62b21d3",
        "wait pauses until resume; the resume action routes": "c5d9c8b52dd33b93",
    ]
}
