import Flowcraft

// Nodes of Blueprints/polling-loop.yaml and flowcraft-json-example.json (a plain Flowcraft JSON
// blueprint, compiled unchanged).

struct StartExportJob: StartExportJobNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["jobId": "export-7"]
    }
}

struct CheckExportStatus: CheckExportStatusNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        // Reports "running" twice, then "done", so the example shows the loop going round.
        let checks = (try await context.state.get("example.status-checks")?.intValue ?? 0) + 1
        try await context.state.set("example.status-checks", .int(checks))
        return ["state": checks < 3 ? "running" : "done"]
    }
}

struct DownloadExport: DownloadExportNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["bytes": 2048]
    }
}

struct HTTPFetch: HttpFetchNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["url": params["url"] ?? .null, "wordCount": 640, "text": "Swift 6.3 ships. It is fast. More below."]
    }
}

struct LLMSummarize: LlmSummarizeNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        .string("Swift 6.3 ships.")
    }
}

struct ExtractFirstParagraph: ExtractFirstParagraphNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        input["text"] ?? .null
    }
}

struct LLMKeywords: LlmKeywordsNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["swift", "release"]
    }
}

struct ComposeDigest: ComposeDigestNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["digest": ["summary": input["summary"] ?? .null, "keywords": input["keywords"] ?? .null]]
    }
}

struct PublishDigest: PublishDigestNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["published": input]
    }
}

struct LogSkip: LogSkipNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["skipped": true]
    }
}
