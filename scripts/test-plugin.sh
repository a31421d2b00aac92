#!/usr/bin/env bash
# End-to-end check of FlowcraftPlugin from a user's point of view: builds a throwaway package that
# depends on this checkout by path and uses the plugin on its own blueprint, then checks that
#   1. valid blueprints build and run;
#   2. a no-op rebuild compiles nothing;
#   3. editing a blueprint regenerates, and a new `uses` key nobody implements fails the Swift
#      compile naming it;
#   4. an invalid graph fails `swift build` with `Flow.yaml:LINE:COL: error: [CODE]`;
#   5. the tutorial's blueprint and code (Sources/Flowcraft/Flowcraft.docc/YourFirstWorkflow.md) build
#      and run as it says.
# The consumer's Package.swift is the tutorial's (and the README's): a path dependency on
# ../flowcraft-swift, whose identity is the folder name.
#   6. the generated typed client and typed resume work in memory and, when FLOWCRAFT_TEST_REDIS_URL
#      names a Redis server, against Redis (`client.start(review: person)`, `resume(approval: .approve)`);
#   7. a misspelt typed action (`.aprove`) fails the Swift compile.
# Set FLOWCRAFT_PLUGIN_SCRATCH to reuse a build directory between runs (CI caches); by default it
# lives in the temporary directory and is removed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test-plugin: FAIL: $*" >&2; exit 1; }
scratch="${FLOWCRAFT_PLUGIN_SCRATCH:-$work/scratch}"
# The dependency's identity is its directory name; a link gives it the one the documentation uses.
ln -s "$root" "$work/flowcraft-swift"
app="$work/Consumer"
mkdir -p "$app/Sources/App"
tutorial="$root/Sources/Flowcraft/Flowcraft.docc/YourFirstWorkflow.md"
# The first fenced block (of the given language) after a heading of the tutorial.
snippet() {
  python3 - "$tutorial" "$1" "$2" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
start = lines.index("### " + sys.argv[2])
opening = lines.index("```" + sys.argv[3], start)
print("\n".join(lines[opening + 1:lines.index("```", opening + 1)]))
PY
}
# The tutorial's manifest, with the target named App.
snippet "Add Flowcraft to the package" swift | sed 's/"Greeter"/"App"/g' > "$app/Package.swift"
grep -q '.package(path: "../flowcraft-swift")' "$app/Package.swift" || fail "the tutorial's manifest lost its path dependency"
# The README shows the same manifest.
python3 - "$root/README.md" "$tutorial" <<'PY' || fail "README.md's Package.swift differs from the tutorial's"
import sys
def block(path, heading):
    lines = open(path).read().split("\n")
    opening = lines.index("```swift", lines.index(heading))
    return lines[opening + 1:lines.index("```", opening + 1)]
sys.exit(block(sys.argv[1], "## Using the plugin in your package") != block(sys.argv[2], "### Add Flowcraft to the package"))
PY

# The typed client (checks 6 and 7) needs the distributed product too.
sed -i 's|dependencies: \[.product(name: "Flowcraft", package: "flowcraft-swift")\]|dependencies: [.product(name: "Flowcraft", package: "flowcraft-swift"), .product(name: "FlowcraftRedis", package: "flowcraft-swift")]|' "$app/Package.swift"
grep -q 'FlowcraftRedis' "$app/Package.swift" || fail "could not add FlowcraftRedis to the tutorial's manifest"

write_blueprint() {
  cat > "$app/Sources/App/Flow.yaml" <<EOF
id: greeting
types:
  Person: { name: String }
implementations:
  greet: { input: Person, output: String }
nodes:
  - id: check
    uses: check-name
  - id: hello
    uses: greet
    inputs: person
$1
edges:
  - { source: check, target: hello, action: ok }
$2
EOF
}

cat > "$app/Sources/App/Review.yaml" <<'EOF'
id: review
nodes:
  - id: draft
    uses: greet
    inputs: person
  - id: approval
    uses: wait
  - id: publish
    uses: greet
    inputs: person
edges:
  - { source: draft, target: approval }
  - { source: approval, target: publish, action: approve }
EOF

cat > "$app/Sources/App/main.swift" <<'EOF'
import Flowcraft
import FlowcraftRedis
import Foundation

struct CheckName: CheckNameNode {
    func run(input: JSONValue, params: [String: JSONValue], context: NodeContext) async throws -> CheckNameResult {
        .ok(input)
    }
}

struct Greet: GreetNode {
    func run(input: Person, params: [String: JSONValue], context: NodeContext) async throws -> String {
        "Hello, \(input.name)!"
    }
}

let nodes = FlowcraftNodes(checkName: CheckName(), greet: Greet())
let runtime = try FlowRuntime(blueprints: FlowcraftWorkflows.all, registry: nodes.nodeRegistry())
let result = try await runtime.run(greeting: ["person": ["name": "Ada"]])
print(result.status.rawValue, result.context["_outputs.hello"]?.stringValue ?? "-")

// Typed resume in memory: `.approve` is the only case of the generated `ReviewApprovalAction`.
let paused = try await runtime.run(review: Person(name: "Bo"))
let resumed = try await runtime.resume(paused, approval: .approve)
print("memory", resumed.status.rawValue, resumed.context["_outputs.publish"]?.stringValue ?? "-")

