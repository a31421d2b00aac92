import Foundation
@testable import FlowcraftRedis
import Testing

/// Each script loads into Redis, and its typed call (``LuaScriptCall``) names exactly the KEYS and
/// ARGV the script reads.
@Suite("Lua script contracts")
struct LuaScriptContractTests {
    /// A script, the call that fills it, and where its own keys and arguments start in KEYS/ARGV.
    struct Contract: Sendable, CustomTestStringConvertible {
        var script: RedisScript
        var keyNames: [String]
        var argumentNames: [String]
        var testDescription: String { script.name }
    }

    static let contracts: [Contract] = [
        Contract(script: QueueScript.addJob, keyNames: QueueScript.AddJobCall.keyNames,
                 argumentNames: QueueScript.AddJobCall.argumentNames),
        Contract(script: QueueScript.moveToActive, keyNames: QueueScript.MoveToActiveCall.keyNames,
                 argumentNames: QueueScript.MoveToActiveCall.argumentNames),
        Contract(script: QueueScript.moveToFinished, keyNames: QueueScript.MoveToFinishedCall.keyNames,
                 argumentNames: QueueScript.MoveToFinishedCall.argumentNames),
        Contract(script: QueueScript.retryJob, keyNames: QueueScript.RetryJobCall.keyNames,
                 argumentNames: QueueScript.RetryJobCall.argumentNames),
        Contract(script: QueueScript.moveToDelayed, keyNames: QueueScript.MoveToDelayedCall.keyNames,
                 argumentNames: QueueScript.MoveToDelayedCall.argumentNames),
        Contract(script: QueueScript.extendLocks, keyNames: QueueScript.ExtendLocksCall.keyNames,
                 argumentNames: QueueScript.ExtendLocksCall.argumentNames),
        Contract(script: QueueScript.moveStalledJobsToWait, keyNames: QueueScript.MoveStalledJobsToWaitCall.keyNames,
                 argumentNames: QueueScript.MoveStalledJobsToWaitCall.argumentNames),
        Contract(script: QueueScript.pause, keyNames: QueueScript.PauseCall.keyNames,
                 argumentNames: QueueScript.PauseCall.argumentNames),
        Contract(script: NodeCompletionScript.script, keyNames: NodeCompletionScript.Call.keyNames,
                 argumentNames: NodeCompletionScript.Call.argumentNames),
        // The finish script's own keys and arguments, then the commit's.
        Contract(script: NodeCompletionScript.finishingScript,
                 keyNames: QueueScript.MoveToFinishedCall.keyNames + NodeCompletionScript.Call.keyNames,
                 argumentNames: QueueScript.MoveToFinishedCall.argumentNames + NodeCompletionScript.Call.argumentNames),
        Contract(script: SubflowResumeScript.script, keyNames: SubflowResumeScript.Call.keyNames,
                 argumentNames: SubflowResumeScript.Call.argumentNames),
        Contract(script: RunAbortScript.script, keyNames: RunAbortScript.Call.keyNames,
                 argumentNames: RunAbortScript.Call.argumentNames),
        Contract(script: RunRedriveScript.script, keyNames: RunRedriveScript.Call.keyNames,
                 argumentNames: RunRedriveScript.Call.argumentNames),
    ]

    static var allScripts: [RedisScript] { contracts.map(\.script) }

    /// The largest index the script reads from `table` (`KEYS`/`keys` or `ARGV`/`args`), literal or at
    /// an offset (`ARGV[a + 16]`, `KEYS[k + 9]`: the commit body's indices, relative to where its part
    /// starts); `offsets` adds the start of such a part.
    static func largestIndex(in source: String, tables: [String], offset: Int = 0) throws -> Int {
        var largest = 0
        for table in tables {
            let direct = try Regex("\\b\(table)\\[([0-9]+)\\]")
            for match in source.matches(of: direct) {
                largest = max(largest, Int(match.output[1].substring ?? "") ?? 0)
            }
            let relative = try Regex("\\b\(table)\\[[ak] \\+ ([0-9]+)\\]")
            for match in source.matches(of: relative) {
                largest = max(largest, offset + (Int(match.output[1].substring ?? "") ?? 0))
            }
        }
        return largest
    }

    @Test("every script loads, with the SHA-1 the engine computes", .requiresRedis, arguments: contracts)
    func loads(_ contract: Contract) async throws {
        let client = try TestRedis.client()
        let reply = try await client.send(["SCRIPT", "LOAD", contract.script.source])
        #expect(reply.string == contract.script.sha1)
        await client.close()
    }

    @Test("every script reads exactly the keys and arguments its call names", arguments: contracts)
    func contract(_ contract: Contract) throws {
        let source = contract.script.source
        let isStep = contract.script.name.hasPrefix("moveToFinished+")
        // A finish step's body reads its part at an offset: the finish script's counts.
        let keyOffset = isStep ? QueueScript.MoveToFinishedCall.keyNames.count : 0
        let argumentOffset = isStep ? QueueScript.MoveToFinishedCall.argumentNames.count : 0
        // (A script may leave a key of a shared set unread, e.g. the fetch keys' `stalled` in
        // moveToActive; every argument is read.)
        #expect(try Self.largestIndex(in: source, tables: ["KEYS", "keys"], offset: keyOffset) <= contract.keyNames.count)
        #expect(try Self.largestIndex(in: source, tables: ["ARGV", "args"], offset: argumentOffset)
            == contract.argumentNames.count)
        #expect(Set(contract.keyNames).count == contract.keyNames.count || isStep, "key names are unique")
        // A script's count check ("expected at least N arguments") is within its contract.
        for match in source.matches(of: /#ARGV < ([0-9]+)/) {
            #expect((Int(match.output.1) ?? 0) <= contract.argumentNames.count)
        }
    }

    @Test("a call with too few arguments is refused with an error naming the script", .requiresRedis)
    func tooFewArguments() async throws {
        let client = try TestRedis.client()
        let queue = QueueKeys(prefix: "bull", queueName: QueueTestSupport.uniqueQueueName("contract"))
        for (script, keys, expected) in [
            (QueueScript.addJob, QueueScript.AddJobCall.keyNames.map { queue[$0] }, "addJob"),
            (QueueScript.moveToActive, queue.fetchKeys, "moveToActive"),
            (QueueScript.moveToDelayed, QueueScript.MoveToDelayedCall.keyNames.map { queue[$0] }, "moveToDelayed"),
            (QueueScript.retryJob, queue.fetchKeys, "retryJob"),
            (QueueScript.moveStalledJobsToWait, QueueScript.MoveStalledJobsToWaitCall.keyNames.map { queue[$0] },
             "moveStalledJobsToWait"),
        ] {
            let reply = try? await client.evalScript(script, keys: keys, arguments: [queue.base])
            #expect(reply == nil, "\(expected) refuses one argument")
            do {
                _ = try await client.evalScript(script, keys: keys, arguments: [queue.base])
            } catch {
                #expect(error.message.contains("flowcraft \(expected)"))
            }
        }
        await client.close()
    }
}
