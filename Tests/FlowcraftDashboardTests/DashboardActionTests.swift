import Flowcraft
import Foundation
import Hummingbird
import Testing

@testable import FlowcraftDashboard

/// The POST actions: same-origin and per-session CSRF checks, the token, and what reaches the engine.
@Suite struct DashboardActionTests {
    let history = InMemoryRunHistory()

    init() {
        SampleRuns.fill(history)
    }

    func app(_ actions: RecordingActions, token: String? = nil) -> Router<BasicRequestContext> {
        let configuration = DashboardConfiguration(
            history: history, actions: actions, blueprints: SampleRuns.blueprints, token: token)
        return Dashboard(configuration: configuration).router()
    }

    static let csrf = "0123456789abcdef0123456789abcdef"

    static func form(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(string: fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(HTML.component($0.value))" }.joined(separator: "&"))
    }

    static func browser(origin: String? = "http://localhost", cookie: String? = csrf) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        if let cookie { headers[.cookie] = "other=1; \(ActionGuard.cookieName)=\(cookie)" }
        return headers
    }

    @Test func resumeFromTheFormReachesTheEngineAndRedirects() async throws {
        let actions = RecordingActions()
        try await app(actions).test { client in
            let response = try await client.execute(
                uri: "/runs/run-waiting/resume", method: .post, headers: Self.browser(),
                body: Self.form(["csrf": Self.csrf, "node": "decide", "action": "approve"]))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/runs/run-waiting")
        }
        #expect(actions.calls == ["resume run-waiting decide approve"])
    }

    @Test func cancelAndRedriveFromForms() async throws {
        let actions = RecordingActions()
        try await app(actions).test { client in
            let cancel = try await client.execute(
                uri: "/runs/run-waiting/cancel", method: .post, headers: Self.browser(), body: Self.form(["csrf": Self.csrf]))
            #expect(cancel.status == .seeOther)
            // A Referer stands in for a missing Origin.
            var headers = Self.browser(origin: nil)
            headers[.referer] = "http://localhost/runs/run-failed"
            let redrive = try await client.execute(
                uri: "/runs/run-failed/redrive", method: .post, headers: headers, body: Self.form(["csrf": Self.csrf]))
            #expect(redrive.status == .seeOther)
        }
        #expect(actions.calls == ["cancel run-waiting", "redrive run-failed"])
    }

    @Test func crossSiteRequestsAreRefused() async throws {
        let actions = RecordingActions()
        try await app(actions).test { client in
            let cases: [(HTTPFields, [String: String], String)] = [
                (Self.browser(origin: "http://evil.example"), ["csrf": Self.csrf], "http://evil.example"),
                (Self.browser(origin: "null"), ["csrf": Self.csrf], "cross-site request refused"),
                (Self.browser(origin: nil), ["csrf": Self.csrf], "no Origin or Referer"),
                (Self.browser(), [:], "CSRF token"),
                (Self.browser(), ["csrf": "ffffffffffffffffffffffffffffffff"], "CSRF token"),
                (Self.browser(cookie: nil), ["csrf": Self.csrf], "CSRF token"),
            ]
            for (headers, fields, words) in cases {
                let response = try await client.execute(
                    uri: "/runs/run-waiting/cancel", method: .post, headers: headers, body: Self.form(fields))
                #expect(response.status == .forbidden, "\(words)")
                #expect(String(buffer: response.body).contains(words), "\(String(buffer: response.body))")
            }
        }
        #expect(actions.calls.isEmpty)
    }

    @Test func tokenIsRequiredWhenConfigured() async throws {
        let actions = RecordingActions()
        try await app(actions, token: "s3cret").test { client in
            let page = String(buffer: try await client.execute(uri: "/runs/run-waiting", method: .get).body)
            #expect(page.contains("name=\"token\""))
            let missing = try await client.execute(
                uri: "/runs/run-waiting/cancel", method: .post, headers: Self.browser(), body: Self.form(["csrf": Self.csrf]))
            #expect(missing.status == .unauthorized)
            let wrong = try await client.execute(
                uri: "/runs/run-waiting/cancel", method: .post, headers: Self.browser(),
                body: Self.form(["csrf": Self.csrf, "token": "guess"]))
            #expect(wrong.status == .unauthorized)
            let right = try await client.execute(
                uri: "/runs/run-waiting/cancel", method: .post, headers: Self.browser(),
                body: Self.form(["csrf": Self.csrf, "token": "s3cret"]))
            #expect(right.status == .seeOther)
            // A script with the bearer token needs no cookie or origin; the JSON endpoint answers JSON.
            let script = try await client.execute(
                uri: "/api/runs/run-waiting/resume", method: .post, headers: [.authorization: "Bearer s3cret"],
                body: Self.form(["action": "reject"]))
            #expect(script.status == .ok)
            #expect(String(buffer: script.body) == "{\"ok\":true}")
            let badBearer = try await client.execute(
                uri: "/api/runs/run-waiting/cancel", method: .post, headers: [.authorization: "Bearer nope"])
            #expect(badBearer.status == .unauthorized)
        }
        #expect(actions.calls == ["cancel run-waiting", "resume run-waiting - reject"])
    }

    @Test func refusedUnknownAndUnavailableActions() async throws {
        let actions = RecordingActions(supportsRedrive: false)
        try await app(actions).test { client in
            let unknown = try await client.execute(
                uri: "/runs/ghost/cancel", method: .post, headers: Self.browser(), body: Self.form(["csrf": Self.csrf]))
            #expect(unknown.status == .notFound)
            let invalid = try await client.execute(
                uri: "/api/runs/\(String(repeating: "x", count: 1500))/cancel", method: .post, headers: Self.browser(),
                body: Self.form(["csrf": Self.csrf]))
            #expect(invalid.status == .badRequest)
            let redrive = try await client.execute(
                uri: "/api/runs/run-failed/redrive", method: .post, headers: Self.browser(), body: Self.form(["csrf": Self.csrf]))
            #expect(redrive.status == .conflict)
            #expect(String(buffer: redrive.body).contains("redrive is not available"))
            actions.refuse(with: "run 'run-completed' has no awaiting node")
            let refused = try await client.execute(
                uri: "/runs/run-completed/resume", method: .post, headers: Self.browser(), body: Self.form(["csrf": Self.csrf]))
            #expect(refused.status == .conflict)
            #expect(String(buffer: refused.body).contains("resume refused: run &#39;run-completed&#39; has no awaiting node"))
            let huge = try await client.execute(
                uri: "/runs/run-waiting/cancel", method: .post, headers: Self.browser(),
                body: ByteBuffer(string: "csrf=\(Self.csrf)&pad=" + String(repeating: "p", count: 40_000)))
            #expect(huge.status == .contentTooLarge)
            let get = try await client.execute(uri: "/runs/run-waiting/cancel", method: .get)
            #expect(get.status == .notFound || get.status == .methodNotAllowed)
        }
        #expect(actions.calls.isEmpty)
    }
}
