import Flowcraft
import Foundation

/// `flowcraft-benchmark engine --compare-history MODE [--rounds N] [--shape …]`: what recording run
/// history costs the engine benchmark, measured in one process. Each round runs every selected
/// case without history and with `MODE` (`sqlite`: one SQLite file for every round, as a single
/// `--history sqlite` pass has one for every case), in alternating order; one warm-up round is not
/// counted.
///
/// Separate processes compare badly on these VMs: two byte-identical copies of the benchmark at
/// different paths ran 5–8 % apart, pass after pass. Here both sides run the same code in the
/// same process, a round's two sides seconds apart, so each round gives a paired ratio (history
/// over none) that slow drifts of the machine cancel out of. Prints, per case and for the whole
/// benchmark (the sum of a round's cases), the median and best time of each side, their ratios, and
/// the median of the paired ratios (with their range): the figure to trust. `--compare-history none`
/// compares the engine with itself: the method's own noise (paired ratios within a few hundredths
/// of 1 here). `FLOWCRAFT_BENCH_ROUNDS=1` also prints every round's times. The concurrent cases
/// (fan-out, concurrent runs) still meet slow phases of the VM that last seconds (both sides about
/// twice as slow, more CPU for the same work), which the ranges show.
struct HistoryComparison {
    var cases: EngineBenchmark.Cases
    var options: FlowRuntime.Options
    var history: String
    var rounds: Int

    /// One side's times per round: `[round][case]`.
    private typealias Times = [[Double]]

    func run() async {
        let path = EngineBenchmark.temporaryHistoryPath()
        defer { EngineBenchmark.removeHistory(at: path) }
        var recorded = options
        recorded.history = await EngineBenchmark.openHistory(history, path: path)
        print("history \(history) against none: \(rounds) rounds (and a warm-up), alternating which side runs first")
        var labels: [String] = []
        var without: Times = []
        var with: Times = []
        do {
            for round in 0...rounds {
                let historyFirst = round % 2 == 1
                var times: (none: EngineBenchmark.CaseTimes, history: EngineBenchmark.CaseTimes) = ([], [])
                for recording in historyFirst ? [true, false] : [false, true] {
                    if recording {
                        times.history = try await cases.measure(options: recorded, printing: false)
                    } else {
                        times.none = try await cases.measure(options: options, printing: false)
                    }
                }
                // Round 0 warms up (first touches of the heap, the SQLite library's pages).
                guard round > 0 else { continue }
                labels = times.none.map(\.label)
                without.append(times.none.map(\.milliseconds))
                with.append(times.history.map(\.milliseconds))
                if ProcessInfo.processInfo.environment["FLOWCRAFT_BENCH_ROUNDS"] != nil {
                    print("round \(round)\(historyFirst ? " (history first)" : ""): none "
                        + times.none.map { String(format: "%.1f", $0.milliseconds) }.joined(separator: " ") + " | \(history) "
                        + times.history.map { String(format: "%.1f", $0.milliseconds) }.joined(separator: " "))
                }
            }
        } catch {
            FileHandle.standardError.write(Data("engine benchmark failed: \(error)\n".utf8))
            exit(1)
        }
        report(labels: labels, without: without, with: with)
    }

    private func report(labels: [String], without: Times, with: Times) {
        print(
            pad("case", 20) + pad("none med", 10) + pad(history + " med", 12) + pad("x", 7) + pad("none best", 10)
                + pad(history + " best", 12) + pad("x", 7) + "paired x (median, min-max)")
        var rows = labels.indices.map { c in (labels[c], without.map { $0[c] }, with.map { $0[c] }) }
        rows.append(("whole (sum)", without.map { $0.reduce(0, +) }, with.map { $0.reduce(0, +) }))
        for (label, none, recorded) in rows {
            let paired = zip(recorded, none).map { $0 / $1 }
            print(
                pad(label, 20) + pad(format(Self.median(none)), 10) + pad(format(Self.median(recorded)), 12)
                    + pad(ratio(Self.median(recorded), Self.median(none)), 7) + pad(format(none.min() ?? 0), 10)
                    + pad(format(recorded.min() ?? 0), 12) + pad(ratio(recorded.min() ?? 0, none.min() ?? 1), 7)
                    + "\(String(format: "%.3f", Self.median(paired))) (\(String(format: "%.3f", paired.min() ?? 0))–\(String(format: "%.3f", paired.max() ?? 0)))"
            )
        }
        print("(milliseconds of wall time; x: \(history) over none)")
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    private func format(_ milliseconds: Double) -> String { String(format: "%.2f", milliseconds) }
    private func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.3f", b > 0 ? a / b : 0) }
    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
