#!/usr/bin/env bash
# Counts the public API of each library module from its symbol graph (`swift package
# dump-symbol-graph`, minimum access level public, members synthesized by the compiler left out) and
# how many public symbols have no doc comment of their own.
#
# usage: scripts/count-public-symbols.sh            per-module counts
#        scripts/count-public-symbols.sh --check    also fails (exit 1) naming every public symbol
#                                                   without a doc comment
#        scripts/count-public-symbols.sh --list     names every undocumented symbol, never fails
#
# A symbol counts as documented when it has a `///` comment of its own, or when it implements a
# requirement of a protocol declared in another module (`==`, `hash(into:)`, `description`,
# `encode(to:)`, `init(from:)`, …): DocC shows the protocol's documentation for those.
# Executables (`flowcraft`, the generator and embedder tools) are not libraries and are not counted.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
modules=(FlowcraftModel FlowcraftCompiler Flowcraft FlowcraftRedis FlowcraftObservability FlowcraftSQLite FlowcraftDashboard FlowcraftScenarios)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift package dump-symbol-graph --minimum-access-level public --skip-synthesized-members >"$log" 2>&1; then
  cat "$log" >&2
  echo "count-public-symbols: swift package dump-symbol-graph failed" >&2
  exit 2
fi
dir=$(sed -n 's/^Files written to //p' "$log" | tail -1)
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  dir=$(find .build -type d -name symbolgraph -path '*/debug/*' 2>/dev/null | head -1)
fi
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  cat "$log" >&2
  echo "count-public-symbols: no symbol graph directory found" >&2
  exit 2
fi

python3 - "$dir" "$mode" "${modules[@]}" <<'PY'
import json, os, sys

directory, mode, modules = sys.argv[1], sys.argv[2], sys.argv[3:]

def graphs(module):
    """The module's own graph and its extensions of other modules' types (`Module@Other`)."""
    for name in sorted(os.listdir(directory)):
        if name == f"{module}.symbols.json" or (name.startswith(f"{module}@") and name.endswith(".symbols.json")):
            with open(os.path.join(directory, name)) as f:
                yield json.load(f)

def documented(symbol, module, witnesses):
    doc = symbol.get("docComment")
    if doc and any(line.get("text", "").strip() for line in doc.get("lines", [])):
        # A comment inherited from another module's protocol requirement names that module.
        if doc.get("module") in (None, module):
            return True
    return symbol["identifier"]["precise"] in witnesses

def name(symbol):
    loc = symbol.get("location", {})
    uri = loc.get("uri", "")
    where = ""
    if uri:
        path = uri.replace("file://", "")
        path = os.path.relpath(path) if path.startswith("/") else path
        where = f"{path}:{loc.get('position', {}).get('line', 0) + 1}: "
    title = ".".join(symbol.get("pathComponents", [])) or symbol["names"]["title"]
    return f"{where}{symbol['kind']['displayName'].lower()} {title}"

total = undocumented_total = 0
missing = []
print(f"{'module':<24} {'public':>7} {'undocumented':>13}")
for module in modules:
    symbols, witnesses = {}, set()
    for graph in graphs(module):
        external = {s["identifier"]["precise"] for s in graph["symbols"]}
        for rel in graph.get("relationships", []):
            # `requirementOf`/`defaultImplementationOf` link to protocols; a witness of a protocol of
            # another module (its target is not in this graph) inherits that protocol's documentation.
            if rel["kind"] == "defaultImplementationOf" and rel["target"] not in external:
                witnesses.add(rel["source"])
        for symbol in graph["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            symbols[symbol["identifier"]["precise"]] = symbol
    # Implementations of requirements of protocols from other modules carry the protocol's doc
    # comment (marked with that module): they count as documented.
    for symbol in symbols.values():
        doc = symbol.get("docComment")
        if doc and doc.get("module") not in (None, module):
            witnesses.add(symbol["identifier"]["precise"])
    undocumented = [s for s in symbols.values() if not documented(s, module, witnesses)]
    total += len(symbols)
    undocumented_total += len(undocumented)
    missing += sorted(name(s) for s in undocumented)
    print(f"{module:<24} {len(symbols):>7} {len(undocumented):>13}")
print(f"{'total':<24} {total:>7} {undocumented_total:>13}")

if mode in ("--check", "--list") and missing:
    print("\nPublic symbols without a doc comment:", file=sys.stderr)
    for line in missing:
        print(f"  {line}", file=sys.stderr)
if mode == "--check" and missing:
    print(f"count-public-symbols: FAIL: {len(missing)} public symbol(s) without a doc comment", file=sys.stderr)
    sys.exit(1)
PY
