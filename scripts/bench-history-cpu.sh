#!/usr/bin/env bash
# What the in-memory run history costs in CPU, which moves far less than wall time on a noisy VM:
# the whole process's user + system time (`/usr/bin/time`: the run, its preparation, and the
# store's writing until it is all in the file) of each workload with `--history none`, `records`
# and `sqlite`, REPEATS interleaved passes, lowest of each. The runs' side is `records - none`, the
# SQLite store's own work `sqlite - records`, printed per node execution (per run for the short
# runs). Given a second binary (e.g. the previous build), both run side by side, and the store's cost
# of each is printed with their ratio.
#
#   swift build -c release --product flowcraft-benchmark
#   scripts/bench-history-cpu.sh [BINARY (.build/release/flowcraft-benchmark)] [PREVIOUS_BINARY] [REPEATS (5)]
set -euo pipefail
bin=${1:-.build/release/flowcraft-benchmark}
previous=${2:-}
repeats=${3:-5}
for b in "$bin" ${previous:+"$previous"}; do
  [[ -x "$b" ]] || { echo "no benchmark binary at $b (swift build -c release --product flowcraft-benchmark)" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }
# name : arguments : how many executions the per-item figure divides by : the item's name
workloads=("chain100k:--shape chain --nodes 100000:100000:node" "fanout100k:--shape fanout --nodes 100000:100000:node"
  "3x100k-runs:--shape small --runs 100000:100000:run")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
binaries=(current)
[[ -n "$previous" ]] && binaries+=(previous)

for ((r = 1; r <= repeats; r++)); do
  for w in "${workloads[@]}"; do
    IFS=: read -r name args _ _ <<<"$w"
    for which in "${binaries[@]}"; do
      b=$bin
      [[ $which == previous ]] && b=$previous
      for m in none records sqlite; do
        # shellcheck disable=SC2086
        /usr/bin/time -f "%U %S" -o "$out/t" "$b" engine $args --history "$m" >/dev/null
        awk '{printf "%.3f\n", $1 + $2}' "$out/t" >>"$out/$name.$which.$m"
      done
    done
  done
done

least() { sort -n "$1" | head -1; }
printf '%-12s %-9s %9s %9s %9s %14s %14s\n' workload binary "none s" "records s" "sqlite s" "runs' side µs" "store µs"
for w in "${workloads[@]}"; do
  IFS=: read -r name _ count item <<<"$w"
  for which in "${binaries[@]}"; do
    none=$(least "$out/$name.$which.none")
    records=$(least "$out/$name.$which.records")
    sqlite=$(least "$out/$name.$which.sqlite")
    printf '%-12s %-9s %9.2f %9.2f %9.2f %14s %14s\n' "$name" "$which" "$none" "$records" "$sqlite" \
      "$(awk -v a="$records" -v b="$none" -v n="$count" -v i="$item" 'BEGIN{printf "%.2f/%s", (a-b)*1e6/n, i}')" \
      "$(awk -v a="$sqlite" -v b="$records" -v n="$count" -v i="$item" 'BEGIN{printf "%.2f/%s", (a-b)*1e6/n, i}')"
    echo "$sqlite $records" >"$out/$name.$which.store"
  done
  if [[ -n "$previous" ]]; then
    read -r s1 r1 <"$out/$name.current.store"
    read -r s0 r0 <"$out/$name.previous.store"
    awk -v a="$s1" -v b="$r1" -v c="$s0" -v d="$r0" -v n="$name" \
      'BEGIN{ if (c - d > 0) printf "%-12s store CPU, current ÷ previous: %.2f\n", n, (a-b)/(c-d) }'
  fi
done
