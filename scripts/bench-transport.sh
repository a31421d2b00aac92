#!/usr/bin/env bash
# Plain TCP vs TLS: the Redis client benchmark (PING/SET/GET/EVALSHA, auto-pipelined) and the queue
# benchmark (add, worker at concurrency 16 and 100) against one fresh Redis (no persistence) that
# serves both a plain port and a TLS port, with a certificate made here by `openssl`.
#
# usage: scripts/bench-transport.sh [requests] [jobs]      (default 100000 and 20000)
# env:   FLOWCRAFT_BENCH_BINARY  use this flowcraft-benchmark binary instead of building one
#        FLOWCRAFT_SCRATCH_PATH  SwiftPM scratch path for the release build (default .build)
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-100000}"
jobs="${2:-20000}"

binary="${FLOWCRAFT_BENCH_BINARY:-}"
if [ -z "$binary" ]; then
  scratch="${FLOWCRAFT_SCRATCH_PATH:-.build}"
  swift build -c release --scratch-path "$scratch" --product flowcraft-benchmark >&2
  binary="$scratch/release/flowcraft-benchmark"
fi

dir=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 1 -subj "/CN=bench CA" 2>/dev/null
openssl req "${ec[@]}" -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -out "$dir/server.crt" -days 1 -extfile "$dir/server.ext" 2>/dev/null

port=$(free_port)
tls_port=$(free_port)
redis-server --port "$port" --tls-port "$tls_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
  --tls-cert-file "$dir/server.crt" --tls-key-file "$dir/server.key" --tls-ca-cert-file "$dir/ca.crt" \
  --tls-auth-clients no --daemonize no --logfile "$dir/redis.log" &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done

plain="redis://127.0.0.1:$port"
tls="rediss://localhost:$tls_port?ca=$dir/ca.crt"
for url in "$plain" "$tls"; do
  label=plain; [ "$url" = "$tls" ] && label=TLS
  echo "== $label: client benchmark"
  "$binary" redis --url "$url" --requests "$requests" | grep -E "one connection|one caller"
  for mode in "add 1" "worker 16" "worker 100"; do
    set -- $mode
    redis-cli -p "$port" flushall >/dev/null
    echo "== $label: queue $1 c=$2"
    "$binary" queue --url "$url" --queue "bench-$label" --mode "$1" --jobs "$jobs" --concurrency "$2" | grep '^RESULT'
  done
done
