import Testing

@testable import FlowcraftRedis

/// The order a worker's listener sees while completions hold their node events (a run-context limit
/// set): a `node:start` waits for its run's commits in flight when it asked, and for nothing else.
@Suite("Held node events")
struct HeldNodeEventsTests {
    typealias State = HeldNodeEventsState<String>

    @Test("a start with no commit of its run in flight goes on at once, and nothing is kept")
    func nothingInFlight() {
        var state = State()
        let waitsIdle = state.wait("r", id: 1, "start")
        #expect(!waitsIdle)
        let other = state.begin("other")
        let waitsBesideOtherRun = state.wait("r", id: 2, "start")
        #expect(!waitsBesideOtherRun)
        let resumed = state.end(other)
        #expect(resumed.isEmpty)
        #expect(state.activeRuns == 0)
    }

    @Test("a start waits for every commit of its run in flight when it asked")
    func waitsForAllInFlight() {
        var state = State()
        let first = state.begin("r")
        let second = state.begin("r")
        let waits = state.wait("r", id: 1, "d")
        #expect(waits)
        let afterSecond = state.end(second)
        #expect(afterSecond.isEmpty, "the first commit still holds its events")
        let afterFirst = state.end(first)
        #expect(afterFirst == ["d"])
        #expect(state.activeRuns == 0)
    }

    @Test("a start never waits for a commit that began after it asked")
    func laterCommitsDoNotHoldAStart() {
        var state = State()
        let first = state.begin("r")
        let dWaits = state.wait("r", id: 1, "d")
        #expect(dWaits)
        let later = state.begin("r")
        let afterFirst = state.end(first)
        #expect(afterFirst == ["d"])
        let eWaits = state.wait("r", id: 2, "e")
        #expect(eWaits, "the later commit is in flight for a start that asks now")
        let afterLater = state.end(later)
        #expect(afterLater == ["e"])
        #expect(state.activeRuns == 0)
    }

    @Test("commits and starts of other runs are independent")
    func runsAreIndependent() {
        var state = State()
        let a = state.begin("a")
        let b = state.begin("b")
        let aWaits = state.wait("a", id: 1, "a-start")
        let bWaits = state.wait("b", id: 2, "b-start")
        #expect(aWaits && bWaits)
        let afterB = state.end(b)
        #expect(afterB == ["b-start"])
        let afterA = state.end(a)
        #expect(afterA == ["a-start"])
    }

    @Test("an expired start is returned once, and its commit's end no longer returns it")
    func expiry() {
        var state = State()
        let commit = state.begin("r")
        let waits = state.wait("r", id: 7, "d")
        #expect(waits)
        let expired = state.expire("r", id: 7)
        #expect(expired == "d")
        let expiredAgain = state.expire("r", id: 7)
        #expect(expiredAgain == nil)
        let afterEnd = state.end(commit)
        #expect(afterEnd.isEmpty)
        let afterSecondEnd = state.end(commit)
        #expect(afterSecondEnd.isEmpty, "a second end of one ticket changes nothing")
        #expect(state.activeRuns == 0)
    }

    @Test("a waiting start resumes when the commit ends", .timeLimit(.minutes(1)))
    func resumesOnEnd() async {
        // A bound far beyond the time limit: only the commit's end can let the start go on.
        let held = HeldNodeEvents(longestWait: .seconds(3_600))
        let commit = held.begin("r")
        async let waited: Void = held.waitForCommitsInFlight(of: "r")
        try? await Task.sleep(for: .milliseconds(50))
        held.end(commit)
        await waited
        #expect(held.activeRuns == 0)
    }

    @Test("a start is not held for ever by a commit that never ends", .timeLimit(.minutes(1)))
    func boundedWait() async {
        let held = HeldNodeEvents(longestWait: .milliseconds(20))
        _ = held.begin("s")  // a completion that is never called
        await held.waitForCommitsInFlight(of: "s")
        #expect(held.activeRuns == 1, "only the commit that never ended is kept, not the start")
    }
}
