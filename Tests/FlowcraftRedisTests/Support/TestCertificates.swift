import Foundation
import Testing

/// A throwaway PKI made with the `openssl` command at test time: a CA, a server certificate for
/// `localhost` and 127.0.0.1 signed by it, a client certificate signed by it, and a second CA that
/// signed nothing here (to see verification fail). Removed when released.
final class TestCertificates: Sendable {
    let directory: URL
    var caFile: String { path("ca.crt") }
    var serverCertificateFile: String { path("server.crt") }
    var serverKeyFile: String { path("server.key") }
    var clientCertificateFile: String { path("client.crt") }
    var clientKeyFile: String { path("client.key") }
    /// A CA unrelated to the server's certificate.
    var otherCAFile: String { path("other-ca.crt") }

    struct GenerationError: Error, CustomStringConvertible {
        let description: String
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowcraft-tls-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        // clientAuth too: a TLS cluster's nodes present their certificate when they connect to each
        // other over the cluster bus, and Redis verifies it as a client certificate.
        try write("server.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
        try write("client.ext", "extendedKeyUsage=clientAuth\n")
        for ca in ["ca", "other-ca"] {
            try openssl(["req", "-x509"] + ec + ["-keyout", "\(ca).key", "-out", "\(ca).crt", "-days", "2",
                                                 "-subj", "/CN=Flowcraft test \(ca)"])
        }
        for (name, subject) in [("server", "/CN=localhost"), ("client", "/CN=flowcraft-client")] {
            try openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", "\(name).crt", "-days", "2", "-extfile", "\(name).ext"])
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// `redis-server` arguments that serve TLS on `port` (and no plain-text port) with these files;
    /// clients need no certificate unless `requireClientCertificates`.
    func serverArguments(port: Int, requireClientCertificates: Bool = false) -> [String] {
        [
            "--port", "0", "--tls-port", String(port),
            "--tls-cert-file", serverCertificateFile, "--tls-key-file", serverKeyFile,
            "--tls-ca-cert-file", caFile, "--tls-auth-clients", requireClientCertificates ? "yes" : "no",
        ]
    }

    private func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    private func openssl(_ arguments: [String]) throws {
        // `openssl` runs in the certificates' directory: the paths it is given are relative to it.
        let outcome = try ChildProcess.runBlocking(["/bin/sh", "-c", "cd \"$0\" && exec openssl \"$@\"", directory.path] + arguments)
        guard outcome.status == 0 else {
            let message = "openssl \(arguments.joined(separator: " ")) failed: \(outcome.stderr)"
            Issue.record(Comment(rawValue: message))
            throw GenerationError(description: message)
        }
    }
}
