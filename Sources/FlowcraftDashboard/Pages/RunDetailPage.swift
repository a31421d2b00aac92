import Flowcraft
import Foundation

/// The Run page (one run): summary, actions, and a live region with the graph (node states, taken edges),
/// the failed node's error with its YAML line, a Gantt timeline of node executions and attempts,
/// pauses and resumes, child runs and the context (internal keys hidden).
struct RunDetailPage {
    let shell: PageShell

    struct Forms {
        var csrf: String
        var tokenRequired: Bool
        var actionsAvailable: Bool
    }

    func render(_ view: DashboardRunView, blueprint: DashboardBlueprint?, forms: Forms, banner: String?) -> String {
        let run = view.summary
        var body = """
            <h1>Run <code id="run-id">\(HTML.escape(run.runID))</code> \(PageShell.statusBadge(run.status.rawValue))</h1>
            <p>Blueprint <a href="\(shell.base)/blueprints#bp-\(HTML.escape(run.blueprintID))">\(HTML.escape(run.blueprintID))</a>\
            \(run.blueprintVersion.map { " @\(HTML.escape($0))" } ?? "") · started \(HTML.time(run.startedAt)) UTC\
            \(run.endedAt.map { " · ended \(HTML.time($0)) UTC (\(HTML.duration($0 - run.startedAt)))" } ?? "")\
            \(run.redriveCount > 0 ? " · redriven \(run.redriveCount)×" : "")\
            \(run.parentRunID.map { " · child of <a href=\"\(shell.base)/runs/\(HTML.component($0))\">\(HTML.escape($0))</a>\(run.parentNodeID.map { " (node \(HTML.escape($0)))" } ?? "")" } ?? "")</p>
            """
        body += actions(view, plan: blueprint?.plan, forms: forms)
        body += """
            <div id="live" data-live-url="\(shell.base)/runs/\(HTML.component(run.runID))/live" \
            data-status="\(run.status.rawValue)" data-interval="2000">\(fragment(view, blueprint: blueprint))</div>
            """
        return shell.render(title: "Run \(run.runID)", section: .runs, banner: banner, body: body)
    }

    /// The part that live updates replace.
    func fragment(_ view: DashboardRunView, blueprint: DashboardBlueprint?) -> String {
        let run = view.summary
        var html = ""
        if run.status == .failed {
            let location = view.failureLocation.map { " at <code class=\"location\">\(HTML.escape($0.file)):\($0.line)</code>" } ?? ""
            html += """
                <div class="card" id="failure"><h2>Failed\(run.failedNodeID.map { " at node <code id=\"failed-node\">\(HTML.escape($0))</code>" } ?? "")\(location)</h2>\
                <p class="error" id="run-error">\(HTML.escape(run.error ?? "no error recorded"))</p></div>
                """
        }
        if let plan = blueprint?.plan {
            let layout = GraphLayout(plan: plan)
            html += "<div class=\"card\" id=\"graph\"><h2>Graph</h2>" + legend()
                + GraphSVG.render(layout, plan: plan, states: view.nodeStates, takenEdges: view.takenEdges) + "</div>"
        } else {
            html += "<div class=\"notice\">The blueprint '\(HTML.escape(run.blueprintID))' is not loaded in this dashboard: no graph.</div>"
        }
        html += timeline(view)
        let pauses = view.events.compactMap { event -> String? in
            switch event.kind {
            case .paused(let nodes): return "<li>\(HTML.time(event.time)) paused on \(nodes.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", "))</li>"
            case .resumed(let node, let action):
                return "<li>\(HTML.time(event.time)) resumed <code>\(HTML.escape(node))</code>\(action.map { " with action <code>\(HTML.escape($0))</code>" } ?? "")</li>"
            case .redriven(let nodes): return "<li>\(HTML.time(event.time)) redriven from \(nodes.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", "))</li>"
            default: return nil
            }
        }
        if !pauses.isEmpty { html += "<div class=\"card\"><h2>Pauses and resumes</h2><ul>\(pauses.joined())</ul></div>" }
        if !view.childRuns.isEmpty {
            html += "<div class=\"card\" id=\"children\"><h2>Child runs</h2><ul>" + view.childRuns.map {
                "<li><code>\(HTML.escape($0.nodeID))</code> → <a href=\"\(shell.base)/runs/\(HTML.component($0.runID))\">\(HTML.escape($0.runID))</a></li>"
            }.joined() + "</ul></div>"
        }
        let shown = Self.contextText(view.context)
        var note = ""
        if shown.truncated {
            let api = "\(shell.base)/api/runs/\(HTML.component(view.summary.runID))"
            note = "<p class=\"muted\" id=\"context-truncated\">The page shows the context's first \(Self.contextShownBytes / 1024) KB; "
                + "the whole context: <a href=\"\(api)\">\(HTML.escape(api))</a>.</p>"
        }
        html += "<div class=\"card\"><h2>Context</h2>\(note)<pre id=\"context\">\(HTML.escape(shown.text))</pre></div>"
        return html
    }

    private func legend() -> String {
        "<p class=\"legend\">" + DashboardRunView.NodeState.allCases.map {
            "<span><i style=\"background:\(GraphSVG.fill(for: $0))\"></i>\($0.rawValue)</span>"
        }.joined() + "<span><b>━</b> taken edge</span></p>"
    }

