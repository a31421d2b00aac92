#!/usr/bin/env bash
# Cluster-mode scale evidence: the e2e diamond benchmark against a private Redis Cluster of M masters
# (no replicas), runs sharded over S queue shards.
#
# usage: scripts/bench-cluster.sh [masters] [runs] [shards] [binary]
#        (defaults: 3 masters, 2000 runs, 16 shards, a release build of flowcraft-benchmark)
# env:   SPREAD=1   also record every command with MONITOR (slows Redis down: a separate pass) and
#                   print each shard's share of the commands and of the keys
#        PIN=1      pin master i to core i mod nproc (taskset), the workers to the remaining cores
#
# Prints per master: commands processed and Redis CPU (used_cpu_user + used_cpu_sys deltas from INFO),
# Redis CPU µs per node execution; with SPREAD=1 per shard (hash tag `{queue.NN}`): commands and keys,
# and their spread (max/mean − 1, min/mean − 1). Counts are what to trust on a noisy 2-core machine;
# runs/s moves ±25 % between passes.
set -euo pipefail
cd "$(dirname "$0")/.."
masters="${1:-3}"
runs="${2:-2000}"
shards="${3:-16}"
binary="${4:-}"
for tool in redis-server redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
if [ -z "$binary" ]; then
  swift build -c release --product flowcraft-benchmark >&2
  binary=.build/release/flowcraft-benchmark
fi

