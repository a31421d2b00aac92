#!/usr/bin/env bash
# The whole test suite: installs missing dependencies, starts a throwaway Redis on a free port
# (no persistence), builds everything, runs every test, and stops Redis again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
redis_dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" \
  --daemonize no --logfile "$redis_dir/redis.log" &
redis_pid=$!
# Every process started from here on carries this marker in its environment: the servers and workers
# the tests start, too. A test process that crashes cannot stop its children; the cleanup kills what
# is left of them.
session="flowcraft-test-$$-$(date +%s%N)"
export FLOWCRAFT_TEST_SESSION="$session"
kill_leftovers() {
  local proc pid
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [ "$pid" = "$$" ] && continue
    if tr '\0' '\n' 2>/dev/null <"$proc/environ" | grep -qx "FLOWCRAFT_TEST_SESSION=$session"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}
cleanup() {
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  rm -rf "$redis_dir"
  unset FLOWCRAFT_TEST_SESSION
  kill_leftovers
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.05
done
redis-cli -p "$port" ping >/dev/null

export FLOWCRAFT_TEST_REDIS_URL="redis://127.0.0.1:$port"
export FLOWCRAFT_REDIS_SERVER="$(command -v redis-server)"

# FLOWCRAFT_SANITIZE=thread: the same test passes built and run under ThreadSanitizer (in
# .build-thread); any report fails the run, except the known false ones scripts/tsan-suppressions.txt
# names. The documentation and plugin steps are skipped then.
sanitize=()
if [ -n "${FLOWCRAFT_SANITIZE:-}" ]; then
  sanitize=(--sanitize="$FLOWCRAFT_SANITIZE" --scratch-path ".build-$FLOWCRAFT_SANITIZE")
  export TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt ${TSAN_OPTIONS:-}"
  export FLOWCRAFT_SKIP_DOCS=1 FLOWCRAFT_SKIP_PLUGIN_TEST=1
  # Everything runs about ten times slower: the tests' waits for distributed runs are scaled.
  export FLOWCRAFT_TEST_TIME_SCALE="${FLOWCRAFT_TEST_TIME_SCALE:-4}"
fi

# The module boundaries ARCHITECTURE.md states (imports and Package.swift).
bash scripts/check-boundaries.sh
swift build --build-tests "${sanitize[@]}"
bash scripts/count-public-symbols.sh --check  # every public symbol has a doc comment (names those without)
if [ "$#" -gt 0 ]; then
  swift test --skip-build "${sanitize[@]}" "$@"
else
  # Three passes. The queue's tests are timing-sensitive (1 s locks, a worker that must reach idle):
  # they share a cooperative pool of one thread per core with every test of their process, so they
  # run apart from the CPU-bound in-process tests (100 000-node graphs, fuzzing, the CLI's child
  # runs; together they kept both pool threads busy for the first 4–10 s of a shared run) and apart
  # from the suites that start servers and processes of their own (TLS, Sentinel, chaos, ACL, rolling
  # deploys, long retention runs, the sharded scenario set (4 blocking connections per worker), the
  # Redis Cluster suites (six servers each), the SQLite history's 100 000-node run), which load both
  # cores.
  heavy='SentinelFailoverTests|TLSScenarioTests|RedisTLSTests|AccessControlTests|ChaosTests|RollingDeployTests|NodeJobRetentionTests|RedriveChaosTests|SQLiteRunHistoryTests|RunHistoryCapTests|ShardedScenarioTests|Cluster'
  queue='FlowcraftRedisTests|FlowcraftDashboardTests'
  swift test --skip-build "${sanitize[@]}" --skip "$heavy|$queue"
  swift test --skip-build "${sanitize[@]}" --filter "$queue" --skip "$heavy"
  swift test --skip-build "${sanitize[@]}" --filter "$heavy"
fi
# The DocC documentation builds without warnings (FLOWCRAFT_SKIP_DOCS=1 skips it).
[ "${FLOWCRAFT_SKIP_DOCS:-}" = "1" ] || bash scripts/generate-docs.sh
# A throwaway package using the build plugin (FLOWCRAFT_SKIP_PLUGIN_TEST=1 skips it).
[ "${FLOWCRAFT_SKIP_PLUGIN_TEST:-}" = "1" ] || bash scripts/test-plugin.sh