// The typed distributed client: typed start, typed resume, typed result.
if let url = ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"] {
    let client = try RedisClient(url: url)
    let options = DistributedOptions(queueName: "consumer-\(UUID().uuidString)")
    let worker = try DistributedWorker(
        blueprints: FlowcraftWorkflows.all, registry: nodes.nodeRegistry(), client: client, options: options)
    worker.start()
    let workflows = try WorkflowClient(client: client, blueprints: FlowcraftWorkflows.all, options: options)
    let run = try await workflows.start(review: Person(name: "Cy"))
    let state = try await run.settled(timeout: .seconds(30))
    try await run.resume(approval: .approve)
    let greeting: String = try await run.result(timeout: .seconds(30))
    print("redis", state.status.rawValue, greeting)
    await worker.close()
    await client.close()
}
EOF

build() { (cd "$app" && swift build --scratch-path "$scratch" "$@" 2>&1); }
now() { date +%s.%N; }

echo "test-plugin: building a consumer package in $app"
write_blueprint "" ""
start=$(now)
out=$(build) || { echo "$out"; fail "valid blueprint did not build"; }
echo "test-plugin: first build $(echo "$(now) - $start" | bc) s"
run=$("$scratch/debug/App") || fail "the app failed: $run"
first=$(echo "$run" | head -1)
[ "$first" = "completed Hello, Ada!" ] || fail "unexpected output: $run"
echo "$run" | grep -qx "memory completed Hello, Bo!" || fail "typed resume in memory: $run"
if [ -n "${FLOWCRAFT_TEST_REDIS_URL:-}" ]; then
  echo "$run" | grep -qx "redis awaiting Hello, Cy!" || fail "typed client against Redis: $run"
  echo "test-plugin: ok: the typed client and typed resume run against Redis"
elif [ "${CI:-}" = "true" ]; then
  fail "CI=true but FLOWCRAFT_TEST_REDIS_URL is not set: the typed client's Redis check cannot run"
else
  echo "test-plugin: skipped the Redis check (set FLOWCRAFT_TEST_REDIS_URL)"
fi
echo "test-plugin: ok: builds and runs ($first)"

noop() {
  start=$(now)
  out=$(build) || { echo "$out"; fail "no-op rebuild failed"; }
  elapsed=$(echo "$(now) - $start" | bc)
}
noop
# SwiftPM relinks a plugin's tool once after the first build (it is built by two build plans), and
# someone editing this checkout meanwhile legitimately rebuilds it: then settle and check again.
if echo "$out" | grep -qE "Linking flowcraft-generator-tool|Compiling (FlowcraftModel|FlowcraftCompiler|Flowcraft|flowcraft_generator) "; then
  echo "$out" | grep -qE "Compiling App " && { echo "$out"; fail "a rebuild recompiled the app"; }
  noop
fi
if echo "$out" | grep -qE "Compiling [A-Za-z_]+ .*\.swift|Generating Swift"; then
  echo "$out"; fail "a no-op rebuild compiled or generated something"
fi
echo "test-plugin: ok: no-op rebuild compiles nothing (${elapsed} s)"

write_blueprint "  - id: bye
    uses: say-goodbye" "  - { source: hello, target: bye }"
out=$(build) && { echo "$out"; fail "a missing implementation still built"; }
echo "$out" | grep -q "sayGoodbye" || { echo "$out"; fail "the compile error does not name the missing implementation"; }
echo "test-plugin: ok: editing the blueprint regenerates; the missing 'say-goodbye' fails the compile"

write_blueprint "" "  - { source: hello, target: nowhere }"
out=$(build) && { echo "$out"; fail "an invalid graph still built"; }
echo "$out" | grep -qE "Flow.yaml:15:[0-9]+: error: \[INVALID_EDGE_TARGET\]" \
  || { echo "$out"; fail "the build did not report Flow.yaml:15:COL: error: [INVALID_EDGE_TARGET]"; }
echo "test-plugin: ok: an invalid graph fails the build at Flow.yaml:15"

write_blueprint "" ""
echo 'let misspelt: ReviewApprovalAction = .aprove' > "$app/Sources/App/Misspelt.swift"
out=$(build) && { echo "$out"; fail "a misspelt typed action still built"; }
echo "$out" | grep -q "aprove" || { echo "$out"; fail "the compile error does not name the misspelt action"; }
rm "$app/Sources/App/Misspelt.swift"
echo "test-plugin: ok: a misspelt typed action ('.aprove') fails the compile"

out=$(build) || { echo "$out"; fail "restoring the blueprint did not build"; }
out=$(cd "$app" && swift package --scratch-path "$scratch" --allow-writing-to-package-directory \
  generate-flowcraft-stubs --target App --output Stubs 2>&1) || { echo "$out"; fail "the command plugin failed"; }
[ -f "$app/Sources/App/Stubs/Flow.flowcraft.swift" ] && [ -f "$app/Sources/App/Stubs/FlowcraftNodes.flowcraft.swift" ] \
  || { echo "$out"; fail "the command plugin did not write the stubs"; }
rm -rf "$app/Sources/App/Stubs"
echo "test-plugin: ok: swift package generate-flowcraft-stubs writes the same files"

# The tutorial, as written: its blueprint and its code (alone in the target).
rm "$app/Sources/App/Flow.yaml" "$app/Sources/App/Review.yaml"
snippet "Write the blueprint" yaml > "$app/Sources/App/Greeting.yaml"
snippet "Implement the nodes and run in memory" swift > "$app/Sources/App/main.swift"
out=$(build) || { echo "$out"; fail "the tutorial's blueprint and code do not build"; }
run=$("$scratch/debug/App") || fail "the tutorial's app failed: $run"
[ "$run" = "completed Hello, Ada!" ] || fail "the tutorial's app printed: $run"
echo "test-plugin: ok: the tutorial builds and runs ($run)"
echo "test-plugin: all checks passed"
