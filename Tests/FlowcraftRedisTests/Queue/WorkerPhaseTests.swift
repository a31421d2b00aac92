@testable import FlowcraftRedis
import Testing

/// The worker's phase transition table, without Redis.
@Suite("Worker phases")
struct WorkerPhaseTests {
    @Test func runsOnceFromCreated() {
        var phase = WorkerPhase.created
        #expect(phase.isClosing)
        #expect(phase.start() == .run)
        #expect(phase == .running)
        #expect(!phase.isClosing)
        #expect(!phase.isForced)
        // A second run() is refused and changes nothing.
        #expect(phase.start() == .refuse)
        #expect(phase == .running)
    }

    @Test func runIsRefusedWhileClosingAndAfterStopping() {
        for closed: WorkerPhase in [.draining, .abandoning, .stopped] {
            var phase = closed
            #expect(phase.start() == .refuse)
            #expect(phase == closed)
        }
    }

    @Test func closeBeforeRunStopsForGood() {
        for force in [false, true] {
            var phase = WorkerPhase.created
            #expect(phase.beginClose(force: force) == .none)
            #expect(phase == .stopped)
            #expect(phase.hasStopped)
            #expect(phase.start() == .refuse)
        }
    }

    @Test func gracefulCloseDrains() {
        var phase = WorkerPhase.running
        #expect(phase.beginClose(force: false) == .stopTakingJobs(abandonJobs: false))
        #expect(phase == .draining)
        #expect(phase.isClosing)
        #expect(!phase.isForced)
        #expect(!phase.hasStopped)
        // Closing gracefully again changes nothing.
        #expect(phase.beginClose(force: false) == .none)
        #expect(phase == .draining)
        phase.runFinished()
        #expect(phase == .stopped)
        #expect(phase.hasStopped)
    }

    @Test func forcedCloseAbandonsJobs() {
        var phase = WorkerPhase.running
        #expect(phase.beginClose(force: true) == .stopTakingJobs(abandonJobs: true))
        #expect(phase == .abandoning)
        #expect(phase.isForced)
        #expect(phase.isClosing)
        phase.runFinished()
        #expect(phase == .stopped)
    }

    @Test func aDrainingWorkerCanBeForced() {
        var phase = WorkerPhase.draining
        #expect(phase.beginClose(force: true) == .stopTakingJobs(abandonJobs: true))
        #expect(phase == .abandoning)
        // Neither a later graceful nor a second forced close softens or repeats it.
        #expect(phase.beginClose(force: false) == .none)
        #expect(phase.beginClose(force: true) == .none)
        #expect(phase == .abandoning)
    }

    @Test func closingAStoppedWorkerDoesNothing() {
        for force in [false, true] {
            var phase = WorkerPhase.stopped
            #expect(phase.beginClose(force: force) == .none)
            #expect(phase == .stopped)
        }
    }

    @Test func runFinishedOnlyEndsARun() {
        // Illegal: run() cannot return for a worker that never started; the phase stays.
        var created = WorkerPhase.created
        created.runFinished()
        #expect(created == .created)
        var stopped = WorkerPhase.stopped
        stopped.runFinished()
        #expect(stopped == .stopped)
        var running = WorkerPhase.running
        running.runFinished()
        #expect(running == .stopped)
    }
}
