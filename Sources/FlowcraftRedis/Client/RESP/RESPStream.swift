import CHiredis

/// RESP over a ``RedisTransport``: commands are encoded with hiredis' `redisFormatCommandArgv` into
/// an output buffer, replies decoded with hiredis' reader (`redisReaderFeed`/`redisReaderGetReply`).
/// The socket is ours, not hiredis', so the same code runs over TCP, unix sockets and TLS.
///
/// Used only from its connection thread (never from a Swift task), so every call here may block.
/// Only calls present in both hiredis 0.14 and 1.x are used.
final class RESPStream {
    let transport: any RedisTransport
    private let reader: UnsafeMutablePointer<redisReader>
    /// Encoded commands not yet written; flushed in one write by ``readReply()``.
    private var output: [UInt8] = []
    /// Scratch argv pointers reused for every append (no allocation per command).
    private var argv: [UnsafePointer<CChar>?] = []
    /// Receive buffer (hiredis reads in chunks of the same size).
    private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
    /// The socket timeout currently set.
    private(set) var currentTimeout: Duration?
    /// Whether any reply arrived on this connection (a plain-text connection to a TLS port is closed
    /// before the first one).
    private var hasReadAReply = false

    init(transport: any RedisTransport) throws(RedisError) {
        guard let reader = redisReaderCreate() else {
            throw .connection("cannot allocate a RESP reader")
        }
        self.transport = transport
        self.reader = reader
        output.reserveCapacity(16 * 1024)
    }

    deinit {
        redisReaderFree(reader)
        input.deallocate()
    }

    /// Opens the configured transport to `address`: TCP (then TLS when configured) or a unix socket.
    static func connect(to address: RedisAddress, configuration: RedisConfiguration) throws(RedisError) -> RESPStream {
        let timeout = max(configuration.connectTimeout, .milliseconds(1))
        let transport: any RedisTransport
        switch address {
        case .unix(let path):
            transport = try SocketTransport.connect(unixSocketPath: path, timeout: timeout)
        case .tcp(let host, let port):
            let socket = try SocketTransport.connect(host: host, port: port, timeout: timeout)
            if let tls = configuration.tls {
                transport = try TLSTransport.handshake(over: socket, host: host, configuration: tls, timeout: timeout)
            } else {
                transport = socket
            }
        }
        return try RESPStream(transport: transport)
    }

    /// The socket, published so `close()` can `shutdown(2)` it to interrupt a blocking command.
    var fileDescriptor: Int32 { transport.fileDescriptor }

    /// Whether the server has closed this (idle) connection or sent something unsolicited: the
    /// socket is readable although no reply is outstanding. Non-blocking.
    func hasPendingInputWhileIdle() -> Bool {
        transport.hasPendingInputWhileIdle()
    }

    /// Sets the socket send/receive timeout (`.zero` means none).
    func setTimeout(_ duration: Duration) throws(RedisError) {
        guard duration != currentTimeout else { return }
        try transport.setTimeout(duration)
        currentTimeout = duration
    }

    /// Appends a command to the output buffer (nothing is written yet).
    func append(_ command: RedisCommand) throws(RedisError) {
        var target: UnsafeMutablePointer<CChar>?
        let length: Int32 = command.storage.withUnsafeBufferPointer { buffer in
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
                    redisFormatCommandArgv(&target, Int32(lengths.count), pointers.baseAddress, lengths.baseAddress)
                }
            }
        }
        guard length >= 0, let target else {
            throw .connection("cannot encode the command", command: command.name)
        }
        output.append(contentsOf: UnsafeRawBufferPointer(start: target, count: Int(length)))
        redisFreeCommand(target)
    }

    /// Writes pending output (on the first call after appends) and blocks for the next reply.
    func readReply() throws(RedisError) -> RedisReply {
        if !output.isEmpty {
            defer { output.removeAll(keepingCapacity: output.capacity <= 1 << 20) }
            let failure = output.withUnsafeBytes { (bytes) -> RedisError? in
                do throws(RedisError) {
                    try transport.write(bytes)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
        }
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
                throw .protocol(Self.readerError(reader))
            }
            if let raw {
                defer { freeReplyObject(raw) }
                hasReadAReply = true
                return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
            }
            let count: Int
            do {
                count = try transport.read(into: input)
            } catch {
                guard !hasReadAReply, error.kind == .connection, transport is SocketTransport else { throw error }
                throw .connection(
                    "\(error.message) before answering anything (if this is a TLS port, connect with rediss://)",
                    command: error.command)
            }
            guard let base = input.baseAddress,
                  redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), count) == REDIS_OK
            else {
                throw .protocol(Self.readerError(reader))
            }
        }
    }

    private static func readerError(_ reader: UnsafeMutablePointer<redisReader>) -> String {
        let text = withUnsafeBytes(of: reader.pointee.errstr) { bytes in
            let length = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes.prefix(length), as: UTF8.self)
        }
        return text.isEmpty ? "malformed reply" : text
    }

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
}

/// Where one connection goes: a TCP host and port, or a unix socket.
enum RedisAddress: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
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
