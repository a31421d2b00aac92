import Flowcraft
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process the tests start with `posix_spawn`, not Foundation's `Process`: on Linux `Process.run()`
/// finds the highest open descriptor by copying each `/proc/self/fd` entry's whole `d_name` out of
/// the directory buffer, and with about 1 400 descriptors open (the heavy pass: clusters, Sentinel
/// and chaos suites side by side) that copy read past the end of the buffer and crashed the test
/// process. The child gets an empty signal mask and default handlers (the test runner blocks signals
/// such as SIGTERM in its threads), standard input from `/dev/null`, standard output and error to
/// the given files, and none of the test process's other descriptors.
final class ChildProcess: Sendable {
    /// The child's process id.
    let pid: pid_t
    /// The raw `waitpid` status once the child was reaped.
    private let reaped = PthreadMutex<Int32?>(nil)

    /// Starts `arguments[0]` with `arguments`; standard output and error go to these files (appended,
    /// created when missing).
    init(_ arguments: [String], standardOutput: String = "/dev/null", standardError: String = "/dev/null") throws {
        pid = try Self.spawn(arguments, standardOutput: standardOutput, standardError: standardError)
    }

    /// Whether the child still runs (it is reaped once it exited).
    var isRunning: Bool {
        reaped.withLock { reaped in
            guard reaped == nil else { return false }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                reaped = status
                return false
            }
            if result < 0 {
                reaped = -1
                return false
            }
            return true
        }
    }

    /// How the child ended: its exit code, or 128 + the signal that ended it; `nil` while it runs.
    var terminationStatus: Int32? {
        guard !isRunning, let status = reaped.withLock({ $0 }) else { return nil }
        if status < 0 { return -1 }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Sends `signal` to a child that still runs.
    func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits (without blocking a cooperative thread) until the child exited; false after `timeout`.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// What a process that ran to its end printed.
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `arguments` to its end (waiting without blocking a cooperative thread); standard output and
    /// error go to temporary files, so a large output never blocks the child. A child still running
    /// after `timeout` is killed (its status is then 128 + SIGKILL).
    static func run(_ arguments: [String], timeout: Duration = .seconds(300)) async throws -> Outcome {
        let files = OutputFiles()
        defer { files.remove() }
        let child = try files.start(arguments)
        if !(await child.waitForExit(timeout: timeout)) {
            child.send(SIGKILL)
            await child.waitForExit(timeout: .seconds(10))
        }
        return files.outcome(of: child)
    }

    /// Runs `arguments` to its end, blocking the calling thread (for synchronous set-up code).
    static func runBlocking(_ arguments: [String]) throws -> Outcome {
        let files = OutputFiles()
        defer { files.remove() }
        let child = try files.start(arguments)
        while child.isRunning { usleep(5_000) }
        return files.outcome(of: child)
    }

    /// A child's temporary standard output and error files.
    private struct OutputFiles {
        let out: String
        let err: String

        init() {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-child-\(UUID().uuidString)").path
            out = base + ".out"
            err = base + ".err"
        }

        /// Starts `arguments` with its standard output and error in these files.
        func start(_ arguments: [String]) throws -> ChildProcess {
            try ChildProcess(arguments, standardOutput: out, standardError: err)
        }

        /// What the ended `child` printed.
        func outcome(of child: ChildProcess) -> Outcome {
            Outcome(status: child.terminationStatus ?? -1, stdout: ChildProcess.contents(of: out), stderr: ChildProcess.contents(of: err))
        }

        /// Removes both files.
        func remove() {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
    }

    /// The text of the file at `path` (empty when missing).
    static func contents(of path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// `posix_spawn` of `arguments[0]` (an absolute path) with the process's environment.
    static func spawn(
        _ arguments: [String], standardOutput: String = "/dev/null", standardError: String = "/dev/null"
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }

        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        defer { for pointer in cArguments { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, arguments[0], &actions, &attributes, cArguments, environ)
        guard status == 0 else {
            throw SpawnError(description: "posix_spawn \(arguments[0]) failed: \(String(cString: strerror(status)))")
        }
        return child
    }

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; not in Swift's Glibc
    /// module): the child closes every descriptor from the given one up, so that it holds none of the
    /// test process's sockets.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()
}
