/// The byte stream under one Redis connection: plain TCP, a unix socket, or TLS over TCP.
///
/// RESP framing lives above it (``RESPStream``), the connection thread above that. Every method
/// blocks and is only called from the connection's own thread; ``fileDescriptor`` is read by
/// `close()` to `shutdown(2)` the socket and interrupt a blocking call.
protocol RedisTransport: AnyObject {
    /// The underlying socket.
    var fileDescriptor: Int32 { get }

    /// Writes every byte (or throws): `.timeout` when the socket timeout expires, `.connection` otherwise.
    func write(_ bytes: UnsafeRawBufferPointer) throws(RedisError)

    /// Reads at least one byte into `buffer` and returns how many; a closed connection throws
    /// `.connection`, an expired socket timeout `.timeout`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> Int

    /// Sets the socket's send and receive timeout (`.zero` means none).
    func setTimeout(_ duration: Duration) throws(RedisError)

    /// Whether the peer closed this idle connection or sent something unsolicited. Non-blocking.
    func hasPendingInputWhileIdle() -> Bool
}
