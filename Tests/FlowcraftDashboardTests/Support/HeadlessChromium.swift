import Flowcraft
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's `chromium`, headless, driven through the Chrome DevTools Protocol over
/// `--remote-debugging-pipe` (NUL-separated JSON on file descriptors 3 and 4): no websocket client,
/// no extra dependency. One page per browser; a reader thread hands replies to the awaiting calls.
final class HeadlessChromium: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `chromium` on PATH (or FLOWCRAFT_CHROMIUM); nil when absent.
    static func executable() -> String? {
        if let path = ProcessInfo.processInfo.environment["FLOWCRAFT_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let path = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
        var closed = false
    }

    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private let profile: String
    private let state = PthreadMutex(State())
    private let session = PthreadMutex<String?>(nil)

    init(executable: String) throws {
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe() failed") }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-chromium-\(UUID().uuidString)").path
        let arguments = [
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--mute-audio",
            "--hide-scrollbars", "--window-size=1280,900", "--remote-debugging-pipe", "--user-data-dir=\(profile)",
            "about:blank",
        ]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var child: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, environ)
        Glibc.close(toBrowser[0])
        Glibc.close(fromBrowser[1])
        guard spawned == 0 else {
            Glibc.close(toBrowser[1])
            Glibc.close(fromBrowser[0])
            throw Failure(description: "could not start \(executable): error \(spawned)")
        }
        pid = child
        commands = toBrowser[1]
        replies = fromBrowser[0]
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    private func readLoop() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(replies, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            while let end = pending.firstIndex(of: 0) {
                let message = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeSubrange(...end)
                guard let value = try? JSONText.parse(message), let id = value["id"]?.intValue else { continue }
                let continuation = state.withLock { $0.waiting.removeValue(forKey: id) }
                if let error = value["error"] {
                    continuation?.resume(throwing: Failure(description: "CDP error: \(error)"))
                } else {
                    continuation?.resume(returning: value["result"] ?? .null)
                }
            }
        }
        let orphans = state.withLock { state -> [CheckedContinuation<JSONValue, any Error>] in
            state.closed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for continuation in orphans { continuation.resume(throwing: Failure(description: "chromium closed the pipe")) }
    }

    /// Sends one command (to the page's session unless `browserLevel`) and waits for its result.
    @discardableResult
    func call(_ method: String, _ params: [String: JSONValue] = [:], browserLevel: Bool = false, timeout: Duration = .seconds(30))
        async throws -> JSONValue
    {
        let sessionID = browserLevel ? nil : session.withLock { $0 }
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
            let id = state.withLock { state -> Int? in
                guard !state.closed else { return nil }
                let id = state.nextID
                state.nextID += 1
                state.waiting[id] = continuation
                return id
            }
            guard let id else {
                continuation.resume(throwing: Failure(description: "chromium is not running"))
                return
            }
            var message: [String: JSONValue] = ["id": .int(id), "method": .string(method), "params": .object(params)]
            if let sessionID { message["sessionId"] = .string(sessionID) }
            let bytes = Array(JSONText.serialize(.object(message)).utf8) + [0]
            let written = bytes.withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
            if written != bytes.count, let continuation = state.withLock({ $0.waiting.removeValue(forKey: id) }) {
                continuation.resume(throwing: Failure(description: "could not write to chromium"))
            }
            Task { [self] in
                try? await Task.sleep(for: timeout)
                if let late = self.state.withLock({ $0.waiting.removeValue(forKey: id) }) {
                    late.resume(throwing: Failure(description: "\(method) got no answer within \(timeout)"))
                }
            }
        }
        return result
    }

    /// Opens the page this browser drives.
    func openPage() async throws {
        let target = try await call("Target.createTarget", ["url": "about:blank"], browserLevel: true)
        guard let targetID = target["targetId"]?.stringValue else { throw Failure(description: "no target id: \(target)") }
        let attached = try await call("Target.attachToTarget", ["targetId": .string(targetID), "flatten": true], browserLevel: true)
        guard let sessionID = attached["sessionId"]?.stringValue else { throw Failure(description: "no session: \(attached)") }
        session.withLock { $0 = sessionID }
        try await call("Page.enable")
        try await call("Runtime.enable")
    }

    /// Loads `url` and waits until the document is complete.
    func navigate(to url: String) async throws {
        try await call("Page.navigate", ["url": .string(url)])
        try await waitFor(
            "document.readyState === 'complete' && location.href === \(JSONText.quoted(url))", what: "\(url) to load")
    }

    /// Evaluates `expression` in the page and returns its JSON value.
    func evaluate(_ expression: String) async throws -> JSONValue {
        let reply = try await call(
            "Runtime.evaluate", ["expression": .string(expression), "returnByValue": true, "awaitPromise": true])
        if let exception = reply["exceptionDetails"] { throw Failure(description: "script failed: \(exception)") }
        return reply["result"]?["value"] ?? .null
    }

    /// Polls `condition` (a script expression) until it is true.
    func waitFor(_ condition: String, what: String, timeout: Duration = .seconds(20)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if (try? await evaluate("Boolean(\(condition))"))?.boolValue == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out waiting for \(what)")
    }

    /// A PNG of the page (full height).
    func screenshot(to path: String) async throws {
        let metrics = try await call("Page.getLayoutMetrics")
        let height = metrics["cssContentSize"]?["height"]?.doubleValue ?? 900
        let shot = try await call(
            "Page.captureScreenshot",
            [
                "format": "png", "captureBeyondViewport": true,
                "clip": ["x": 0, "y": 0, "width": 1280, "height": .double(min(max(height, 600), 4000)), "scale": 1],
            ])
        guard let base64 = shot["data"]?.stringValue, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot data")
        }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Closes the browser and waits for it to exit.
    func close() async {
        _ = try? await call("Browser.close", browserLevel: true, timeout: .seconds(5))
        Glibc.close(commands)
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        Glibc.close(replies)
        try? FileManager.default.removeItem(atPath: profile)
    }
}
