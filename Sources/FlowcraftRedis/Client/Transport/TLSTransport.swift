import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// TLS over a ``SocketTransport`` with the system's OpenSSL (Debian's libssl 3): blocking
/// `SSL_read`/`SSL_write` on the connection thread, bounded by the socket timeouts.
///
/// The server certificate is verified against the system trust store or a CA file, with the host
/// name checked (`SSL_set1_host`, or the IP address for an IP literal) and sent as SNI; an optional
/// client certificate and key give mutual TLS. Handshake failures become ``RedisError``s that say
/// why: the verification error OpenSSL reports, a host name mismatch, or a server that did not
/// speak TLS at all.
final class TLSTransport: RedisTransport {
    private let socket: SocketTransport
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private let endpoint: String
    /// Set to 1 by OpenSSL's client-certificate callback (as the SSL's app data) when the server
    /// asked for a client certificate and none is configured: a later reset or alert then means
    /// "certificate required", whichever of the two reaches us first.
    private let clientCertificateRequested: UnsafeMutablePointer<Int32>

    var fileDescriptor: Int32 { socket.fileDescriptor }

    private init(socket: SocketTransport, context: OpaquePointer, ssl: OpaquePointer, endpoint: String) {
        self.socket = socket
        self.context = context
        self.ssl = ssl
        self.endpoint = endpoint
        clientCertificateRequested = .allocate(capacity: 1)
        clientCertificateRequested.initialize(to: 0)
        _ = SSL_set_ex_data(ssl, 0, clientCertificateRequested)
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
        clientCertificateRequested.deallocate()
    }

    // MARK: - Handshake

    /// Performs the TLS handshake on a connected socket, within `timeout`.
    /// - Parameter host: the host name or address connected to: verified and sent as SNI unless
    ///   ``RedisTLSConfiguration/serverName`` overrides it.
    static func handshake(
        over socket: SocketTransport, host: String, configuration tls: RedisTLSConfiguration, timeout: Duration
    ) throws(RedisError) -> TLSTransport {
        let endpoint = socket.endpoint
        let context = try makeContext(tls, endpoint: endpoint)
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw .connection("TLS setup for \(endpoint) failed: \(drainErrors().text)")
        }
        // Owns both from here on (freed in deinit).
        let transport = TLSTransport(socket: socket, context: context, ssl: ssl, endpoint: endpoint)
        SSL_set_quiet_shutdown(ssl, 1)
        guard SSL_set_fd(ssl, socket.fileDescriptor) == 1 else {
            throw .connection("TLS setup for \(endpoint) failed: \(drainErrors().text)")
        }
        let name = tls.serverName ?? host
        let nameIsAddress = isIPAddress(name)
        // SNI carries host names only, never addresses.
        if !nameIsAddress, flowcraft_SSL_set_tlsext_host_name(ssl, name) != 1 {
            throw .connection("TLS setup for \(endpoint) failed: cannot set the server name '\(name)' (SNI)")
        }
        if tls.verification == .full {
            let accepted = nameIsAddress
                ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
                : SSL_set1_host(ssl, name)
            guard accepted == 1 else {
                throw .connection("TLS setup for \(endpoint) failed: cannot verify against the name '\(name)'")
            }
        }

