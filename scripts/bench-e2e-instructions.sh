#!/usr/bin/env bash
# Redis instructions per node execution of the distributed e2e benchmark, counted by valgrind's
# callgrind in a private redis-server: deterministic, so two builds can be compared on a busy machine
# where Redis CPU µs move ±15 % from one pass to the next.
#
# usage: [ALL_OF_REDIS=1] scripts/bench-e2e-instructions.sh [runs] [binary] [e2e options…]
#   (default 300 runs, a release build; e2e options such as `--keep-completed all` go to the benchmark)
#
# Only the execution phase is counted: the counters are zeroed once every run is started (the start
# node of each run is waiting in the paused queue), and only Redis's client-query and reply-writing
# code is instrumented (kernel time is not an instruction count). Prints Ir (instructions) per node
# execution; `callgrind_annotate --inclusive=yes` on the kept output file breaks them down.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-300}"
binary="${2:-}"
extra=("${@:3}")
command -v valgrind >/dev/null && command -v callgrind_control >/dev/null \
  || { echo "valgrind (with callgrind_control) is required" >&2; exit 2; }
if [ -z "$binary" ]; then
  swift build -c release --product flowcraft-benchmark >&2
  binary=.build/release/flowcraft-benchmark
fi

port=$((20000 + RANDOM % 20000))
while redis-cli -p "$port" ping >/dev/null 2>&1; do port=$((20000 + RANDOM % 20000)); done
out="$(mktemp -d)/callgrind.out"
# By default only the command path is counted; ALL_OF_REDIS=1 counts all of Redis's user-space work
# (event loop, blocked clients, timers) from the same moment on.
collect=(--collect-atstart=no --toggle-collect=readQueryFromClient --toggle-collect=handleClientsWithPendingWritesUsingThreads)
if [ "${ALL_OF_REDIS:-0}" = 1 ]; then collect=(); fi
valgrind --tool=callgrind --callgrind-out-file="$out" "${collect[@]}" \
  redis-server --port "$port" --save '' --appendonly no >"$out.log" 2>&1 &
redis_pid=$!
cleanup() { redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; wait "$redis_pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done

"$binary" e2e --url "redis://127.0.0.1:$port" --runs "$runs" --workers 1 ${extra[@]+"${extra[@]}"} >"$out.bench" &
bench_pid=$!
zeroed=no
while kill -0 "$bench_pid" 2>/dev/null; do
  # Every run's start job waiting (over the shard queues `bull:{bench-e2e-….N}:wait` with --shards).
  waiting=0
  for wait_key in $(redis-cli -p "$port" --scan --pattern 'bull:*bench-e2e-*:wait'); do
    waiting=$((waiting + $(redis-cli -p "$port" llen "$wait_key")))
  done
  if [ "$waiting" = "$runs" ]; then
    callgrind_control -z "$redis_pid" >/dev/null 2>&1
    zeroed=yes
    break
  fi
  sleep 0.05
done
wait "$bench_pid"
cleanup
trap - EXIT
[ "$zeroed" = yes ] || { echo "the execution phase was not found; the count includes starting the runs" >&2; }
grep RESULT "$out.bench" | sed 's/.*\(commands_executed_per_node=[0-9.]*\).*/\1/'
total="$(grep '^summary:' "$out" | awk '{print $2}')"
echo "redis_instructions_per_node=$((total / (runs * 5))) (callgrind output: $out)"
