#!/usr/bin/env bash
# What in-memory run history costs the engine benchmark: each workload with `--history none`,
# `records` (the runs' own side: compact records handed over, nothing built), `discard` (the
# engine's side: the public events built off the runs' tasks, then dropped) and `sqlite`, run
# REPEATS times interleaved; prints the median and best (lowest) wall time ("run"/"total" of the
# benchmark line) and the median CPU time of each mode, and their ratio to `none` (on a noisy VM the
# best of several passes moves least). Each pass runs the modes in a random order, each from one of
# three copies of the binary picked at random: on these VMs two byte-identical copies of one binary
# at different paths ran the whole benchmark 5-8 % apart, pass after pass (where the file's pages
# land in memory, or its path's length, changes the machine's behaviour), an effect as large as the
# one measured. With --ir, also the instructions (valgrind callgrind, whole
# process, all threads) of each mode on chain 10k and on the 3-node chain x 10k runs: these do not
# move with machine load.
#
#   swift build -c release --product flowcraft-benchmark
#   scripts/bench-history-overhead.sh [--ir] [BINARY (.build/release/flowcraft-benchmark)] [REPEATS (3; 0: Ir only)]
set -euo pipefail
ir=0
if [[ "${1:-}" == "--ir" ]]; then ir=1; shift; fi
bin=${1:-.build/release/flowcraft-benchmark}
repeats=${2:-3}
[[ -x "$bin" ]] || { echo "no benchmark binary at $bin (swift build -c release --product flowcraft-benchmark)" >&2; exit 2; }
modes=(none records discard sqlite)
# `whole`: the engine benchmark as it runs by default (every case, one process): the sum of its
# cases' times (CPU: the process's, not summed).
workloads=("chain10k:--shape chain --nodes 10000" "chain100k:--shape chain --nodes 100000"
  "fanout10k:--shape fanout --nodes 10000" "3x10k-runs:--shape small" "whole:--shape all")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
copies=3
for ((k = 0; k < copies; k++)); do cp "$bin" "$out/benchmark.$k"; done

for ((r = 1; r <= repeats; r++)); do
  for w in "${workloads[@]}"; do
    name=${w%%:*}
    args=${w#*:}
    for m in $(printf '%s\n' "${modes[@]}" | shuf); do
      copy="$out/benchmark.$((RANDOM % copies))"
      # shellcheck disable=SC2086
      if [[ $name == whole ]]; then
        # One line per case; the process's CPU time from the shell's `times` is not per case, so the
        # CPU column sums the cases' own CPU figures (the concurrent case prints none).
        lines=$("$copy" engine $args --history "$m" | grep -E 'nodes: run|sequential:|concurrent:')
        wall=$(sed -E 's/.*(run|sequential:|concurrent:) ([0-9.]+) ms.*/\2/' <<<"$lines" | awk '{s+=$1} END {printf "%.2f", s}')
        cpu=$(grep 'ms CPU' <<<"$lines" | sed -E 's/.*\(([0-9.]+) ms CPU.*/\1/' | awk '{s+=$1} END {printf "%.2f", s}')
      else
        line=$("$copy" engine $args --history "$m" | grep -E 'nodes: run|sequential:' | head -1)
        wall=$(sed -E 's/.*(run|sequential:) ([0-9.]+) ms.*/\2/' <<<"$line")
        cpu=$(sed -E 's/.*\(([0-9.]+) ms CPU.*/\1/' <<<"$line")
      fi
      echo "$wall $cpu" >>"$out/$name.$m"
    done
  done
done

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
if ((repeats > 0)); then
minimum() { sort -n | head -1; }
printf '%-12s %-6s %10s %8s %10s %8s %10s %8s\n' workload mode "wall ms" "x none" "best ms" "x none" "CPU ms" "x none"
for w in "${workloads[@]}"; do
  name=${w%%:*}
  base_wall=$(cut -d' ' -f1 "$out/$name.none" | median)
  base_best=$(cut -d' ' -f1 "$out/$name.none" | minimum)
  base_cpu=$(cut -d' ' -f2 "$out/$name.none" | median)
  for m in "${modes[@]}"; do
    wall=$(cut -d' ' -f1 "$out/$name.$m" | median)
    best=$(cut -d' ' -f1 "$out/$name.$m" | minimum)
    cpu=$(cut -d' ' -f2 "$out/$name.$m" | median)
    printf '%-12s %-6s %10.2f %8.3f %10.2f %8.3f %10.2f %8.3f\n' "$name" "$m" "$wall" \
      "$(awk -v a="$wall" -v b="$base_wall" 'BEGIN{print a/b}')" "$best" \
      "$(awk -v a="$best" -v b="$base_best" 'BEGIN{print a/b}')" "$cpu" \
      "$(awk -v a="$cpu" -v b="$base_cpu" 'BEGIN{print a/b}')"
  done
done
fi

if ((ir)); then
  echo
  printf '%-12s %-6s %16s %8s\n' workload mode "Ir (callgrind)" "x none"
  for w in "chain10k:--shape chain --nodes 10000" "3x10k-runs:--shape small"; do
    name=${w%%:*}
    args=${w#*:}
    base=""
    for m in "${modes[@]}"; do
      # shellcheck disable=SC2086
      if ! valgrind --tool=callgrind --callgrind-out-file="$out/cg.$name.$m" "$bin" engine $args --history "$m" \
        >/dev/null 2>"$out/vg.log"; then
        echo "valgrind failed on $name/$m (valgrind 3.19 crashes on the Swift runtime's thread creation here):" >&2
        grep -m1 'INTERNAL ERROR' "$out/vg.log" >&2 || tail -3 "$out/vg.log" >&2
        exit 1
      fi
      total=$(grep -E '^(summary|totals):' "$out/cg.$name.$m" | head -1 | awk '{print $2}')
      [[ -n "$base" ]] || base=$total
      printf '%-12s %-6s %16s %8.3f\n' "$name" "$m" "$total" "$(awk -v a="$total" -v b="$base" 'BEGIN{print a/b}')"
    done
  done
fi
