import Flowcraft

// Untyped nodes of Blueprints/content-moderation.yaml and moderation-review.yaml: input, params
// and output are `JSONValue`. `triage-post` declares its actions, so it returns a typed action.

struct ReceivePost: ReceivePostNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        try await context.state.get("post") ?? .null
    }
}

struct LLMClassify: LlmClassifyNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        // A stand-in for a model call: flags posts that mention a phone number.
        let text = input["text"]?.stringValue ?? ""
        let flagged = params["question"]?.stringValue?.contains("personal data") == true && text.contains("phone")
        return ["flagged": .bool(flagged), "question": params["question"] ?? .null]
    }
}

struct TriagePost: TriagePostNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> TriagePostResult {
        var flagged: [String] = []
        for check in ["check-pii", "check-spam", "check-toxicity"] {
            if try await context.state.get("_outputs.\(check)")?["flagged"]?.boolValue == true { flagged.append(check) }
        }
        return flagged.isEmpty ? .approve(["flags": []]) : .review(["flags": .array(flagged.map { .string($0) })])
    }
}

struct PublishPost: PublishPostNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["published": true]
    }
}

struct RedactPost: RedactPostNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["redacted": true]
    }
}

struct RecordDecision: RecordDecisionNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["recorded": input]
    }
}

struct AssignModerator: AssignModeratorNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["moderator": "ann"]
    }
}

struct StoreVerdict: StoreVerdictNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> JSONValue {
        ["verdict": input]
    }
}
