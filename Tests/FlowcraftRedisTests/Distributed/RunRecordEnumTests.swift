@testable import FlowcraftRedis
import Flowcraft
import Testing

/// Run statuses and script answers as enums (no Redis needed).
@Suite("Run hash status and script outcomes")
struct RunRecordEnumTests {
    @Test("a run has ended when completed, failed or cancelled; running and awaiting go on")
    func ended() {
        #expect(RunHash.hasEnded("completed"))
        #expect(RunHash.hasEnded("failed"))
        #expect(RunHash.hasEnded("cancelled"))
        #expect(!RunHash.hasEnded("running"))
        #expect(!RunHash.hasEnded("awaiting"))
        #expect(!RunHash.hasEnded("odd"))
        #expect(!RunHash.hasEnded(nil))
        #expect(RunHash.statuses(runKeys: ["k1", "k2"]).map(\.encoded) == [RedisCommand(["HGET", "k1", "status"]), RedisCommand(["HGET", "k2", "status"])])
    }

    @Test("the abort and subflow-resume scripts' answers are enums")
    func scriptOutcomes() {
        #expect(RunAbortScript.Outcome(.array([.bulk(Array("failed".utf8)), .bulk(Array("failed".utf8))])) == .failed)
        #expect(RunAbortScript.Outcome(.array([.bulk(Array("finished".utf8)), .bulk(Array("completed".utf8))])) == .finished)
        #expect(RunAbortScript.Outcome(.array([.bulk(Array("unknown".utf8)), .bulk([])])) == .unknown)
        #expect(RunAbortScript.Outcome(.null) == nil)
        #expect(SubflowResumeScript.Outcome("resumed") == .resumed)
        #expect(SubflowResumeScript.Outcome("not-awaiting") == .notAwaiting)
        #expect(SubflowResumeScript.Outcome("child-awaiting") == .childAwaiting)
        #expect(SubflowResumeScript.Outcome("failed") == .ended(.failed))
        #expect(SubflowResumeScript.Outcome("unknown") == .unknown)
    }
}