    private func actions(_ view: DashboardRunView, plan: CompiledBlueprint?, forms: Forms) -> String {
        guard forms.actionsAvailable else { return "" }
        let run = view.summary
        let path = "\(shell.base)/runs/\(HTML.component(run.runID))"
        let hidden = "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(forms.csrf))\">"
            + (forms.tokenRequired ? "<input type=\"password\" name=\"token\" placeholder=\"token\" size=\"10\" required>" : "")
        var html = ""
        if run.status == .waiting {
            for node in view.waitingNodes {
                let routed = plan.map { DashboardRunView.routedActions(of: node, in: $0) } ?? []
                let choice = routed.isEmpty ? "" : "<select name=\"action\">" + routed.map {
                    "<option value=\"\(HTML.escape($0))\">\(HTML.escape($0))</option>"
                }.joined() + "</select>"
                html += """
                    <form class="inline resume" method="post" action="\(path)/resume">\(hidden)\
                    <input type="hidden" name="node" value="\(HTML.escape(node))">Resume <code>\(HTML.escape(node))</code> \
                    \(choice) <button type="submit" id="resume-\(HTML.escape(node))">Resume</button></form>
                    """
            }
        }
        if run.status.isActive {
            html += "<form class=\"inline\" method=\"post\" action=\"\(path)/cancel\">\(hidden)<button class=\"danger\" type=\"submit\" id=\"cancel\">Cancel run</button></form>"
        }
        if run.status == .failed {
            html += "<form class=\"inline\" method=\"post\" action=\"\(path)/redrive\">\(hidden)<button type=\"submit\" id=\"redrive\">Redrive from the failed node</button></form>"
        }
        return html.isEmpty ? "" : "<div class=\"card\" id=\"actions\">\(html)</div>"
    }

    /// Bars per node execution, one segment per attempt, placed on the run's time axis.
    private func timeline(_ view: DashboardRunView) -> String {
        let executions = view.executions.filter { $0.startedAt != nil }
        guard !executions.isEmpty else { return "" }
        let start = min(view.summary.startedAt, executions.compactMap(\.startedAt).min() ?? view.summary.startedAt)
        let end = max(view.summary.endedAt ?? 0, executions.compactMap(\.endedAt).max() ?? start)
        let span = Double(max(end - start, 1))
        func percent(_ t: Int64) -> String { String(format: "%.2f", Double(t - start) / span * 100) }
        let rows = executions.map { execution in
            let bars = execution.attempts.enumerated().map { index, attempt in
                let last = index == execution.attempts.count - 1
                let cls = attempt.error == nil ? "ok" : (last ? "failed" : "retry")
                let width = String(format: "%.2f", max(Double(attempt.endedAt - attempt.startedAt) / span * 100, 0.3))
                let tip = "attempt \(index + 1): \(HTML.duration(attempt.endedAt - attempt.startedAt))\(attempt.error.map { " — \($0)" } ?? "")"
                return "<div class=\"bar \(cls)\" style=\"left:\(percent(attempt.startedAt))%;width:\(width)%\" title=\"\(HTML.escape(tip))\"></div>"
            }.joined()
            let name = execution.nodeID + (execution.iteration > 0 ? " #\(execution.iteration)" : "")
                + (execution.attempts.count > 1 ? " (\(execution.attempts.count) attempts)" : "")
            return """
                <div class="row" data-execution="\(HTML.escape(execution.nodeID))" data-status="\(execution.status.rawValue)">\
                <div class="name" title="\(HTML.escape(name))">\(HTML.escape(name))</div><div class="track">\(bars)</div>\
                <div class="muted" style="width:80px;text-align:right">\(HTML.duration(execution.durationMs))</div></div>
                """
        }.joined()
        return "<div class=\"card\" id=\"timeline\"><h2>Timeline</h2><div class=\"gantt\">\(rows)</div></div>"
    }

    /// Context bytes a page shows at most (a run's page and its live fragment, refreshed every 2 s,
    /// would otherwise carry a context of megabytes each time; the JSON API has it whole).
    static let contextShownBytes = 64 * 1024
    /// Bytes of one value shown at most.
    static let valueShownBytes = 4 * 1024

    /// The context as JSON with one member per line (the context is usually a flat object), cut to
    /// ``contextShownBytes`` (a long value to ``valueShownBytes``, marked with its size).
    static func contextText(_ context: [String: JSONValue]) -> (text: String, truncated: Bool) {
        if context.isEmpty { return ("{}", false) }
        var lines: [String] = []
        var bytes = 0
        var truncated = false
        let keys = context.keys.sorted()
        for (index, key) in keys.enumerated() {
            var value = JSONText.serialize(context[key] ?? .null)
            if value.utf8.count > valueShownBytes {
                let size = value.utf8.count
                value = String(decoding: value.utf8.prefix(valueShownBytes), as: UTF8.self) + " … (\(size) bytes)"
                truncated = true
            }
            let line = "  \(JSONText.quoted(key)): \(value)"
            if bytes + line.utf8.count > contextShownBytes {
                lines.append("  … \(keys.count - index) more key\(keys.count - index == 1 ? "" : "s")")
                truncated = true
                break
            }
            bytes += line.utf8.count
            lines.append(line)
        }
        return ("{\n" + lines.joined(separator: ",\n") + "\n}", truncated)
    }
}
