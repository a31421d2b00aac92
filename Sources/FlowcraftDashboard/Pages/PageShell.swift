/// The frame every page shares: navigation, the unavailability banner, the stylesheet and script.
struct PageShell {
    enum Section: String {
        case queues = "Queues", runs = "Runs", blueprints = "Blueprints", none = ""
    }

    let base: String

    func render(title: String, section: Section, banner: String? = nil, body: String) -> String {
        let nav = [Section.queues, .runs, .blueprints].map { item in
            let path = item == .queues ? "queues" : item == .runs ? "runs" : "blueprints"
            return "<a href=\"\(base)/\(path)\"\(item == section ? " class=\"current\"" : "")>\(item.rawValue)</a>"
        }.joined()
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(HTML.escape(title)) · Flowcraft</title>
            <meta name="viewport" content="width=device-width,initial-scale=1">
            <link rel="stylesheet" href="\(base)/assets/dashboard.css"></head>
            <body><header><span class="brand">Flowcraft</span>\(nav)</header><main>
            \(banner.map { "<div class=\"banner\" id=\"banner\">\(HTML.escape($0))</div>" } ?? "")
            \(body)</main><script src="\(base)/assets/dashboard.js"></script></body></html>
            """
    }

    /// A page that only says what went wrong (unknown run, bad filter, …).
    func error(status: Int, message: String) -> String {
        render(
            title: "Error \(status)", section: .none,
            body: "<h1>Error \(status)</h1><p class=\"error\" id=\"error\">\(HTML.escape(message))</p>")
    }

    static func statusBadge(_ status: String) -> String {
        "<span class=\"status status-\(HTML.escape(status))\">\(HTML.escape(status))</span>"
    }
}
