#!/usr/bin/env bash
# The main job: installs what is missing, builds the example app (its node stubs are generated from
# Blueprints/ by the build plugin) and runs a workflow in memory.
set -euo pipefail
cd "$(dirname "$0")/.."
FLOWCRAFT_SKIP_PYTHON=1 FLOWCRAFT_SKIP_BROWSER=1 bash scripts/ensure-deps.sh
swift run flowcraft-example "$@"
