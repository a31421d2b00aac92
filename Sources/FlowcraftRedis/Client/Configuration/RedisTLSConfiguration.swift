/// TLS settings for a connection (`rediss://`): which certificates to trust, the name to verify,
/// and an optional client certificate for mutual TLS.
///
/// TLS 1.2 or newer, through the system's OpenSSL. By default the server's certificate must chain to
/// the system trust store (or to ``caFile`` when set) and name the host connected to (or
/// ``serverName``).
public struct RedisTLSConfiguration: Sendable, Hashable {
    /// How much of the server's certificate is checked.
    public enum Verification: String, Sendable, Hashable {
        /// The chain must verify against the trusted CAs and the certificate must name the host
        /// (``RedisTLSConfiguration/serverName`` or the configured host). The default.
        case full
        /// The chain must verify, but any host name is accepted (a certificate issued for another name).
        case certificateOnly = "ca"
        /// Nothing is checked: encryption without authentication. For tests only.
        case none
    }

    /// PEM file of the CA certificate(s) to trust instead of the system store.
    public var caFile: String?
    /// Directory of hashed CA certificates (`c_rehash`) to trust instead of the system store.
    public var caDirectory: String?
    /// PEM file of the client certificate (chain) for mutual TLS.
    public var certificateFile: String?
    /// PEM file of the client certificate's private key (defaults to ``certificateFile``).
    public var keyFile: String?
    /// Name sent as SNI and checked against the server's certificate, when it differs from the host
    /// connected to (e.g. connecting to an IP address or through a tunnel).
    public var serverName: String?
    /// How much of the server's certificate is checked (default ``Verification/full``).
    public var verification: Verification

    /// TLS with the system trust store and full verification.
    public init(
        caFile: String? = nil, caDirectory: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        serverName: String? = nil, verification: Verification = .full
    ) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.verification = verification
    }
}
