import Flowcraft
import FlowcraftRedis
import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard's request handlers, independent of the request context type.
struct DashboardHandlers: Sendable {
    enum Action: String, CaseIterable, Sendable {
        case cancel, resume, redrive
    }

    let configuration: DashboardConfiguration
    var base: String { configuration.basePath }
    var shell: PageShell { PageShell(base: base) }
    var guardian: ActionGuard { ActionGuard(token: configuration.token) }

    // MARK: Responses

    /// The run's status on its live fragment: the page's script reloads when it changes.
    static let statusHeader = HTTPField.Name("X-Flowcraft-Status") ?? .contentLanguage

    /// Runs `body`, turning failures into a clear 4xx/503 page (or JSON `{"error": …}`), never a 500.
    func respond(_ request: Request, html: Bool, _ body: () async throws -> Response) async -> Response {
        do {
            if let allowed = configuration.allowedHosts {
                // HTTP/1.1's Host header is the request's authority; a Host field left among the
                // headers (an embedding that does not convert it) counts first.
                let name = Self.hostName(of: request.headers[Self.hostField] ?? request.head.authority ?? "")
                guard allowed.contains(name) else {
                    throw DashboardFailure(
                        status: .misdirectedRequest,
                        message: "this dashboard does not answer to host '\(name)' (it answers to \(allowed.sorted().joined(separator: ", ")); flowcraft dashboard --allowed-host adds one)")
                }
            }
            if request.uri.string.utf8.count > Dashboard.maximumURILength {
                throw DashboardFailure(
                    status: .uriTooLong, message: "the request URI is longer than \(Dashboard.maximumURILength) bytes")
            }
            return try await body()
        } catch let failure as DashboardFailure {
            return failureResponse(failure, html: html)
        } catch let error as HTTPError {
            return failureResponse(DashboardFailure(status: error.status, message: "\(error.body ?? "\(error.status)")"), html: html)
        } catch {
            return failureResponse(DashboardFailure.reading(error), html: html)
        }
    }

    static let hostField = HTTPField.Name("Host") ?? .contentLocation

