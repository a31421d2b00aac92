@testable import FlowcraftRedis
import Testing

/// The connection thread's transition table, without Redis or threads.
@Suite("Connection state machine")
struct ConnectionStateTests {
    @Test func aNewConnectionIsAwakeAndNotConnected() {
        let state = ConnectionState.initial
        #expect(state == .awake(socket: nil))
        #expect(!state.isConnected)
        #expect(!state.isClosed)
        #expect(!state.hasExited)
    }

    @Test func submittingWakesOnlyASleepingThread() {
        var sleeping = ConnectionState.sleeping(socket: 7)
        #expect(sleeping.submit() == .enqueueAndWake)
        #expect(sleeping == .awake(socket: 7))
        // Awake or busy: the thread takes the request on its next step without a signal.
        var awake = ConnectionState.awake(socket: nil)
        #expect(awake.submit() == .enqueue)
        #expect(awake == .awake(socket: nil))
        var busy = ConnectionState.busy(socket: 7, blocking: true)
        #expect(busy.submit() == .enqueue)
        #expect(busy == .busy(socket: 7, blocking: true))
    }

    @Test func submittingAfterCloseIsRejected() {
        var closing = ConnectionState.closing(socket: 7)
        #expect(closing.submit() == .reject)
        #expect(closing == .closing(socket: 7))
        var exited = ConnectionState.exited
        #expect(exited.submit() == .reject)
        #expect(exited == .exited)
    }

    @Test func theThreadSleepsWhenNothingIsQueuedAndRunsABatchOtherwise() {
        var state = ConnectionState.awake(socket: 7)
        #expect(state.nextStep(hasQueuedRequests: false, queuedBlocking: false) == .sleep)
        #expect(state == .sleeping(socket: 7))
        // A wake-up without work (the thread re-checks): it sleeps again.
        #expect(state.nextStep(hasQueuedRequests: false, queuedBlocking: false) == .sleep)
        #expect(state.submit() == .enqueueAndWake)
        #expect(state.nextStep(hasQueuedRequests: true, queuedBlocking: false) == .runBatch)
        #expect(state == .busy(socket: 7, blocking: false))
        state.batchFinished()
        #expect(state == .awake(socket: 7))
        #expect(state.nextStep(hasQueuedRequests: true, queuedBlocking: true) == .runBatch)
        #expect(state == .busy(socket: 7, blocking: true))
    }

    @Test func aBatchThatNeverRanEndsAtTheNextStep() {
        // A failed connect or back-off fails its batch and loops without batchFinished().
        var state = ConnectionState.busy(socket: nil, blocking: true)
        #expect(state.nextStep(hasQueuedRequests: false, queuedBlocking: false) == .sleep)
        #expect(state == .sleeping(socket: nil))
    }

    @Test func batchFinishedOutsideABatchChangesNothing() {
        for phase: ConnectionState in [.awake(socket: 3), .sleeping(socket: nil), .closing(socket: 3), .exited] {
            var state = phase
            state.batchFinished()
            #expect(state == phase)
        }
    }

    @Test func closingInterruptsOnlyABlockingBatchOnAConnectedSocket() {
        var blocking = ConnectionState.busy(socket: 9, blocking: true)
        #expect(blocking.requestClose() == .failQueuedAndWake(interrupt: 9))
        #expect(blocking == .closing(socket: 9))
        #expect(blocking.isClosed)
        #expect(blocking.isConnected)

        var normal = ConnectionState.busy(socket: 9, blocking: false)
        #expect(normal.requestClose() == .failQueuedAndWake(interrupt: nil))
        // Still connecting: there is no socket to shut down yet.
        var connecting = ConnectionState.busy(socket: nil, blocking: true)
        #expect(connecting.requestClose() == .failQueuedAndWake(interrupt: nil))
        var sleeping = ConnectionState.sleeping(socket: 9)
        #expect(sleeping.requestClose() == .failQueuedAndWake(interrupt: nil))
        #expect(sleeping == .closing(socket: 9))
        var awake = ConnectionState.awake(socket: nil)
        #expect(awake.requestClose() == .failQueuedAndWake(interrupt: nil))
        #expect(awake == .closing(socket: nil))
    }

    @Test func closeIsIdempotent() {
        var closing = ConnectionState.closing(socket: 9)
        #expect(closing.requestClose() == .none)
        #expect(closing == .closing(socket: 9))
        var exited = ConnectionState.exited
        #expect(exited.requestClose() == .none)
        #expect(exited == .exited)
    }

    @Test func aClosingThreadExitsInsteadOfTakingWork() {
        var state = ConnectionState.closing(socket: 9)
        #expect(state.nextStep(hasQueuedRequests: true, queuedBlocking: false) == .exit)
        #expect(state == .closing(socket: 9))
        state.disconnected()
        #expect(state == .closing(socket: nil))
        state.threadExited()
        #expect(state == .exited)
        #expect(state.hasExited)
        #expect(state.isClosed)
        var exited = ConnectionState.exited
        #expect(exited.nextStep(hasQueuedRequests: false, queuedBlocking: false) == .exit)
    }

    @Test func connectingPublishesTheSocketUnlessClosing() {
        var busy = ConnectionState.busy(socket: nil, blocking: true)
        #expect(busy.connected(socket: 5) == .use)
        #expect(busy == .busy(socket: 5, blocking: true))
        #expect(busy.isConnected)
        var awake = ConnectionState.awake(socket: nil)
        #expect(awake.connected(socket: 5) == .use)
        #expect(awake == .awake(socket: 5))
        // Closed while connecting: the new connection is discarded, the state left as it is.
        var closing = ConnectionState.closing(socket: nil)
        #expect(closing.connected(socket: 5) == .discard)
        #expect(closing == .closing(socket: nil))
    }

    @Test func illegalConnectsAreDiscarded() {
        // Only the running thread connects: never while it sleeps or after it exited.
        var sleeping = ConnectionState.sleeping(socket: nil)
        #expect(sleeping.connected(socket: 5) == .discard)
        #expect(sleeping == .sleeping(socket: nil))
        var exited = ConnectionState.exited
        #expect(exited.connected(socket: 5) == .discard)
        #expect(exited == .exited)
    }

    @Test func droppingTheConnectionKeepsThePhase() {
        let cases: [(ConnectionState, ConnectionState)] = [
            (.awake(socket: 4), .awake(socket: nil)),
            (.sleeping(socket: 4), .sleeping(socket: nil)),
            (.busy(socket: 4, blocking: true), .busy(socket: nil, blocking: true)),
            (.closing(socket: 4), .closing(socket: nil)),
            (.exited, .exited),
        ]
        for (before, after) in cases {
            var state = before
            state.disconnected()
            #expect(state == after)
            #expect(!state.isConnected)
        }
    }
}
