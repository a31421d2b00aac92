import ArgumentParser
import Foundation

@main
struct FlowcraftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowcraft",
        abstract: "Compile, inspect and run Flowcraft workflow blueprints.",
        // Add new subcommands here, one file each.
        subcommands: [
            ValidateCommand.self,
            InspectCommand.self,
            GraphCommand.self,
            GenerateCommand.self,
            QueueWorkerCommand.self,
            StartCommand.self,
            StatusCommand.self,
            ResumeCommand.self,
            CancelCommand.self,
            RedriveCommand.self,
            ReconcileCommand.self,
            WorkerCommand.self,
            RunCommand.self,
            RunsCommand.self,
            ReplayCommand.self,
            DashboardCommand.self,
        ]
    )

    /// Runs the command; usage errors exit with status 2 (README, "The CLI") instead of ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
