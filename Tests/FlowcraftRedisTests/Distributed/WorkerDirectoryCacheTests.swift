@testable import FlowcraftRedis
import Testing

/// The rule for reusing a client's read of the live workers (``WorkerDirectoryCache``), without Redis.
@Suite("Worker directory cache (the graph check's kept read)")
struct WorkerDirectoryCacheTests {
    @Test("a read is reused while younger than the maximum age and none of its advertisements lapsed; zero never reuses")
    func freshWithinMaximumAgeOnly() {
        var cache = WorkerDirectoryCache()
        let readAt = ContinuousClock.now
        let second = Duration.seconds(1)
        #expect(cache.fresh(now: readAt, maxAge: second, nowMilliseconds: 1_000) == nil, "nothing read yet")
        let advertised = BlueprintAdvertisement(id: "deploy", version: "1.0", fingerprint: "f1")
        cache.store(
            ["w1": WorkerDirectory.Entry(expires: 5_000, blueprints: [advertised]), "w2": WorkerDirectory.Entry(expires: 1_500, blueprints: [])],
            at: readAt)
        let young = cache.fresh(now: readAt + .milliseconds(999), maxAge: second, nowMilliseconds: 1_000)
        #expect(young?.keys.sorted() == ["w1", "w2"])
        #expect(young?["w1"]?.blueprints == [advertised])
        // w2's advertisement lapsed after the read: w2 may have refreshed it since (a live worker
        // does), so the kept read is not used; a new one is due.
        #expect(cache.fresh(now: readAt + .milliseconds(500), maxAge: second, nowMilliseconds: 2_000) == nil)
        #expect(cache.fresh(now: readAt + second, maxAge: second, nowMilliseconds: 1_000) == nil, "as old as the maximum age")
        #expect(cache.fresh(now: readAt, maxAge: .zero, nowMilliseconds: 1_000) == nil, "zero reads on every start")
        // A new read replaces the kept one.
        cache.store([:], at: readAt + second)
        #expect(cache.fresh(now: readAt + second, maxAge: second, nowMilliseconds: 1_000)?.isEmpty == true)
    }

    @Test("a kept read older than the advertisements' lifetime is read again: a live worker's refreshed advertisement keeps refusing a conflicting graph")
    func keptReadPastTheAdvertisementLifetime() {
        // The worker advertises every 5 s, live for 15 s; the client keeps its read for an hour.
        var cache = WorkerDirectoryCache()
        let readAt = ContinuousClock.now
        let hour = Duration.seconds(3_600)
        let advertised = BlueprintAdvertisement(id: "deploy", version: "1.0", fingerprint: "f1")
        cache.store(["w1": WorkerDirectory.Entry(expires: 15_000, blueprints: [advertised])], at: readAt)
        #expect(cache.fresh(now: readAt + .seconds(14), maxAge: hour, nowMilliseconds: 14_000)?["w1"]?.blueprints == [advertised])
        // 20 s on, the kept copy lapsed (Redis holds the worker's refreshed one): read again, not
        // "no live worker" (which would let another graph under w1's label start).
        #expect(cache.fresh(now: readAt + .seconds(20), maxAge: hour, nowMilliseconds: 20_000) == nil)
        cache.store(["w1": WorkerDirectory.Entry(expires: 35_000, blueprints: [advertised])], at: readAt + .seconds(20))
        #expect(cache.fresh(now: readAt + .seconds(21), maxAge: hour, nowMilliseconds: 21_000)?.keys.sorted() == ["w1"])
    }
}