dir=$(mktemp -d)
ports=()
pids=()
monitors=()
cleanup() {
  for pid in "${monitors[@]+"${monitors[@]}"}"; do kill "$pid" 2>/dev/null || true; done
  for port in "${ports[@]+"${ports[@]}"}"; do redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
  for pid in "${pids[@]+"${pids[@]}"}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cores=$(nproc)
for i in $(seq 0 $((masters - 1))); do
  port=$(free_port)
  # The bus port is a free port of its own: the default (port + 10000) overflows above 55535.
  bus_port=$(free_port)
  mkdir -p "$dir/$port"
  pin=()
  if [ "${PIN:-0}" = 1 ]; then pin=(taskset -c $((i % cores))); fi
  "${pin[@]+"${pin[@]}"}" redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir/$port" \
    --cluster-enabled yes --cluster-config-file "$dir/$port/nodes.conf" --cluster-port "$bus_port" --cluster-node-timeout 2000 \
    --logfile "$dir/$port/redis.log" --daemonize no &
  pids+=($!)
  ports+=("$port")
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
if [ "$masters" = 1 ]; then
  # redis-cli --cluster create wants 3 masters: one master takes every slot itself.
  redis-cli -p "${ports[0]}" cluster addslotsrange 0 16383 >/dev/null
else
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 0 --cluster-yes >/dev/null
fi
for port in "${ports[@]}"; do
  for _ in $(seq 1 200); do
    redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
done
url="redis+cluster://$(printf '127.0.0.1:%s,' "${ports[@]}" | sed 's/,$//')"

info() { redis-cli -p "$1" info "$2" | tr -d '\r'; }
snapshot() {
  for port in "${ports[@]}"; do
    local commands cpu
    commands=$(info "$port" stats | awk -F: '/^total_commands_processed:/ {print $2}')
    cpu=$(info "$port" cpu | awk -F: '/^used_cpu_(sys|user):/ {s += $2} END {printf "%.6f", s}')
    echo "$port $commands $cpu"
  done
}
before=$(snapshot)
if [ "${SPREAD:-0}" = 1 ]; then
  for port in "${ports[@]}"; do
    redis-cli -p "$port" monitor >"$dir/monitor-$port.log" &
    monitors+=($!)
  done
fi
worker_pin=()
if [ "${PIN:-0}" = 1 ] && [ "$cores" -gt "$masters" ]; then worker_pin=(taskset -c "$masters-$((cores - 1))"); fi
"${worker_pin[@]+"${worker_pin[@]}"}" "$binary" e2e --url "$url" --runs "$runs" --workers 1 --shards "$shards" | tee "$dir/bench.out"
after=$(snapshot)
for pid in "${monitors[@]+"${monitors[@]}"}"; do kill "$pid" 2>/dev/null || true; done
nodes=$(awk '/^RESULT/ {for (i = 1; i <= NF; i++) {split($i, a, "="); v[a[1]] = a[2]}; printf "%d", v["node_executions_per_s"] * v["seconds"] + 0.5}' "$dir/bench.out")

echo "masters=$masters shards=$shards runs=$runs node_executions=$nodes"
paste <(echo "$before") <(echo "$after") | awk -v nodes="$nodes" '
  { c = $5 - $2; cpu = ($6 - $3) * 1e6; total_c += c; total_cpu += cpu
    printf "master :%s commands=%d redis_cpu_ms=%.1f redis_cpu_us_per_node=%.1f\n", $1, c, cpu / 1000, cpu / nodes }
  END { printf "all masters: commands=%d commands_per_node=%.1f redis_cpu_us_per_node=%.1f\n", total_c, total_c / nodes, total_cpu / nodes }'

if [ "${SPREAD:-0}" = 1 ]; then
  for port in "${ports[@]}"; do
    # (redis-cli 7.0 has no --count for --scan: the default batch size)
    redis-cli -p "$port" --scan >>"$dir/keys.txt" || true
  done
  python3 - "$dir" <<'PY'
import collections, glob, re, sys
d = sys.argv[1]
tag = re.compile(r'\{([^{}]+)\}')
def shard_of(text):
    # A key's hash tag is the text between its first `{` and the first `}` after it.
    m = tag.search(text)
    return m.group(1) if m and re.match(r'.+\.\d+$', m.group(1)) else None
commands = collections.Counter()
runs = collections.defaultdict(set)
run_key = re.compile(r'^flowcraft:run:(\{[^{}]+\}.+)$')
untagged = 0
untagged_kinds = collections.Counter()
for path in glob.glob(d + '/monitor-*.log'):
    for line in open(path, errors='replace'):
        if '"' not in line: continue
        args = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
        if not args or args[0].upper() in ('MONITOR', 'PING', 'INFO', 'CLUSTER', 'CLIENT', 'HELLO', 'AUTH', 'SCRIPT'): continue
        shard = next((s for s in (shard_of(a) for a in args[1:]) if s), None)
        if shard: commands[shard] += 1
        else:
            untagged += 1
            untagged_kinds[" ".join([args[0].upper()] + [re.sub(r'[0-9a-f]{8,}|\d+', '…', a)[:40] for a in args[1:2]])] += 1
        for a in args[1:]:
            m = run_key.match(a)
            if m and shard: runs[shard].add(m.group(1))
keys = collections.Counter()
other = 0
for line in open(d + '/keys.txt', errors='replace'):
    s = shard_of(line.strip())
    if s: keys[s] += 1
    else: other += 1
def spread(counter, label):
    if not counter: print(f"{label}: none recorded"); return
    values = list(counter.values()); mean = sum(values) / len(values)
    print(f"{label}: {len(values)} shards, mean {mean:.1f}, max {max(values) / mean - 1:+.1%}, min {min(values) / mean - 1:+.1%}")
for s in sorted(set(commands) | set(keys)):
    print(f"shard {{{s}}} runs={len(runs[s])} commands={commands[s]} keys={keys[s]}")
spread(commands, "commands per shard")
spread(keys, "keys per shard")
# Runs land on shards by a hash of their id, so a shard's share of commands and keys follows its
# share of runs (binomial: ±sqrt(15/R) relative std over 16 shards for R runs); per run it is flat.
spread(collections.Counter({s: len(v) for s, v in runs.items()}), "runs per shard")
spread(collections.Counter({s: commands[s] / len(runs[s]) for s in runs if runs[s]}), "commands per run, per shard")
spread(collections.Counter({s: keys[s] / len(runs[s]) for s in runs if runs[s] and keys[s]}), "keys per run, per shard")
print(f"commands without a shard tag (worker registry, layout, blueprint catalog): {untagged}; keys without one: {other}")
for kind, count in untagged_kinds.most_common(8):
    print(f"  untagged: {count} × {kind}")
PY
fi
