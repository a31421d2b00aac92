import FlowcraftCompiler

/// The generator's command line, parsed by hand so the tool links nothing but the compiler (the build
/// plugin builds it before every first build; it must be quick to compile).
///
/// ```
/// flowcraft-generator --output DIR [--source-root DIR] [--file INPUT NAME]… [--registry-file NAME]
///                     [--warnings-as-errors] [--quiet] [PATH…]
/// ```
struct GeneratorArguments {
    var request = CodeGenerationRequest(inputs: [], outputDirectory: "")
    var quiet = false

    static let usage = """
        usage: flowcraft-generator --output DIR [--source-root DIR] [--file INPUT OUTPUT-NAME]...
                                   [--registry-file NAME] [--warnings-as-errors] [--quiet] [PATH...]
          Validates blueprints and writes typed Swift into DIR (only files whose content changed).
          --file names the generated file for one input; PATHs get default names.

        """

    enum ParseError: Error {
        case usage(String)
        case help
    }

    static func parse(_ arguments: [String]) throws(ParseError) -> GeneratorArguments {
        var parsed = GeneratorArguments()
        var output: String?
        var i = 0
        func value(_ option: String) throws(ParseError) -> String {
            i += 1
            guard i < arguments.count else { throw .usage("missing value for \(option)") }
            return arguments[i]
        }
        while i < arguments.count {
            let argument = arguments[i]
            switch argument {
            case "--output", "-o": output = try value(argument)
            case "--source-root": parsed.request.options.sourceRoot = try value(argument)
            case "--registry-file": parsed.request.options.registryFileName = try value(argument)
            case "--file":
                let input = try value(argument)
                let name = try value(argument)
                guard !name.contains("/"), name.hasSuffix(".swift") else {
                    throw .usage("--file output name must be a plain file name ending in .swift: \(name)")
                }
                parsed.request.inputs.append(input)
                parsed.request.options.fileNames[input] = name
            case "--warnings-as-errors": parsed.request.warningsAsErrors = true
            case "--quiet", "-q": parsed.quiet = true
            case "--help", "-h": throw .help
            default:
                if argument.hasPrefix("-") && argument != "-" { throw .usage("unknown option \(argument)") }
                parsed.request.inputs.append(argument)
            }
            i += 1
        }
        guard let output else { throw .usage("--output DIR is required") }
        guard !parsed.request.inputs.isEmpty else { throw .usage("no blueprint paths given") }
        parsed.request.outputDirectory = output
        return parsed
    }
}
