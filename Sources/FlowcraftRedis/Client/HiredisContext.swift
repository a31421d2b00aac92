import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking hiredis context. Used only from its connection thread (never from a Swift task),
/// so every call here may block.
///
/// Only calls that exist in both hiredis 0.14 and 1.x are used: `redisConnectWithTimeout`,
/// `redisConnectUnixWithTimeout`, `redisSetTimeout`, `redisAppendCommandArgv`, `redisGetReply`,
/// `freeReplyObject`, `redisFree`.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>
    /// Scratch argv pointers reused for every append (no allocation per command).
    private var argv: [UnsafePointer<CChar>?] = []
    /// The socket timeout currently set on the context.
    private(set) var currentTimeout: Duration?

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit {
        redisFree(context)
    }

    /// The socket, published so `close()` can `shutdown(2)` it to interrupt a blocking command.
    var fileDescriptor: Int32 { context.pointee.fd }

    /// Opens a TCP or unix-socket connection (blocking, bounded by `connectTimeout`).
    static func connect(_ configuration: RedisConfiguration) throws(RedisError) -> HiredisContext {
        // hiredis treats a zero timeout as "expire at once"; never pass less than a millisecond.
        let timeout = timeval(max(configuration.connectTimeout, .milliseconds(1)))
        let raw: UnsafeMutablePointer<redisContext>?
        if let path = configuration.unixSocketPath {
            raw = redisConnectUnixWithTimeout(path, timeout)
        } else {
            raw = redisConnectWithTimeout(configuration.host, Int32(clamping: configuration.port), timeout)
        }
        guard let raw else {
            throw .connection("cannot allocate a hiredis context for \(configuration.endpointDescription)")
        }
        if raw.pointee.err != 0 {
            let savedErrno = errno
            let message = errorString(raw)
            redisFree(raw)
            if savedErrno == ETIMEDOUT || savedErrno == EINPROGRESS || message.lowercased().contains("timed out") {
                throw .timeout("connecting to \(configuration.endpointDescription) timed out after \(configuration.connectTimeout)")
            }
            throw .connection("cannot connect to \(configuration.endpointDescription): \(message)")
        }
        #if canImport(Darwin)
        // Darwin has no MSG_NOSIGNAL for hiredis' write(2); ask the socket not to raise SIGPIPE.
        var on: Int32 = 1
        _ = setsockopt(raw.pointee.fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return HiredisContext(context: raw)
    }

    /// Whether the server has closed this (idle) connection or sent something unsolicited: the
    /// socket is readable although no reply is outstanding. Non-blocking.
    func hasPendingInputWhileIdle() -> Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        return ready != 0
    }

    /// Sets the socket send/receive timeout (`.zero` means none).
    func setTimeout(_ duration: Duration) throws(RedisError) {
        guard duration != currentTimeout else { return }
        if redisSetTimeout(context, timeval(duration)) != REDIS_OK {
            throw .connection("cannot set socket timeout: \(Self.errorString(context))")
        }
        currentTimeout = duration
    }

    /// Appends a command to the output buffer (nothing is written yet).
    func append(_ command: RedisCommand) throws(RedisError) {
        let status: Int32 = command.storage.withUnsafeBufferPointer { buffer in
            command.lengths.withUnsafeBufferPointer { lengths in
                // An all-empty command has no storage; any valid pointer will do for zero-length args.
                let base = buffer.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(lengths.baseAddress)
                argv.removeAll(keepingCapacity: true)
                var offset = 0
                for length in lengths {
                    argv.append(base.map { ($0 + offset).assumingMemoryBound(to: CChar.self) })
                    offset += length
                }
                return argv.withUnsafeMutableBufferPointer { pointers in
                    redisAppendCommandArgv(context, Int32(lengths.count), pointers.baseAddress, lengths.baseAddress)
                }
            }
        }
        if status != REDIS_OK {
            throw .connection("cannot buffer command: \(Self.errorString(context))", command: command.name)
        }
    }

    /// Flushes pending output (on the first call) and blocks for the next reply.
    func readReply() throws(RedisError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        if redisGetReply(context, &raw) != REDIS_OK {
            let savedErrno = errno
            let kind = context.pointee.err
            let message = Self.errorString(context)
            if let raw { freeReplyObject(raw) }
            // 0.14 reports an expired SO_RCVTIMEO as an I/O error with EAGAIN; hiredis ≥ 1.1 has
            // REDIS_ERR_TIMEOUT (6), which 0.14's headers do not define, hence the literal.
            let timedOut = (kind == REDIS_ERR_IO && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || savedErrno == ETIMEDOUT))
                || kind == Self.hiredisTimeoutError
            if timedOut {
                throw .timeout("no reply within \(currentTimeout ?? .zero)")
            }
            if kind == REDIS_ERR_PROTOCOL {
                throw .protocol(message)
            }
            if kind == REDIS_ERR_EOF {
                throw .connection("the server closed the connection")
            }
            throw .connection(message.isEmpty ? "I/O error" : message)
        }
        guard let raw else {
            throw .protocol("hiredis returned no reply")
        }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    private static let hiredisTimeoutError: Int32 = 6

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            guard let str = value.str, value.len > 0 else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: str, count: value.len)))
        case REDIS_REPLY_INTEGER:
            return .integer(Int(value.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_STATUS:
            return .status(text(value.str, value.len))
        case REDIS_REPLY_ERROR:
            return .error(text(value.str, value.len))
        case REDIS_REPLY_ARRAY:
            guard let elements = value.element else { return .array([]) }
            var result: [RedisReply] = []
            result.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = elements[index] {
                    result.append(convert(element))
                } else {
                    result.append(.null)
                }
            }
            return .array(result)
        default:
            // Only RESP3 (never negotiated here) produces other types.
            return .error("unsupported reply type \(value.type)")
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            let length = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes.prefix(length), as: UTF8.self)
        }
    }
}

extension timeval {
    /// A `timeval` for a duration (negative durations count as zero).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) {
            self.init(tv_sec: 0, tv_usec: 0)
        } else {
            self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        }
    }
}
