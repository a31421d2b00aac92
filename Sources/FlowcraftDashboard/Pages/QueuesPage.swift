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
        // A sharded queue's shard queues (consecutive, same `shardOf`) are shown under one card of
        // the logical queue with their totals; each shard's own card folds out below it.
        var cards = ""
        var index = snapshots.startIndex
        while index < snapshots.endIndex {
            guard let logical = snapshots[index].shardOf else {
                cards += card(snapshots[index])
                index += 1
                continue
            }
            var end = index
            while end < snapshots.endIndex, snapshots[end].shardOf == logical { end += 1 }
            cards += group(logical, shards: Array(snapshots[index..<end]))
            index = end
        }
        return "<div class=\"cards\">" + cards + "</div>"
    }

    /// The card of a sharded queue: its shards' summed counts and throughput, the workers serving it,
    /// and the shard cards in a fold.
    private func group(_ name: String, shards: [DashboardQueueSnapshot]) -> String {
        var total = DashboardQueueSnapshot(name: name)
        var buckets: [Int64: ThroughputBucket] = [:]
        for shard in shards {
            total.waiting += shard.waiting
            total.active += shard.active
            total.delayed += shard.delayed
            total.prioritized += shard.prioritized
            total.failed += shard.failed
            total.completed += shard.completed
            total.paused += shard.paused
            for bucket in shard.throughput {
                var sum = buckets[bucket.start] ?? ThroughputBucket(start: bucket.start, completed: 0, failed: 0)
                sum.completed += bucket.completed
                sum.failed += bucket.failed
                buckets[bucket.start] = sum
            }
        }
        total.workers = Set(shards.flatMap(\.workers)).sorted()
        total.throughput = buckets.values.sorted { $0.start < $1.start }
        let fold = """
            <details><summary>\(shards.count) shard queues</summary><div class="cards">\(shards.map(card).joined())</div></details>
            """
        return card(total, attribute: "data-queue-group", title: " <span class=\"muted\">(\(shards.count) shards)</span>", fold: fold)
    }

    private func card(_ q: DashboardQueueSnapshot) -> String {
        card(q, attribute: "data-queue", title: "", fold: "")
    }

    private func card(_ q: DashboardQueueSnapshot, attribute: String, title: String, fold: String) -> String {
        let counts: [(String, Int)] = [
            ("waiting", q.waiting), ("active", q.active), ("delayed", q.delayed), ("prioritized", q.prioritized),
            ("failed", q.failed), ("completed", q.completed),
        ]
        let cells = counts.map { "<div data-count=\"\($0.0)\"><b>\($0.1)</b>\($0.0)</div>" }.joined()
        let workers = q.workers.isEmpty
            ? "<span class=\"muted\">none</span>"
            : q.workers.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")
        return """
            <section class="card" \(attribute)="\(HTML.escape(q.name))"><h2>\(HTML.escape(q.name))\(title)\
            \(q.paused > 0 ? " <span class=\"muted\">(\(q.paused) paused)</span>" : "")</h2>
            <div class="counts">\(cells)</div>
            <p>Workers connected (\(q.workers.count)): \(workers)</p>
            \(chart(q.throughput))\(fold)</section>
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
