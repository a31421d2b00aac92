#!/usr/bin/env bash
# Builds the DocC documentation of the Flowcraft target (the blueprint reference, the tutorial and
# the API) and fails on any warning: an unresolved link, a missing page, a malformed directive.
# Output: .build/plugins/Swift-DocC/outputs/Flowcraft.doccarchive
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift package generate-documentation --target Flowcraft --warnings-as-errors >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ] || grep -q "warning:" "$log"; then
  cat "$log"
  echo "generate-docs: FAIL: the documentation has warnings or did not build" >&2
  exit 1
fi
echo "generate-docs: ok: $(grep -A1 'Generated documentation archive at' "$log" | tail -1 | tr -d ' ')"
