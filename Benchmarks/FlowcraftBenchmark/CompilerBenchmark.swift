import FlowcraftCompiler
import FlowcraftModel
import Foundation

/// `flowcraft-benchmark compiler [--shape chain|dag --nodes N] [--iterations K]`
///
/// Without `--shape`, runs every case (chain and DAG × 1 000 / 10 000 / 100 000 nodes), each in a
/// child process so that its peak memory (VmHWM) is its own, and prints one JSON line per case:
/// median times of each stage (parse, decode, validate+analyze as the pipeline runs them) and of
/// the analysis alone, and the peak resident memory. `total_ms` is wall time; `total_cpu_ms` is the
/// thread's CPU time for the same work, the steadier figure on a busy machine.
enum CompilerBenchmark {
    static let sizes = [1_000, 10_000, 100_000]

    static func run(arguments: [String]) {
        var shape: BlueprintGenerator.Shape?
        var nodes = 10_000
        var iterations: Int?
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--shape": shape = BlueprintGenerator.Shape(rawValue: value)
            case "--nodes": nodes = Int(value) ?? nodes
            case "--iterations": iterations = Int(value)
            default:
                FileHandle.standardError.write(Data("unknown option \(arguments[index])\n".utf8))
                exit(2)
            }
            index += 2
        }
        if let shape {
            runCase(shape: shape, nodes: nodes, iterations: iterations ?? (nodes >= 100_000 ? 3 : 7))
        } else {
            for shape in [BlueprintGenerator.Shape.chain, .dag] {
                for n in sizes { runChild(shape: shape, nodes: n, iterations: iterations) }
            }
        }
    }

    /// Re-runs this executable for one case so its memory peak is measured alone.
    private static func runChild(shape: BlueprintGenerator.Shape, nodes: Int, iterations: Int?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        var arguments = ["compiler", "--shape", shape.rawValue, "--nodes", String(nodes)]
        if let iterations { arguments += ["--iterations", String(iterations)] }
        process.arguments = arguments
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            FileHandle.standardError.write(Data("cannot run case \(shape) \(nodes): \(error)\n".utf8))
        }
    }

    private static func runCase(shape: BlueprintGenerator.Shape, nodes: Int, iterations: Int) {
        let (text, edges) = BlueprintGenerator.yaml(shape: shape, nodes: nodes)
        let bytes = Array(text.utf8)
        let file = "\(shape.rawValue)-\(nodes).yaml"
        let compiler = BlueprintCompiler()
        let baselineKB = peakResidentKB()
        var parse: [Double] = []
        var decode: [Double] = []
        var validate: [Double] = []
        var analyze: [Double] = []
        var total: [Double] = []
        var totalCPU: [Double] = []
        var parseCPU: [Double] = []
        var decodeCPU: [Double] = []
        var validateCPU: [Double] = []
        var diagnostics = 0
        for _ in 0..<max(1, iterations) {
            let c0 = threadCPUNanoseconds()
            let t0 = DispatchTime.now().uptimeNanoseconds
            // As in the pipeline, the syntax tree is gone before validation starts.
            var t1: UInt64 = 0
            var c1: UInt64 = 0
            let (blueprint, frontEndDiagnostics): (WorkflowBlueprint?, Int) = {
                let parsed = bytes.withUnsafeBufferPointer { compiler.parse(bytes: $0, file: file) }
                t1 = DispatchTime.now().uptimeNanoseconds
                c1 = threadCPUNanoseconds()
                let (blueprint, decodeDiagnostics) = compiler.decode(parsed, file: file)
                return (blueprint, parsed.diagnostics.count + decodeDiagnostics.count)
            }()
            let t2 = DispatchTime.now().uptimeNanoseconds
            let c2 = threadCPUNanoseconds()
            let blueprints = blueprint.map { [$0] } ?? []
            let (validateDiagnostics, _) = compiler.validateAndAnalyze(blueprints)
            let t3 = DispatchTime.now().uptimeNanoseconds
            let c3 = threadCPUNanoseconds()
            _ = blueprints.map(compiler.analyze)
            let t4 = DispatchTime.now().uptimeNanoseconds
            parse.append(ms(t1 - t0))
            decode.append(ms(t2 - t1))
            validate.append(ms(t3 - t2))
            analyze.append(ms(t4 - t3))
            total.append(ms(t3 - t0))
            totalCPU.append(ms(c3 - c0))
            parseCPU.append(ms(c1 - c0))
            decodeCPU.append(ms(c2 - c1))
            validateCPU.append(ms(c3 - c2))
            diagnostics = frontEndDiagnostics + validateDiagnostics.count
        }
        let peakKB = peakResidentKB()
        let line = [
            "\"mode\":\"compiler\"",
            "\"shape\":\"\(shape.rawValue)\"",
            "\"nodes\":\(nodes)",
            "\"edges\":\(edges)",
            "\"input_bytes\":\(bytes.count)",
            "\"iterations\":\(iterations)",
            "\"parse_ms\":\(format(median(parse)))",
            "\"decode_ms\":\(format(median(decode)))",
            "\"validate_analyze_ms\":\(format(median(validate)))",
            "\"total_ms\":\(format(median(total)))",
            "\"parse_cpu_ms\":\(format(median(parseCPU)))",
            "\"decode_cpu_ms\":\(format(median(decodeCPU)))",
            "\"validate_analyze_cpu_ms\":\(format(median(validateCPU)))",
            "\"total_cpu_ms\":\(format(median(totalCPU)))",
            "\"analyze_only_ms\":\(format(median(analyze)))",
            "\"peak_rss_mb\":\(format(Double(peakKB) / 1024))",
            "\"baseline_rss_mb\":\(format(Double(baselineKB) / 1024))",
            "\"diagnostics\":\(diagnostics)",
        ].joined(separator: ",")
        print("{\(line)}")
    }

    /// CPU time of this thread: unlike wall time, not inflated when other processes share the cores.
    private static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private static func ms(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1_000_000 }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    private static func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// VmHWM from /proc/self/status (kB), or getrusage's maxrss where /proc is absent.
    static func peakResidentKB() -> Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                let digits = line.filter(\.isNumber)
                if let kb = Int(digits) { return kb }
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }
}
