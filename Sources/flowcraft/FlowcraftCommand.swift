import ArgumentParser

@main
struct FlowcraftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowcraft",
        abstract: "Compile, inspect and run Flowcraft workflow blueprints."
    )
}