        try socket.setTimeout(max(timeout, .milliseconds(1)))
        ERR_clear_error()
        let result = SSL_connect(ssl)
        if result == 1 { return transport }
        let savedErrno = errno
        let sslError = SSL_get_error(ssl, result)
        let errors = drainErrors()
        let verifyResult = SSL_get_verify_result(ssl)
        if verifyResult != X509_V_OK {
            let reason = X509_verify_cert_error_string(verifyResult).map { String(cString: $0) } ?? "error \(verifyResult)"
            if verifyResult == X509_V_ERR_HOSTNAME_MISMATCH || verifyResult == X509_V_ERR_IP_ADDRESS_MISMATCH {
                throw .tls(
                    "the certificate of \(endpoint) does not match the name '\(name)' (\(reason)); connect with "
                        + "the name the certificate was issued for, or set it as the server name (sni=…)")
            }
            throw .tls(
                "the certificate of \(endpoint) failed verification: \(reason) (X509 error \(verifyResult)); "
                    + "trust the CA that signed it with ca=/path/to/ca.pem")
        }
        let timedOut = (sslError == SSL_ERROR_WANT_READ || sslError == SSL_ERROR_WANT_WRITE
            || (sslError == SSL_ERROR_SYSCALL && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK)))
        if timedOut {
            throw .timeout(
                "no TLS handshake answer from \(endpoint) within \(timeout): the server did not speak TLS "
                    + "(a plain-text port?) or is overloaded")
        }
        if transport.clientCertificateRequested.pointee == 1 {
            throw .tls("the server at \(endpoint) requires a client certificate (\(errors.text.isEmpty ? "handshake refused" : errors.text)); set cert= and key=")
        }
        let notTLS: Set<Int32> = [
            SSL_R_WRONG_VERSION_NUMBER, SSL_R_PACKET_LENGTH_TOO_LONG, SSL_R_HTTP_REQUEST,
            SSL_R_UNEXPECTED_EOF_WHILE_READING, SSL_R_UNEXPECTED_RECORD,
        ]
        let endOfStream = sslError == SSL_ERROR_SYSCALL && errors.reasons.isEmpty && savedErrno == 0
        if endOfStream || errors.reasons.contains(where: notTLS.contains) {
            let detail = endOfStream ? "it closed the connection" : errors.text
            throw .tls("the server at \(endpoint) did not speak TLS (\(detail)); is it a plain-text port? use redis:// for that")
        }
        let detail = errors.text.isEmpty ? (sslError == SSL_ERROR_SYSCALL ? errnoText(savedErrno) : "SSL error \(sslError)") : errors.text
        throw .tls("the TLS handshake with \(endpoint) failed: \(detail)")
    }

    private static func makeContext(_ tls: RedisTLSConfiguration, endpoint: String) throws(RedisError) -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .connection("TLS setup for \(endpoint) failed: \(drainErrors().text)")
        }
        var ok = false
        defer { if !ok { SSL_CTX_free(context) } }
        _ = flowcraft_SSL_CTX_set_min_tls12(context)
        if tls.verification != .none {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        if tls.caFile != nil || tls.caDirectory != nil {
            guard SSL_CTX_load_verify_locations(context, tls.caFile, tls.caDirectory) == 1 else {
                let what = [tls.caFile.map { "CA file '\($0)'" }, tls.caDirectory.map { "CA directory '\($0)'" }]
                    .compactMap { $0 }.joined(separator: " and ")
                throw .tls("cannot load the \(what): \(drainErrors().text)")
            }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            throw .tls("cannot load the system's trusted CA certificates: \(drainErrors().text)")
        }
        if let certificate = tls.certificateFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw .tls("cannot load the client certificate '\(certificate)': \(drainErrors().text)")
            }
            let key = tls.keyFile ?? certificate
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                throw .tls("cannot load the client key '\(key)': \(drainErrors().text)")
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw .tls("the client key '\(key)' does not belong to the certificate '\(certificate)': \(drainErrors().text)")
            }
        } else if tls.keyFile != nil {
            throw .tls("a client key (key=) needs its certificate (cert=)")
        } else {
            // No certificate to offer: note that the server asked for one (see clientCertificateRequested).
            SSL_CTX_set_client_cert_cb(context) { ssl, _, _ in
                if let ssl, let flag = SSL_get_ex_data(ssl, 0) {
                    flag.assumingMemoryBound(to: Int32.self).pointee = 1
                }
                return 0
            }
        }
        ok = true
        return context
    }

    // MARK: - I/O

    func write(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            ERR_clear_error()
            let written = SSL_write(ssl, pointer, Int32(clamping: remaining))
            if written > 0 {
                pointer += Int(written)
                remaining -= Int(written)
                continue
            }
            if try retryAfterInterrupt(written, sending: true) { continue }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> Int {
        while true {
            ERR_clear_error()
            let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
            if count > 0 { return Int(count) }
            _ = try retryAfterInterrupt(count, sending: false)
        }
    }

    /// Classifies a failed `SSL_read`/`SSL_write`: returns true to retry (interrupted by a signal),
    /// otherwise throws the matching error.
    private func retryAfterInterrupt(_ result: Int32, sending: Bool) throws(RedisError) -> Bool {
        let savedErrno = errno
        let code = SSL_get_error(ssl, result)
        let errors = Self.drainErrors()
        let interrupted = (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_SYSCALL)
            && savedErrno == EINTR
        let timedOut = (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_SYSCALL)
            && (savedErrno == EAGAIN || savedErrno == EWOULDBLOCK)
        if clientCertificateRequested.pointee == 1 && !interrupted && !timedOut {
            let detail = errors.text.isEmpty
                ? (savedErrno != 0 ? errnoText(savedErrno) : "the server closed the connection") : errors.text
            throw .tls("the server at \(endpoint) requires a client certificate (\(detail)); set cert= and key=")
        }
        switch code {
        case SSL_ERROR_ZERO_RETURN:
            throw .connection("the server closed the connection")
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            if savedErrno == EINTR { return true }
            throw timeoutError(sending: sending)
        case SSL_ERROR_SYSCALL:
            if savedErrno == EINTR { return true }
            if savedErrno == EAGAIN || savedErrno == EWOULDBLOCK { throw timeoutError(sending: sending) }
            if errors.reasons.isEmpty {
                throw .connection(result == 0 || savedErrno == 0
                    ? "the server closed the connection"
                    : "TLS I/O with \(endpoint) failed: \(errnoText(savedErrno))")
            }
            throw .connection("TLS error with \(endpoint): \(errors.text)")
        default:
            if errors.reasons.contains(SSL_R_UNEXPECTED_EOF_WHILE_READING) {
                throw .connection("the server closed the connection")
            }
            if errors.reasons.contains(SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) {
                throw .tls("the server at \(endpoint) requires a client certificate (\(errors.text)); set cert= and key=")
            }
            throw .connection("TLS error with \(endpoint): \(errors.text)")
        }
    }

    private func timeoutError(sending: Bool) -> RedisError {
        sending
            ? .timeout("could not send to \(endpoint) within \(socket.timeout)")
            : .timeout("no reply within \(socket.timeout)")
    }

    func setTimeout(_ duration: Duration) throws(RedisError) {
        try socket.setTimeout(duration)
    }

    /// Readable while idle can also mean a TLS 1.3 session ticket or key update, which is no
    /// reason to reconnect: peek without blocking and only report application data, end of stream
    /// or an error.
    func hasPendingInputWhileIdle() -> Bool {
        if SSL_pending(ssl) > 0 { return true }
        guard socket.isReadable() else { return false }
        socket.setBlocking(false)
        defer { socket.setBlocking(true) }
        var byte: UInt8 = 0
        ERR_clear_error()
        let peeked = SSL_peek(ssl, &byte, 1)
        if peeked > 0 { return true }
        let code = SSL_get_error(ssl, peeked)
        _ = Self.drainErrors()
        return code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE
    }

    // MARK: - Helpers

    /// Empties this thread's OpenSSL error queue: the reason texts joined, and the reason codes.
    private static func drainErrors() -> (text: String, reasons: [Int32]) {
        var texts: [String] = []
        var reasons: [Int32] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            reasons.append(flowcraft_ERR_GET_REASON(code))
            if let reason = ERR_reason_error_string(code) {
                texts.append(String(cString: reason))
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                texts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return (texts.joined(separator: "; "), reasons)
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var storage = in6_addr()
        return inet_pton(AF_INET, text, &storage) == 1 || inet_pton(AF_INET6, text, &storage) == 1
    }
}
