import Foundation

// `flowcraft-benchmark MODE [options]`: one mode per file; add new modes to this switch.
let arguments = Array(CommandLine.arguments.dropFirst())
let modeArguments = Array(arguments.dropFirst())

switch arguments.first {
case "compiler":
    CompilerBenchmark.run(arguments: modeArguments)
case "queue":
    await QueueBenchmark.run(arguments: modeArguments)
case "redis":
    await RedisBenchmark.run(arguments: modeArguments)
case "engine":
    await EngineBenchmark.run(arguments: modeArguments)
case "e2e":
    await E2EBenchmark.run(arguments: modeArguments)
case "retention":
    await RetentionBenchmark.run(arguments: modeArguments)
case "history-store":
    await HistoryStoreBenchmark.run(arguments: modeArguments)
case "e2e-worker":
    await E2EBenchmark.runWorker(arguments: modeArguments)
default:
    FileHandle.standardError.write(Data("usage: flowcraft-benchmark compiler|queue|redis|engine|e2e|retention|history-store [options]\n".utf8))
    exit(2)
}
