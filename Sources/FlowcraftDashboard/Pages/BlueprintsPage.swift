/// The Blueprints page: each loaded blueprint's graph and its validation findings.
struct BlueprintsPage {
    let shell: PageShell

    func render(_ blueprints: [DashboardBlueprint]) -> String {
        var body = "<h1>Blueprints</h1>"
        if blueprints.isEmpty {
            body += "<p class=\"muted\">No blueprint loaded (start the dashboard with --blueprints PATH).</p>"
        }
        for blueprint in blueprints {
            body += """
                <section class="card" id="bp-\(HTML.escape(blueprint.id))"><h2>\(HTML.escape(blueprint.id))\
                \(blueprint.version.map { " <span class=\"muted\">@\(HTML.escape($0))</span>" } ?? "")</h2>\
                \(blueprint.blueprint.description.map { "<p>\(HTML.escape($0))</p>" } ?? "")
                """
            if blueprint.findings.isEmpty {
                body += "<p class=\"muted\">No findings.</p>"
            } else {
                body += "<ul class=\"findings\">" + blueprint.findings.map { finding in
                    "<li class=\"finding-\(finding.severity.rawValue)\"><b>\(finding.severity.rawValue)</b>\(finding.location.map { " <code>\(HTML.escape($0.file)):\($0.line)</code>" } ?? ""): \(HTML.escape(finding.message))</li>"
                }.joined() + "</ul>"
            }
            if let plan = blueprint.plan {
                body += GraphSVG.render(GraphLayout(plan: plan), plan: plan)
            }
            body += "</section>"
        }
        return shell.render(title: "Blueprints", section: .blueprints, body: body)
    }
}
