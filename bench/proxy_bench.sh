#!/usr/bin/env bash
# Pass-through load figures: edged vs nginx as a plain reverse proxy, in front of the same origin.
#
# Each proxy runs one worker pinned to SERVER_CPU; wrk and the origin (nginx serving static
# files) are pinned to CLIENT_CPU. Runs are interleaved (nginx, edged, nginx, edged, …) so that
# noise on this shared machine hits both alike; the table shows medians over REPS runs and the
# edged/nginx ratio measured in the same invocation. Loopback only; stops only what it started.
#
#   bench/proxy_bench.sh                 # DUR=5 REPS=3 CONNS=50 SIZES="1k 16k"
#   DUR=10 REPS=5 bench/proxy_bench.sh
#
# nginx gets upstream keepalive (HTTP/1.1 to the origin), as edged reuses origin connections:
# without it nginx would open a new origin connection per request and lose for that reason only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
DUR=${DUR:-5}
REPS=${REPS:-3}
CONNS=${CONNS:-50}
SIZES=${SIZES:-"1k 16k"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
ORIGIN_PORT=${ORIGIN_PORT:-19000}
NGINX_PORT=${NGINX_PORT:-19101}
EDGED_PORT=${EDGED_PORT:-19105}
EDGED=${EDGED:-$root/build/edged}

for tool in nginx wrk taskset curl; do
  command -v "$tool" >/dev/null || { echo "proxy_bench: $tool missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
[ -x "$EDGED" ] || "$root/scripts/build.sh" release "$root/build"

run="$(mktemp -d /dev/shm/edged-bench.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$run"
}
trap cleanup EXIT INT TERM

mkdir -p "$run/www"
head -c 1024 /dev/urandom > "$run/www/1k.bin"
head -c 16384 /dev/urandom > "$run/www/16k.bin"
head -c 262144 /dev/urandom > "$run/www/256k.bin"
# nginx runs its workers as user nobody: the origin must be able to read the files.
chmod 755 "$run" "$run/www"
chmod 644 "$run"/www/*

cat > "$run/origin.conf" <<NGX
worker_processes 1; daemon off; pid $run/origin.pid; error_log $run/origin.err warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off; server_tokens off; sendfile on; tcp_nodelay on;
  keepalive_timeout 120s; keepalive_requests 1000000;
  open_file_cache max=100 inactive=60s;
  server { listen 127.0.0.1:$ORIGIN_PORT backlog=4096; root $run/www; }
}
NGX
cat > "$run/nginx-proxy.conf" <<NGX
worker_processes 1; daemon off; pid $run/proxy.pid; error_log $run/proxy.err warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off; server_tokens off; tcp_nodelay on;
  keepalive_timeout 120s; keepalive_requests 1000000;
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 256; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGX
cat > "$run/edged.json" <<JSON
{"DistributionConfig": {"CallerReference": "bench", "Comment": "", "Enabled": true,
  "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.bench",
    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
      "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 60}}]},
  "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
  "CacheBehaviors": {"Quantity": 0, "Items": []}},
 "Edge": {"Workers": 1, "OriginAddressOverrides": {"origin.bench": "127.0.0.1:$ORIGIN_PORT"}}}
JSON

taskset -c "$CLIENT_CPU" nginx -c "$run/origin.conf" & pids+=($!)
taskset -c "$SERVER_CPU" nginx -c "$run/nginx-proxy.conf" & pids+=($!)
taskset -c "$SERVER_CPU" "$EDGED" serve --config "$run/edged.json" --listen "127.0.0.1:$EDGED_PORT" \
  --workers 1 --ready-file "$run/edged.ready" 2>"$run/edged.err" & pids+=($!)
for _ in $(seq 100); do [ -s "$run/edged.ready" ] && break; sleep 0.1; done
for port in $ORIGIN_PORT $NGINX_PORT; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

# Both proxies must answer with the origin's bytes before anything is measured.
for size in $SIZES; do
  want=$(stat -c %s "$run/www/$size.bin")
  for port in $NGINX_PORT $EDGED_PORT; do
    got=$(curl -sf -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port/$size.bin") || got=fail
    if [ "$got" != "$want" ]; then
      echo "proxy_bench: port $port /$size.bin gave $got bytes, want $want" >&2
      cat "$run"/*.err >&2 2>/dev/null || true
      exit 1
    fi
  done
done

results="$run/results.tsv"
: > "$results"
for rep in $(seq "$REPS"); do
  for size in $SIZES; do
    for sut in nginx edged; do
      port=$NGINX_PORT; [ $sut = edged ] && port=$EDGED_PORT
      out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "http://127.0.0.1:$port/$size.bin")
      rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
      p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
      errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$size" "$sut" "$rps" "$p99" "$errs" >> "$results"
      echo "rep $rep $size $sut: $rps req/s, p99 ${p99} ms ${errs}" >&2
    done
  done
done

echo
echo "pass-through, $CONNS connections, ${DUR}s x $REPS interleaved runs, proxies pinned to CPU $SERVER_CPU, wrk+origin to CPU $CLIENT_CPU"
awk -F'\t' '
  { key=$2 SUBSEP $3; n[key]++; rps[key, n[key]]=$4; p99[key, n[key]]=$5; sizes[$2]=1 }
  function median(arr, key, cnt,   i, j, t, v) {
    for (i = 1; i <= cnt; i++) v[i] = arr[key, i] + 0
    for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return (cnt % 2) ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
  }
  END {
    printf "| size | nginx req/s | edged req/s | edged/nginx | nginx p99 ms | edged p99 ms |\n"
    printf "|---|---|---|---|---|---|\n"
    for (s in sizes) {
      kn = s SUBSEP "nginx"; ke = s SUBSEP "edged"
      rn = median(rps, kn, n[kn]); re = median(rps, ke, n[ke])
      printf "| %s | %.0f | %.0f | %.2f | %.2f | %.2f |\n", s, rn, re, re / rn, median(p99, kn, n[kn]), median(p99, ke, n[ke])
    }
  }' "$results"