    /// The host name of a `Host` header: lower case, without its port and an IPv6 address's brackets.
    static func hostName(of authority: String) -> String {
        var text = Substring(authority.lowercased())
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return String(text) }
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if let colon = text.lastIndex(of: ":"), text[text.index(after: colon)...].allSatisfy(\.isNumber) {
            text = text[..<colon]
        }
        return String(text)
    }

    func failureResponse(_ failure: DashboardFailure, html: Bool) -> Response {
        var response = html
            ? Self.html(shell.error(status: failure.status.code, message: failure.message), status: failure.status)
            : Self.json(JSONValue.object(["error": .string(failure.message)]), status: failure.status)
        for field in failure.headers { response.headers[field.name] = field.value }
        return response
    }

    /// Headers every page carries: no framing by other sites (the action forms), no content
    /// sniffing, no run ids in the `Referer` other sites see.
    static let pageSafety: [(HTTPField.Name, String)] = [
        (HTTPField.Name("X-Frame-Options") ?? .contentLanguage, "DENY"),
        (HTTPField.Name("Content-Security-Policy") ?? .contentLanguage, "frame-ancestors 'none'"),
        (HTTPField.Name("X-Content-Type-Options") ?? .contentLanguage, "nosniff"),
        (HTTPField.Name("Referrer-Policy") ?? .contentLanguage, "same-origin"),
    ]

    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        for (name, value) in pageSafety { fields[name] = value }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"could not encode the response\"}".utf8)
        return Response(
            status: status,
            headers: [
                .contentType: "application/json; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("X-Content-Type-Options") ?? .contentLanguage: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "max-age=300", HTTPField.Name("X-Content-Type-Options") ?? .contentLanguage: "nosniff"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The session's CSRF token, and the header that sets it when the request had none.
    func session(_ request: Request) -> (token: String, headers: HTTPFields) {
        if let token = ActionGuard.cookie(ActionGuard.cookieName, in: request), token.count == 32,
            token.allSatisfy(\.isHexDigit)
        {
            return (token, [:])
        }
        let token = ActionGuard.newToken()
        let cookie = "\(ActionGuard.cookieName)=\(token); Path=\(base.isEmpty ? "/" : base); HttpOnly; SameSite=Strict"
        return (token, [.setCookie: cookie])
    }

    func query(_ request: Request) -> [String: String] {
        FormEncoding.decode(Substring(request.uri.query ?? ""))
    }

    func read<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws(DashboardFailure) -> T {
        do {
            return try await withReadDeadline(configuration.readTimeout, operation)
        } catch {
            throw DashboardFailure.reading(error)
        }
    }

    func checkedRunID(_ id: String?) throws(DashboardFailure) -> String {
        // The router hands the path segment over as sent: the pages' links percent-encode run ids
        // (a sharded queue's `{orders.07}…`), so decode it.
        let id = id.map { $0.removingPercentEncoding ?? $0 }
        guard let id, !id.isEmpty else { throw DashboardFailure.badRequest("missing run id") }
        if let problem = RunIdentifier.problem(with: id) { throw DashboardFailure.badRequest("invalid run id: \(problem)") }
        return id
    }

    func blueprint(for run: RunSummary) -> DashboardBlueprint? {
        let matching = configuration.blueprints.filter { $0.id == run.blueprintID }
        return matching.first { $0.version == run.blueprintVersion } ?? matching.last
    }

    // MARK: Queues

    func snapshots() async throws(DashboardFailure) -> [DashboardQueueSnapshot] {
        guard let source = configuration.queues else { return [] }
        var result: [DashboardQueueSnapshot] = []
        for name in source.queueNames {
            result.append(try await read { try await source.snapshot(of: name) })
        }
        return result
    }

    func queuesPage(_ request: Request) async throws -> Response {
        do {
            return Self.html(QueuesPage(shell: shell).render(try await snapshots(), banner: nil))
        } catch let failure {
            return Self.html(QueuesPage(shell: shell).render([], banner: failure.message), status: failure.status)
        }
    }

    func queuesFragment() async throws -> Response {
        do {
            return Self.html(QueuesPage(shell: shell).fragment(try await snapshots()))
        } catch let failure {
            return Self.html("<div class=\"banner\" id=\"banner\">\(HTML.escape(failure.message))</div>", status: failure.status)
        }
    }

    func queuesJSON() async throws -> Response {
        Self.json(["queues": try await snapshots()])
    }

    // MARK: Runs

    func filters(_ request: Request) throws(DashboardFailure) -> RunFilters {
        do {
            return try RunFilters(query: query(request), now: Int64(Date().timeIntervalSince1970 * 1000))
        } catch let problem {
            throw DashboardFailure.badRequest(problem.message)
        }
    }

    func runsPage(_ request: Request) async throws -> Response {
        let filters = try filters(request)
        if let runID = filters.runID {
            return Response(status: .seeOther, headers: [.location: "\(base)/runs/\(HTML.component(runID))"])
        }
        let history = configuration.history
        let query = filters.query
        do {
            let page = try await read { try await history.runs(query) }
            return Self.html(RunsPage(shell: shell).render(page, filters: filters, banner: nil))
        } catch let failure {
            return Self.html(RunsPage(shell: shell).render(nil, filters: filters, banner: failure.message), status: failure.status)
        }
    }

    func runsJSON(_ request: Request) async throws -> Response {
        let filters = try filters(request)
        let history = configuration.history
        if let runID = filters.runID {
            let run = try await read { try await history.run(runID) }
            return Self.json(RunsResponse(runs: run.map { [$0] } ?? [], nextCursor: nil))
        }
        let query = filters.query
        let page = try await read { try await history.runs(query) }
        return Self.json(RunsResponse(runs: page.runs, nextCursor: page.nextCursor))
    }

    /// The run and its events, or 404.
    func loadRun(_ id: String?) async throws(DashboardFailure) -> (DashboardRunView, DashboardBlueprint?) {
        let runID = try checkedRunID(id)
        let history = configuration.history
        let loaded = try await read { () async throws -> (RunSummary, [RunHistoryEvent])? in
            guard let summary = try await history.run(runID) else { return nil }
            return (summary, try await history.events(of: runID))
        }
        guard let loaded else {
            throw DashboardFailure.notFound("no run '\(runID)' in the history (never recorded, or expired)")
        }
        let (summary, events) = loaded
        let blueprint = blueprint(for: summary)
        return (DashboardRunView(summary: summary, events: events, plan: blueprint?.plan), blueprint)
    }

    func runPage(_ request: Request, id: String?) async throws -> Response {
        let (view, blueprint) = try await loadRun(id)
        let session = session(request)
        let forms = RunDetailPage.Forms(
            csrf: session.token, tokenRequired: configuration.token != nil, actionsAvailable: configuration.actions != nil)
        return Self.html(
            RunDetailPage(shell: shell).render(view, blueprint: blueprint, forms: forms, banner: nil), headers: session.headers)
    }

    func runFragment(id: String?) async throws -> Response {
        let (view, blueprint) = try await loadRun(id)
        return Self.html(
            RunDetailPage(shell: shell).fragment(view, blueprint: blueprint),
            headers: [Self.statusHeader: view.summary.status.rawValue])
    }

    func runJSON(id: String?) async throws -> Response {
        let (view, blueprint) = try await loadRun(id)
        return Self.json(RunDetailResponse(view, plan: blueprint?.plan))
    }

    // MARK: Blueprints

    func blueprintsPage() -> Response {
        Self.html(BlueprintsPage(shell: shell).render(configuration.blueprints))
    }

    func blueprintsJSON() throws -> Response {
        Self.json(["blueprints": configuration.blueprints.map(BlueprintResponse.init)])
    }

    // MARK: Actions

    func perform(_ action: Action, request: Request, id: String?, json: Bool) async throws -> Response {
        var request = request
        let runID = try checkedRunID(id)
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Dashboard.maximumFormBytes)
        } catch {
            throw DashboardFailure(
                status: .contentTooLarge, message: "the form is larger than \(Dashboard.maximumFormBytes) bytes")
        }
        let form = FormEncoding.decode(Substring(String(buffer: body)))
        try guardian.check(request, form: form)
        guard let actions = configuration.actions else { throw DashboardFailure.notFound("this dashboard offers no actions") }
        let history = configuration.history
        guard try await read({ try await history.run(runID) }) != nil else {
            throw DashboardFailure.notFound("no run '\(runID)' in the history (never recorded, or expired)")
        }
        let node = form["node"].flatMap { $0.isEmpty ? nil : $0 }
        let choice = form["action"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            switch action {
            case .cancel: try await actions.cancel(runID: runID)
            case .resume: try await actions.resume(runID: runID, nodeID: node, action: choice)
            case .redrive: try await actions.redrive(runID: runID)
            }
        } catch let error as RedisError {
            throw DashboardFailure.unavailable("Redis is unavailable: \(error)")
        } catch let error as DashboardActionUnavailable {
            throw DashboardFailure.conflict(error.description)
        } catch let error as DashboardActionRefused {
            throw DashboardFailure.conflict("\(action.rawValue) refused: \(error.description)")
        } catch {
            throw DashboardFailure.conflict("\(action.rawValue) refused: \(error)")
        }
        if json { return Self.json(["ok": true]) }
        return Response(status: .seeOther, headers: [.location: "\(base)/runs/\(HTML.component(runID))"])
    }
}
