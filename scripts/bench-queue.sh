#!/usr/bin/env bash
# Side-by-side queue benchmark: Python bullmq 3.4.4 vs Flowcraft's Swift queue, against one fresh
# Redis (no persistence) on a free port, with no-op jobs.
#
# usage: scripts/bench-queue.sh [jobs]            (default 20000)
# env:   FLOWCRAFT_BENCH_BINARY  use this flowcraft-benchmark binary instead of building one
#        FLOWCRAFT_SCRATCH_PATH  SwiftPM scratch path for the release build (default .build)
#
# For add, addBulk (batches of 1000) and a worker at concurrency 1, 16 and 100 it prints jobs/s, the
# Swift/Python ratio, Redis CPU µs per job (used_cpu_sys + used_cpu_user delta from INFO), client
# round trips per job (total_reads_processed delta: socket reads Redis served; a large pipelined
# batch can take several reads) and script calls per job (cmdstat_evalsha + cmdstat_eval).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-20000}"

python3 -c 'import bullmq, sys; sys.exit(0 if bullmq.__version__ == "3.4.4" else 1)' 2>/dev/null \
  || python3 -m pip install -q --disable-pip-version-check "bullmq==3.4.4" >&2

binary="${FLOWCRAFT_BENCH_BINARY:-}"
if [ -z "$binary" ]; then
  scratch="${FLOWCRAFT_SCRATCH_PATH:-.build}"
  swift build -c release --scratch-path "$scratch" --product flowcraft-benchmark >&2
  binary="$scratch/release/flowcraft-benchmark"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
redis_dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" \
  --daemonize no --logfile "$redis_dir/redis.log" &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$redis_dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
url="redis://127.0.0.1:$port"
results=$(mktemp)

run() { # impl mode concurrency
  redis-cli -p "$port" flushall >/dev/null
  local queue="bench-$1-$2-$3"
  if [ "$1" = python ]; then
    python3 scripts/interop/bullmq_tool.py "$url" "$queue" bench "$2" "$jobs" "$3"
  else
    "$binary" queue --url "$url" --queue "$queue" --mode "$2" --jobs "$jobs" --concurrency "$3"
  fi | grep '^RESULT' | tee -a "$results" >&2
}

for impl in python swift; do
  run "$impl" add 1
  run "$impl" addBulk 1
  for concurrency in 1 16 100; do run "$impl" worker "$concurrency"; done
done

python3 - "$results" "$jobs" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    fields = dict(item.split("=", 1) for item in line.split()[1:])
    label = fields["mode"] if fields["mode"] != "worker" else "worker c=" + fields["concurrency"]
    rows.setdefault(label, {})[fields["impl"]] = fields
print(f"\nQueue benchmark, {sys.argv[2]} no-op jobs per row, one fresh Redis")
header = ("", "python/s", "swift/s", "swift÷py", "py µs/job", "swift µs/job", "py RT/job", "swift RT/job",
          "py scripts/job", "swift scripts/job")
print("{:<14}{:>10}{:>10}{:>10}{:>11}{:>14}{:>11}{:>14}{:>16}{:>19}".format(*header))
for label in ["add", "addBulk", "worker c=1", "worker c=16", "worker c=100"]:
    py, sw = rows.get(label, {}).get("python", {}), rows.get(label, {}).get("swift", {})
    get = lambda r, k: r.get(k, "-")
    ratio = "-"
    if py and sw:
        ratio = "%.2f" % (float(sw["jobs_per_s"]) / max(1.0, float(py["jobs_per_s"])))
    print("{:<14}{:>10}{:>10}{:>10}{:>11}{:>14}{:>11}{:>14}{:>16}{:>19}".format(
        label, get(py, "jobs_per_s"), get(sw, "jobs_per_s"), ratio,
        get(py, "redis_cpu_us_per_job"), get(sw, "redis_cpu_us_per_job"),
        get(py, "round_trips_per_job"), get(sw, "round_trips_per_job"),
        get(py, "script_calls_per_job"), get(sw, "script_calls_per_job")))
PY
rm -f "$results"
