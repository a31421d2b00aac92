/// The Queues page: per queue, job counts by state, the workers connected and a throughput chart.
struct QueuesPage {
    let shell: PageShell

    func render(_ snapshots: [DashboardQueueSnapshot], banner: String?) -> String {
        let live = """
            <div id="live" data-live-url="\(shell.base)/queues/live" data-status="queues" data-interval="5000">\
            \(fragment(snapshots))</div>
            """
        return shell.render(title: "Queues", section: .queues, banner: banner, body: "<h1>Queues</h1>" + live)
    }

    func fragment(_ snapshots: [DashboardQueueSnapshot]) -> String {
        if snapshots.isEmpty { return "<p class=\"muted\">No queue configured.</p>" }
        return "<div class=\"cards\">" + snapshots.map(card).joined() + "</div>"
    }

    private func card(_ q: DashboardQueueSnapshot) -> String {
        let counts: [(String, Int)] = [
            ("waiting", q.waiting), ("active", q.active), ("delayed", q.delayed), ("prioritized", q.prioritized),
            ("failed", q.failed), ("completed", q.completed),
        ]
        let cells = counts.map { "<div data-count=\"\($0.0)\"><b>\($0.1)</b>\($0.0)</div>" }.joined()
        let workers = q.workers.isEmpty
            ? "<span class=\"muted\">none</span>"
            : q.workers.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")
        return """
            <section class="card" data-queue="\(HTML.escape(q.name))"><h2>\(HTML.escape(q.name))\
            \(q.paused > 0 ? " <span class=\"muted\">(\(q.paused) paused)</span>" : "")</h2>
            <div class="counts">\(cells)</div>
            <p>Workers connected (\(q.workers.count)): \(workers)</p>
            \(chart(q.throughput))</section>
            """
    }

    /// Stacked bars: completed (green) and failed (red) jobs per bucket.
    private func chart(_ buckets: [ThroughputBucket]) -> String {
        guard !buckets.isEmpty else { return "" }
        let width = 400.0
        let height = 70.0
        let peak = max(1, buckets.map { $0.completed + $0.failed }.max() ?? 1)
        let step = width / Double(buckets.count)
        var bars = ""
        for (i, bucket) in buckets.enumerated() {
            let x = Double(i) * step
            let ok = Double(bucket.completed) / Double(peak) * height
            let bad = Double(bucket.failed) / Double(peak) * height
            let tip = "\(HTML.time(bucket.start)): \(bucket.completed) completed, \(bucket.failed) failed"
            bars += "<g><title>\(tip)</title>"
            if ok > 0 { bars += "<rect x=\"\(x)\" y=\"\(height - ok)\" width=\"\(step * 0.8)\" height=\"\(ok)\" fill=\"#16a34a\"/>" }
            if bad > 0 {
                bars += "<rect x=\"\(x)\" y=\"\(height - ok - bad)\" width=\"\(step * 0.8)\" height=\"\(bad)\" fill=\"#dc2626\"/>"
            }
            bars += "</g>"
        }
        let total = buckets.reduce(0) { $0 + $1.completed + $1.failed }
        let minutes = max(1, (buckets.count * Int(QueueThroughput.bucketMilliseconds)) / 60_000)
        return """
            <p class="muted">Jobs finished in the last \(minutes) min: \(total) (peak \(peak) per \
            \(QueueThroughput.bucketMilliseconds / 1000) s)</p>
            <svg class="throughput" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))">\
            <rect width="\(Int(width))" height="\(Int(height))" fill="#f8fafc"/>\(bars)</svg>
            """
    }
}
