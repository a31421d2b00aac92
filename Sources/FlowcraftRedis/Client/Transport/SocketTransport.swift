#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP (with `TCP_NODELAY`) or unix-domain stream socket.
final class SocketTransport: RedisTransport {
    let fileDescriptor: Int32
    /// What to call the peer in errors (`host:port` or `unix:/path`).
    let endpoint: String
    private(set) var timeout: Duration = .zero

    private init(fileDescriptor: Int32, endpoint: String) {
        self.fileDescriptor = fileDescriptor
        self.endpoint = endpoint
    }

    deinit {
        _ = closeDescriptor(fileDescriptor)
    }

    // MARK: - Connecting

    /// Connects to `host:port`, trying each address the name resolves to, within `timeout` per address.
    static func connect(host: String, port: Int, timeout: Duration) throws(RedisError) -> SocketTransport {
        let endpoint = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            let reason = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            throw .connection("cannot resolve \(endpoint): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var lastError: RedisError = .connection("cannot connect to \(endpoint): no address")
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            entry = current.pointee.ai_next
            guard let address = current.pointee.ai_addr else { continue }
            do {
                let descriptor = try connectDescriptor(
                    family: current.pointee.ai_family, address: address, length: current.pointee.ai_addrlen,
                    timeout: timeout, endpoint: endpoint)
                var on: Int32 = 1
                _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                return SocketTransport(fileDescriptor: descriptor, endpoint: endpoint)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Connects to a unix-domain socket.
    static func connect(unixSocketPath path: String, timeout: Duration) throws(RedisError) -> SocketTransport {
        let endpoint = "unix:\(path)"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else {
            throw .connection("unix socket path is longer than \(capacity - 1) bytes: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let descriptor = try withUnsafePointer(to: &address) { (pointer) throws(RedisError) -> Int32 in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(RedisError) -> Int32 in
                try connectDescriptor(
                    family: AF_UNIX, address: address, length: socklen_t(MemoryLayout<sockaddr_un>.size),
                    timeout: timeout, endpoint: endpoint)
            }
        }
        return SocketTransport(fileDescriptor: descriptor, endpoint: endpoint)
    }

    /// A non-blocking connect bounded by `timeout`, returning a blocking socket.
    private static func connectDescriptor(
        family: Int32, address: UnsafePointer<sockaddr>, length: socklen_t, timeout: Duration, endpoint: String
    ) throws(RedisError) -> Int32 {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw .connection("cannot create a socket for \(endpoint): \(errnoText())")
        }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        if systemConnect(descriptor, address, length) != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else {
                _ = closeDescriptor(descriptor)
                throw .connection("cannot connect to \(endpoint): \(errnoText(code))")
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let milliseconds = timeout.milliseconds
            var ready: Int32
            repeat {
                ready = poll(&poller, 1, Int32(clamping: max(1, milliseconds)))
            } while ready < 0 && errno == EINTR
            if ready == 0 {
                _ = closeDescriptor(descriptor)
                throw .timeout("connecting to \(endpoint) timed out after \(timeout)")
            }
            var socketError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &size)
            if ready < 0 || socketError != 0 {
                _ = closeDescriptor(descriptor)
                throw .connection("cannot connect to \(endpoint): \(errnoText(ready < 0 ? errno : socketError))")
            }
        }
        _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK)
        return descriptor
    }

    // MARK: - I/O

    func write(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = send(fileDescriptor, pointer, remaining, Int32(MSG_NOSIGNAL))
            if written > 0 {
                pointer += written
                remaining -= written
                continue
            }
            let code = errno
            if written < 0 && code == EINTR { continue }
            if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                throw .timeout("could not send to \(endpoint) within \(timeout)")
            }
            throw .connection("cannot send to \(endpoint): \(errnoText(code))")
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> Int {
        while true {
            let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return count }
            if count == 0 { throw .connection("the server closed the connection") }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { throw .timeout("no reply within \(timeout)") }
            throw .connection("cannot read from \(endpoint): \(errnoText(code))")
        }
    }

    func setTimeout(_ duration: Duration) throws(RedisError) {
        guard duration != timeout else { return }
        var value = timeval(duration)
        let size = socklen_t(MemoryLayout<timeval>.size)
        guard setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size) == 0,
              setsockopt(fileDescriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size) == 0
        else {
            throw .connection("cannot set the socket timeout: \(errnoText())")
        }
        timeout = duration
    }

    func hasPendingInputWhileIdle() -> Bool {
        isReadable()
    }

    /// Whether a read would not block (data, end of stream or an error is waiting). Non-blocking.
    func isReadable() -> Bool {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    /// Switches the socket between blocking and non-blocking mode.
    func setBlocking(_ blocking: Bool) {
        let flags = fcntl(fileDescriptor, F_GETFL)
        _ = fcntl(fileDescriptor, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK)
    }
}

/// `close(2)`, callable where a method of the same name is in scope.
func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}

/// `connect(2)`, callable inside a type that has a `connect` method.
private func systemConnect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(descriptor, address, length)
}

/// `strerror` text for `code` (default: the current `errno`).
func errnoText(_ code: Int32 = errno) -> String {
    strerror(code).map { String(cString: $0) } ?? "errno \(code)"
}

extension Duration {
    /// Whole milliseconds (rounded down, never negative).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
