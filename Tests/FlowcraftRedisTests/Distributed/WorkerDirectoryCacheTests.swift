@testable import FlowcraftRedis
import Testing

/// The rule for reusing a client's read of the live workers (``WorkerDirectoryCache``), without Redis.
@Suite("Worker directory cache (the graph check's kept read)")
struct WorkerDirectoryCacheTests {
    @Test("a read is reused while younger than the maximum age, without the advertisements that lapsed since; zero never reuses")
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
        // w2's advertisement lapsed after the read: the kept read no longer lists it.
        #expect(cache.fresh(now: readAt + .milliseconds(500), maxAge: second, nowMilliseconds: 2_000)?.keys.sorted() == ["w1"])
        #expect(cache.fresh(now: readAt + second, maxAge: second, nowMilliseconds: 1_000) == nil, "as old as the maximum age")
        #expect(cache.fresh(now: readAt, maxAge: .zero, nowMilliseconds: 1_000) == nil, "zero reads on every start")
        // A new read replaces the kept one.
        cache.store([:], at: readAt + second)
        #expect(cache.fresh(now: readAt + second, maxAge: second, nowMilliseconds: 1_000)?.isEmpty == true)
    }
}
