import ArgumentParser

/// `--db FILE` on a command that acts on distributed runs only: accepted (hidden from the help) so
/// that the command can say why not and what to use instead, rather than "unknown option".
struct RefusedHistoryFileOption: ParsableArguments {
    @Option(help: .hidden)
    var db: String?

    /// Throws a usage error starting `--db: ` and giving `reason` when `--db` was given.
    func refuse(because reason: String) throws {
        if db != nil { throw ValidationError("--db: " + reason) }
    }
}
