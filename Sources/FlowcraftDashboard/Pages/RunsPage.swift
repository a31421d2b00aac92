import Flowcraft

/// The Runs page: the run history's list, newest first, with filters, a run-id search and
/// server-side paging through the history's cursor.
struct RunsPage {
    let shell: PageShell

    func render(_ page: RunPage?, filters: RunFilters, banner: String?) -> String {
        let statuses = ([""] + RunHistoryStatus.allCases.map(\.rawValue)).map { value in
            "<option value=\"\(value)\"\(filters.status?.rawValue == value || (value.isEmpty && filters.status == nil) ? " selected" : "")>\(value.isEmpty ? "any" : value)</option>"
        }.joined()
        let form = """
            <form class="filters" method="get" action="\(shell.base)/runs">
            <label>Status<select name="status">\(statuses)</select></label>
            <label>Blueprint<input name="blueprint" value="\(HTML.escape(filters.blueprint ?? ""))" size="18"></label>
            <label>Started within<input name="since" value="\(HTML.escape(filters.since ?? ""))" placeholder="1h, 7d" size="6"></label>
            <label>Per page<input name="limit" value="\(filters.limit)" size="4"></label>
            <button type="submit">Filter</button>
            <label>Run id<input name="run" placeholder="go to run id" size="28"></label><button type="submit">Go</button>
            </form>
            """
        var body = "<h1>Runs</h1>" + form
        guard let page else { return shell.render(title: "Runs", section: .runs, banner: banner, body: body) }
        if page.runs.isEmpty {
            body += "<p class=\"muted\" id=\"no-runs\">No runs match.</p>"
        } else {
            let rows = page.runs.map { run in
                """
                <tr data-run="\(HTML.escape(run.runID))" data-status="\(run.status.rawValue)">\
                <td><a href="\(shell.base)/runs/\(HTML.component(run.runID))"><code>\(HTML.escape(run.runID))</code></a></td>\
                <td>\(HTML.escape(run.blueprintID))\(run.blueprintVersion.map { " <span class=\"muted\">@\(HTML.escape($0))</span>" } ?? "")</td>\
                <td>\(PageShell.statusBadge(run.status.rawValue))</td><td>\(HTML.time(run.startedAt))</td>\
                <td class="num">\(HTML.duration(run.durationMs))</td><td>\(run.failedNodeID.map { "<code>\(HTML.escape($0))</code>" } ?? "")</td></tr>
                """
            }.joined()
            body += """
                <table id="runs"><thead><tr><th>Run</th><th>Blueprint</th><th>Status</th><th>Started (UTC)</th>\
                <th>Duration</th><th>Failed node</th></tr></thead><tbody>\(rows)</tbody></table>
                """
        }
        var pager: [String] = []
        if filters.cursor != nil { pager.append("<a href=\"\(shell.base)/runs?\(filters.queryString(cursor: nil))\">« First page</a>") }
        if let next = page.nextCursor {
            pager.append("<a id=\"next-page\" href=\"\(shell.base)/runs?\(filters.queryString(cursor: next))\">Next page »</a>")
        }
        if !pager.isEmpty { body += "<p class=\"pager\">" + pager.joined(separator: " · ") + "</p>" }
        return shell.render(title: "Runs", section: .runs, banner: banner, body: body)
    }
}
