import FlowcraftModel
@testable import FlowcraftRedis
import Testing

@Suite("Job options, backoff and retention")
struct JobOptionsTests {
    @Test("opts JSON round-trips with BullMQ's field names")
    func optsRoundTrip() throws {
        let options = JobOptions(
            jobId: "a-1", delay: 5, priority: 2, lifo: true, attempts: 4,
            backoff: Backoff(.exponential, delay: 100, jitter: 0.5), removeOnComplete: .keepCount(10),
            removeOnFail: .keep(age: 3600, count: 5), deduplicationId: "d", deduplicationTTL: 1000)
        let json = options.json
        #expect(json["attempts"] == 4)
        #expect(json["backoff"] == ["type": "exponential", "delay": 100, "jitter": 0.5])
        #expect(json["removeOnComplete"] == 10)
        #expect(json["removeOnFail"] == ["age": 3600, "count": 5])
        #expect(json["de"] == ["id": "d", "ttl": 1000])
        #expect(JobOptions(json: try JSONText.parse(JSONText.serialize(json))) == options)
    }

    @Test("defaults are written the way Python bullmq writes them")
    func defaults() {
        #expect(JSONText.serialize(JobOptions().json) == #"{"attempts":0,"delay":0}"#)
    }

    @Test("fixed and exponential backoff delays; a bare number means fixed")
    func backoffDelays() {
        let exponential = Backoff(.exponential, delay: 100)
        #expect((0..<4).map { exponential.delay(afterAttemptsMade: $0) } == [100, 200, 400, 800])
        #expect(Backoff(.fixed, delay: 70).delay(afterAttemptsMade: 5) == 70)
        #expect(Backoff(json: 250) == Backoff(.fixed, delay: 250))
        let jittered = Backoff(.fixed, delay: 1000, jitter: 0.5)
        for _ in 0..<50 {
            #expect((500...1000).contains(jittered.delay(afterAttemptsMade: 0)))
        }
    }

    @Test("retention maps to the finish script's keep count and age")
    func retentionArguments() {
        #expect(JobRetention.keepAll.scriptArguments == (-1, 0))
        #expect(JobRetention.removeImmediately.scriptArguments == (0, 0))
        #expect(JobRetention.keepCount(3).scriptArguments == (3, 0))
        #expect(JobRetention.keep(age: 60, count: nil).scriptArguments == (-1, 60))
        #expect(JobRetention(json: true) == .removeImmediately)
        #expect(JobRetention(json: false) == .keepAll)
        #expect(JobRetention(json: nil) == .keepAll)
    }
}
