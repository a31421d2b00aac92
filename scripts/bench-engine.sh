#!/usr/bin/env bash
# The in-memory engine benchmark (`flowcraft-benchmark engine --shape all`) of one or more builds side
# by side: REPEATS interleaved passes, then per case the median and the best (lowest) run time of each
# build. On a noisy VM the best of several passes moves least; the 100 000-node fan-out in particular
# has a fast and a slow phase (glibc's allocator under two threads), which the median shows.
#
#   swift build -c release --product flowcraft-benchmark && cp .build/release/flowcraft-benchmark /tmp/new
#   scripts/bench-engine.sh [--history none|records|discard|sqlite] REPEATS BINARY [BINARY...]
set -euo pipefail
history=none
if [[ "${1:-}" == "--history" ]]; then
  history=${2:?--history needs a mode}
  shift 2
fi
repeats=${1:?usage: bench-engine.sh [--history MODE] REPEATS BINARY [BINARY...]}
shift
[[ "$repeats" =~ ^[1-9][0-9]*$ ]] || { echo "REPEATS must be a positive whole number, not '$repeats'" >&2; exit 2; }
(($# > 0)) || { echo "name at least one benchmark binary" >&2; exit 2; }
for bin in "$@"; do
  [[ -x "$bin" ]] || { echo "no benchmark binary at $bin" >&2; exit 2; }
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for ((r = 1; r <= repeats; r++)); do
  for i in $(seq 1 $#); do
    bin=${!i}
    # One line per case: its name and its run time (the "run" or "sequential:/concurrent:" figure).
    "$bin" engine --shape all --history "$history" | grep -E 'nodes: run|sequential:|concurrent:' |
      sed -E 's/^(.*): (run |)([0-9.]+) ms.*/\1\t\3/; s/ nodes\t/\t/' |
      awk -v b="$i" -F'\t' '{printf "%s\t%s\t%s\n", b, $1, $2}' >>"$out"
  done
done

python3 - "$out" "$@" <<'PY'
import statistics, sys
rows = {}
order = []
for line in open(sys.argv[1]):
    build, case, ms = line.rstrip("\n").split("\t")
    if case not in order:
        order.append(case)
    rows.setdefault((case, int(build)), []).append(float(ms))
bins = sys.argv[2:]
width = max(len(c) for c in order)
print(f"{'case':<{width}}  " + "  ".join(f"{'build ' + str(i + 1) + ' median / best ms':>28}" for i in range(len(bins))))
totals = [[0.0, 0.0] for _ in bins]
for case in order:
    cells = []
    for i in range(len(bins)):
        values = rows.get((case, i + 1), [])
        med, best = statistics.median(values), min(values)
        totals[i][0] += med
        totals[i][1] += best
        cells.append(f"{med:>14.2f} / {best:<11.2f}")
    print(f"{case:<{width}}  " + "  ".join(cells))
print(f"{'sum':<{width}}  " + "  ".join(f"{m:>14.2f} / {b:<11.2f}" for m, b in totals))
for i, b in enumerate(bins):
    print(f"build {i + 1}: {b}")
PY
