#!/usr/bin/env bash
# Checks the layer boundaries described in ARCHITECTURE.md, from the source imports and from
# Package.swift's target dependencies:
#   - the runtime (Flowcraft, FlowcraftModel) imports neither the compiler nor libyaml nor the Redis layer;
#   - the compiler imports neither the Redis layer nor hiredis (nor the runtime);
#   - the Redis layer knows nothing of YAML (no compiler, no libyaml);
#   - the dashboard imports neither the compiler nor libyaml (the CLI passes compiler findings in).
# usage: scripts/check-boundaries.sh   (exit 1 naming each violation)
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

forbid() { # forbid <source dir> <module>…
  local dir=$1; shift
  for module in "$@"; do
    if hits=$(grep -rnE "^\s*(@testable |@_implementationOnly |public |internal |package )?import (struct |enum |class |func )?$module(\.|\s|$)" "$dir" --include='*.swift'); then
      echo "boundary violated: $dir imports $module" >&2
      echo "$hits" >&2
      status=1
    fi
  done
}

forbid Sources/FlowcraftModel Flowcraft FlowcraftCompiler CLibYAML FlowcraftRedis CHiredis
forbid Sources/Flowcraft FlowcraftCompiler CLibYAML FlowcraftRedis CHiredis FlowcraftSQLite CSQLite
forbid Sources/FlowcraftRedis FlowcraftSQLite CSQLite
forbid Sources/FlowcraftCompiler Flowcraft FlowcraftRedis CHiredis
forbid Sources/FlowcraftRedis FlowcraftCompiler CLibYAML
forbid Sources/flowcraft-generator FlowcraftRedis CHiredis
forbid Sources/FlowcraftDashboard FlowcraftCompiler CLibYAML

# The same rules in Package.swift: a target's dependency list may not name a forbidden module.
if ! python3 - <<'PY'
import re, sys
text = open("Package.swift").read()
forbidden = {
    "FlowcraftModel": ["Flowcraft", "FlowcraftCompiler", "CLibYAML", "FlowcraftRedis", "CHiredis"],
    "Flowcraft": ["FlowcraftCompiler", "CLibYAML", "FlowcraftRedis", "CHiredis", "FlowcraftSQLite", "CSQLite"],
    "FlowcraftCompiler": ["Flowcraft", "FlowcraftRedis", "CHiredis"],
    "FlowcraftRedis": ["FlowcraftCompiler", "CLibYAML"],
    "FlowcraftDashboard": ["FlowcraftCompiler", "CLibYAML"],
}
ok = True
def targets():
    # Each `.target(…)` call with balanced parentheses, by its name.
    for start in [m.start() for m in re.finditer(r'\.target\(', text)]:
        depth, i = 0, start + len(".target")
        while True:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
            if depth == 0: break
        body = text[start:i]
        name = re.search(r'name:\s*"([^"]+)"', body)
        if name: yield name.group(1), body
declared = dict(targets())
for target, modules in forbidden.items():
    if target not in declared:
        print(f"boundary check: target {target} not found in Package.swift", file=sys.stderr); ok = False; continue
    deps = set(re.findall(r'"([A-Za-z]+)"', declared[target])) - {target}
    for module in modules:
        if module in deps:
            print(f"boundary violated: Package.swift target {target} depends on {module}", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY
then status=1; fi

[ "$status" = 0 ] && echo "layer boundaries hold"
exit "$status"
