import HTTPTypes
import Hummingbird

/// Protects the POST actions. A request carrying `Authorization: Bearer <token>` (with the
/// configured token) is a script's and is let through: browsers never add that header across
/// sites. Every other request is a browser form and needs all of: an `Origin` (or, without one, a
/// `Referer`) naming this very host, the per-session CSRF token of its cookie repeated in the form's
/// `csrf` field, and the token in the form's `token` field when one is configured.
struct ActionGuard: Sendable {
    static let cookieName = "flowcraft_dashboard_csrf"
    let token: String?

    func check(_ request: Request, form: [String: String]) throws(DashboardFailure) {
        if let token, let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            guard Self.same(String(header.dropFirst(7)), token) else { throw DashboardFailure.unauthorized("wrong token") }
            return
        }
        let host = request.head.authority  // HTTP/1.1: the Host header
        guard let host, !host.isEmpty else { throw DashboardFailure.forbidden("cross-site request refused: the request names no host") }
        let origin = request.headers[.origin].flatMap { $0 == "null" ? "" : $0 } ?? request.headers[.referer]
        guard let origin else { throw DashboardFailure.forbidden("cross-site request refused: no Origin or Referer header") }
        guard Self.authority(of: origin)?.lowercased() == host.lowercased() else {
            throw DashboardFailure.forbidden("cross-site request refused: origin '\(origin)' is not this dashboard (\(host))")
        }
        guard let cookie = Self.cookie(Self.cookieName, in: request), let field = form["csrf"], !field.isEmpty,
            Self.same(cookie, field)
        else { throw DashboardFailure.forbidden("cross-site request refused: missing or wrong CSRF token (reload the page)") }
        if let token {
            guard let given = form["token"], !given.isEmpty else { throw DashboardFailure.unauthorized("this dashboard needs its token for actions") }
            guard Self.same(given, token) else { throw DashboardFailure.unauthorized("wrong token") }
        }
    }

    /// `host:port` of an `http(s)://host:port/path` URL.
    static func authority(of url: String) -> String? {
        guard let range = url.range(of: "://") else { return nil }
        let rest = url[range.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<end]
        return authority.isEmpty ? nil : String(authority)
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2, String(pair[0]).trimmingWhitespace() == name {
                    return String(pair[1]).trimmingWhitespace()
                }
            }
        }
        return nil
    }

    /// A fresh CSRF token: 32 random hex digits.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Compares without stopping at the first difference.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
