#!/usr/bin/env bash
# S3 origin speed: GET of an object from edged-s3 (the bundled S3 server, origin/s3/) against nginx
# serving the same bytes as a static file, in one run.
#
# Cases (CASES):
#   public    anonymous GET of an object in a public-read bucket
#   presigned GET of the same object in a private bucket through a presigned URL (SigV4 query
#             verification on every request). wrk sends the same fixed URL every time. nginx
#             gets the same path and the same query string, which it ignores, so both see
#             request lines of the same length.
# Sizes (SIZES): 1k 16k 256k; the default is 16k only.
#
# Fairness:
#   - Each server runs one loop (edged-s3 has one; nginx gets worker_processes 1). Both are
#     pinned to SERVER_CPU with taskset, together with every thread they start. wrk -t1 -c50
#     runs pinned to CLIENT_CPU.
#   - nginx is set up as Debian's stock nginx.conf sets it: sendfile on, tcp_nopush on,
#     tcp_nodelay on (default), keepalive on, ETag and Last-Modified on. On top of that:
#     access_log off, keepalive_requests 1000000 (instead of 1000) so that wrk's connections
#     are never closed, and (NGINX_OPEN_FILE_CACHE=1, the default) open_file_cache, because
#     edged-s3 keeps small objects in memory (origin/s3/body_cache.h): both then skip the
#     per-request open/close. Each of these only helps nginx.
#   - edged-s3 reads its object store on disk, nginx reads a copy of the same bytes. Both are
#     under /dev/shm (tmpfs), so neither waits for a disk.
#   - Before measuring, every URL must return 200 with the exact bytes (sha256) from both servers.
#   - Repetitions are interleaved: the order is rotated per repetition and per (case, size), so
#     rep 1 runs edged-s3 then nginx, rep 2 nginx then edged-s3, and so on.
#   - CPU µs per request is utime+stime of the server's processes (/proc/PID/stat, all
#     threads) before and after a run, divided by wrk's request count. On a noisy shared
#     machine this is the stable figure; req/s also depends on how much CPU the server got.
# Loopback only. It stops only the processes it started.
#
#   bench/s3_bench.sh                          # DUR=5 REPS=3: about 1 minute
#   SIZES="1k 16k 256k" DUR=10 REPS=5 bench/s3_bench.sh
#
# Variables (environment):
#   DUR=5 REPS=3 CONNS=50 THREADS=1   wrk -d seconds, repetitions, -c, -t
#   CASES="public presigned"  SIZES="16k"
#   EDGED_S3=path/to/edged-s3         default: $root/build/edged-s3, else $root/../build/edged-s3
#   NGINX_OPEN_FILE_CACHE=1           0: nginx opens the file on every request (its stock setting)
#   AWS=/usr/bin/aws                  used only to presign (Debian's awscli, not pyenv's)
#   SERVER_CPU=0 CLIENT_CPU=1 BASE_PORT=19500 (first free ports from it)
#   PERF=auto|0|1 PERF_DUR=3          perf record of edged-s3 in one run of the first case, 16k (else the first size)
#   OUT=dir (keep results.tsv, table.md, raw wrk/perf output, logs)  KEEP=1 (keep the run dir)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conf="$root/bench/conf"
BENCH=s3_bench
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
DUR=${DUR:-5}
REPS=${REPS:-3}
CONNS=${CONNS:-50}
THREADS=${THREADS:-1}
CASES=${CASES:-"public presigned"}
SIZES=${SIZES:-"16k"}
AWS=${AWS:-/usr/bin/aws}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
BASE_PORT=${BASE_PORT:-19500}
PERF=${PERF:-auto}
PERF_DUR=${PERF_DUR:-3}
OUT=${OUT:-}
KEEP=${KEEP:-0}
SERVERS="edged-s3 nginx"

need_tools nginx wrk taskset setsid curl ss awk sha256sum
[ -x "$AWS" ] || die "AWS=$AWS missing (Debian's awscli, used to presign)"
for c in $CASES; do case $c in public|presigned) ;; *) die "unknown case '$c' (public presigned)";; esac; done
for s in $SIZES; do case $s in 1k|16k|256k) ;; *) die "unknown size '$s' (1k 16k 256k)";; esac; done
if [ "$PERF" = auto ]; then if command -v perf >/dev/null; then PERF=1; else PERF=0; fi; fi
if [ -z "${EDGED_S3:-}" ]; then
  for c in "$root/build/edged-s3" "$root/../build/edged-s3"; do [ -x "$c" ] && { EDGED_S3=$c; break; }; done
fi
if [ -z "${EDGED_S3:-}" ] || [ ! -x "$EDGED_S3" ]; then die "no edged-s3 binary: set EDGED_S3=path/to/edged-s3"; fi
note_others nginx edged-s3
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

bench_init edged-s3-bench
free_port "$BASE_PORT"; declare -A PORT; PORT[edged-s3]=$got
free_port $((BASE_PORT + 1)); PORT[nginx]=$got

# ------------------------------------------------------------------ objects
bytes_of() { case $1 in 1k) echo 1024;; 16k) echo 16384;; 256k) echo 262144;; esac; }
mkdir -p "$run/www/pub" "$run/www/priv" "$run/objects"
for s in $SIZES; do
  head -c "$(bytes_of "$s")" /dev/urandom >"$run/objects/$s.bin"
  cp "$run/objects/$s.bin" "$run/www/pub/$s.bin"; cp "$run/objects/$s.bin" "$run/www/priv/$s.bin"
done
chmod -R a+rX "$run/www"

# ------------------------------------------------------------------ edged-s3
KEY_ID=AKIABENCH0000000001
SECRET=bench/secret/0123456789abcdefghijklmnopq
cat >"$run/s3.json" <<EOF
{
  "Listen": "127.0.0.1:${PORT[edged-s3]}",
  "DataDir": "$run/s3data",
  "Region": "us-east-1",
  "Credentials": [{"AccessKeyId": "$KEY_ID", "SecretAccessKey": "$SECRET"}],
  "Buckets": [
    {"Name": "pub", "Access": "public-read"},
    {"Name": "priv", "Access": "private"}
  ]
}
EOF
say "starting edged-s3 ($EDGED_S3) on 127.0.0.1:${PORT[edged-s3]}"
spawn "$SERVER_CPU" edged-s3 "$EDGED_S3" --config "$run/s3.json" --ready-file "$run/s3.ready"
for _ in $(seq 100); do [ -s "$run/s3.ready" ] && break; kill -0 "$(cat "$run/pids/edged-s3")" 2>/dev/null || break; sleep 0.1; done
[ -s "$run/s3.ready" ] || { cat "$run/edged-s3.log" >&2; die "edged-s3 did not start"; }
s3="http://127.0.0.1:${PORT[edged-s3]}"
for s in $SIZES; do
  for b in pub priv; do
    code=$(curl -s -o "$run/tmp/put.out" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" --user "$KEY_ID:$SECRET" \
      -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$run/objects/$s.bin" "$s3/$b/$s.bin" || true)
    [ "$code" = 200 ] || { cat "$run/tmp/put.out" >&2; die "PUT $b/$s.bin: HTTP $code"; }
  done
done

# ------------------------------------------------------------------ nginx
ofc=""
[ "${NGINX_OPEN_FILE_CACHE:-1}" = 1 ] && ofc="open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;"
cat >"$run/nginx.conf" <<EOF
# Static nginx as Debian's stock nginx.conf configures it (sendfile on, tcp_nopush on), one
# worker, access_log off, keepalive_requests raised so wrk's connections are never closed.
worker_processes 1;
daemon off;
pid $run/nginx.pid;
error_log $run/nginx.err warn;
worker_rlimit_nofile 16384;
events { worker_connections 4096; }
http {
    access_log off;
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
    $ofc
    client_body_temp_path $run/tmp/nginx-body;
    types { application/octet-stream bin; }
    default_type application/octet-stream;
    gzip off;
    server {
        listen 127.0.0.1:${PORT[nginx]} backlog=4096;
        root $run/www;
    }
}
EOF
say "starting nginx on 127.0.0.1:${PORT[nginx]} (${ofc:-no open_file_cache})"
spawn "$SERVER_CPU" nginx nginx -p "$run" -e "$run/nginx.err" -c "$run/nginx.conf"
first=${SIZES%% *}
wait_ok "${PORT[nginx]}" "/pub/$first.bin" nginx || { cat "$run"/nginx.* >&2; die "nginx did not start"; }

# ------------------------------------------------------------------ URLs, checked
declare -A URL   # server/case/size -> URL
for s in $SIZES; do
  presigned=$(AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_ACCESS_KEY_ID=$KEY_ID AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1 \
    "$AWS" --endpoint-url "$s3" s3 presign "s3://priv/$s.bin" --expires-in 86400) || die "aws s3 presign failed"
  [[ "$presigned" == "$s3/priv/$s.bin?"*X-Amz-Signature=* ]] || die "unexpected presigned URL: $presigned"
  query=${presigned#*\?}
  URL[edged-s3/public/$s]="$s3/pub/$s.bin"
  URL[nginx/public/$s]="http://127.0.0.1:${PORT[nginx]}/pub/$s.bin"
  URL[edged-s3/presigned/$s]=$presigned
  URL[nginx/presigned/$s]="http://127.0.0.1:${PORT[nginx]}/priv/$s.bin?$query"
done
want_sum() { sha256sum <"$run/objects/$1.bin" | cut -d' ' -f1; }
for s in $SIZES; do
  want=$(want_sum "$s")
  for c in $CASES; do
    for v in $SERVERS; do
      code=$(curl -s -D "$run/tmp/check.hdrs" -o "$run/tmp/check.body" -w '%{http_code}' "${URL[$v/$c/$s]}" || true)
      got=$(sha256sum <"$run/tmp/check.body" | cut -d' ' -f1)
      if [ "$code" != 200 ] || [ "$got" != "$want" ]; then
        head -c 600 "$run/tmp/check.body" >&2; echo >&2
        die "$v $c $s: HTTP $code, sha256 $got, want 200 and $want"
      fi
      say "$v $c $s: 200, sha256 ok, $(stat -c %s "$run/tmp/check.body") bytes | $(tr -d '\r' <"$run/tmp/check.hdrs" | grep -iE '^(content-type|etag|connection):' | tr '\n' ' ')"
    done
  done
  # the private bucket must really refuse an anonymous GET (so the presigned case verifies)
  code=$(curl -s -o /dev/null -w '%{http_code}' "$s3/priv/$s.bin" || true)
  [ "$code" = 403 ] || die "anonymous GET of priv/$s.bin: HTTP $code, want 403"
  u=${URL[edged-s3/presigned/$s]}   # the signature is last: change its last hex digit
  if [[ "$u" == *0 ]]; then u="${u%?}1"; else u="${u%?}0"; fi
  code=$(curl -s -o /dev/null -w '%{http_code}' "$u" || true)
  [ "$code" = 403 ] || die "presigned GET with a wrong signature: HTTP $code, want 403"
done
say "anonymous GET of the private bucket and a bad presigned signature both get 403"

# warm up (not recorded), then check pinning
for v in $SERVERS; do
  taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d1s "${URL[$v/public/$first]}" >/dev/null 2>&1 || true
  repin "$v" "$SERVER_CPU"
  say "$v: pid $(cat "$run/pids/$v"), $(affinity "$v" "$SERVER_CPU")"
done
say "wrk: CPU $CLIENT_CPU"

# ------------------------------------------------------------------ measurements
results="$run/results.tsv"
printf 'case\tsize\tserver\trep\trps\tp50_ms\tp99_ms\trequests\terrors\tcpu_us_per_req\tserver_cpu_pct\tcpu%s_busy_pct\tcpu%s_busy_pct\n' \
  "$SERVER_CPU" "$CLIENT_CPU" >"$results"
measure() {  # measure CASE SIZE SERVER REP
  local c=$1 s=$2 v=$3 rep=$4 url raw line k0 k1 t0 t1 s0 s1 c0 c1
  url=${URL[$v/$c/$s]}; raw="$run/raw/$c-$s-$v-r$rep.txt"
  s0=$(cpu_ticks "$SERVER_CPU"); c0=$(cpu_ticks "$CLIENT_CPU"); k0=$(proc_ticks "$v"); t0=$(date +%s%N)
  timeout $((DUR + 30)) taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency \
    -s "$conf/hit.lua" "$url" >"$raw" 2>&1 || true
  s1=$(cpu_ticks "$SERVER_CPU"); c1=$(cpu_ticks "$CLIENT_CPU"); k1=$(proc_ticks "$v"); t1=$(date +%s%N)
  line=$(grep '^RESULT' "$raw" | tail -n 1 || true)
  # shellcheck disable=SC2034  # dur_us, bytes, status_errors: set by the eval of the RESULT line
  local rps=NA p50_us=0 p99_us=0 reqs=0 errors=NA dur_us bytes=0 status_errors
  [ -z "$line" ] || eval "${line#RESULT }"
  local stats p50 p99 cpu pct sc cc
  stats=$(awk -v a="$k0" -v b="$k1" -v ms="$(((t1 - t0) / 1000000))" -v hz="$CLK_TCK" -v n="$reqs" \
    -v p50="$p50_us" -v p99="$p99_us" 'BEGIN {
      split(a, x, " "); split(b, y, " "); d = (y[1] - x[1]) + (y[2] - x[2])
      printf "%.3f\t%.3f\t%.2f\t%.0f", p50 / 1000, p99 / 1000, (n > 0 ? d / hz * 1e6 / n : 0),
        (ms > 0 ? 100 * d / hz / (ms / 1000) : 0) }')
  IFS=$'\t' read -r p50 p99 cpu pct <<<"$stats"
  sc=$(busy "$s0" "$s1"); cc=$(busy "$c0" "$c1")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$s" "$v" "$rep" "$rps" "$p50" "$p99" "$reqs" \
    "$errors" "$cpu" "$pct" "$sc" "$cc" >>"$results"
  say "rep $rep $(printf '%-9s %-4s %-8s' "$c" "$s" "$v") $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $errors, $v CPU $pct% ($cpu us/req), cpu$SERVER_CPU $sc% cpu$CLIENT_CPU $cc%"
}
nruns=$(( $(wc -w <<<"$CASES") * $(wc -w <<<"$SIZES") * 2 ))
say "$nruns runs x $REPS reps x ${DUR}s: about $(( nruns * REPS * (DUR + 1) / 60 + 1 )) min"
for rep in $(seq "$REPS"); do
  k=$((rep - 1))
  for s in $SIZES; do
    for c in $CASES; do
      # shellcheck disable=SC2086
      for v in $(rotate "$k" $SERVERS); do measure "$c" "$s" "$v" "$rep"; done
    done
  done
done

# ------------------------------------------------------------------ perf: where edged-s3's CPU goes
perf_section() {
  [ "$PERF" = 1 ] || return 0
  local data="$run/raw/perf-edged-s3.data" pids wrk_pid c psize
  c=${CASES%% *}
  psize=$first; [[ " $SIZES " == *" 16k "* ]] && psize=16k
  pids=$(session_pids edged-s3 | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
  taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"$((PERF_DUR + 2))s" "${URL[edged-s3/$c/$psize]}" >/dev/null 2>&1 &
  wrk_pid=$!
  sleep 1
  perf record -q -e cpu-clock -F 2000 -g -p "$pids" -o "$data" -- sleep "$PERF_DUR" >/dev/null 2>&1 || true
  wait "$wrk_pid" 2>/dev/null || true
  echo
  echo "### perf: edged-s3, $c $psize, ${PERF_DUR}s (perf record -e cpu-clock), samples by library and top symbols (self)"
  echo
  echo '```'
  perf report -i "$data" --stdio -q --no-children --sort dso --percent-limit 1 -g none 2>/dev/null | sed '/^$/d' | head -n 8
  echo
  perf report -i "$data" --stdio -q --no-children --sort sym --percent-limit 1.5 -g none 2>/dev/null | sed '/^$/d' | head -n 25
  echo '```'
}

# ------------------------------------------------------------------ table of medians
{
  echo
  echo "load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "edged-s3 ($EDGED_S3, tree $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')) vs nginx $(nginx -v 2>&1 | sed 's#.*/##'); one loop / one worker each pinned to CPU $SERVER_CPU, wrk -t$THREADS -c$CONNS pinned to CPU $CLIENT_CPU, ${DUR}s x $REPS interleaved runs, medians"
  awk -F'\t' -v cases="$CASES" -v sizes="$SIZES" -v servers="$SERVERS" '
    NR == 1 { next }
    { k = $1 SUBSEP $2 SUBSEP $3; c = ++n[k]
      rps[k, c] = $5; p50[k, c] = $6; p99[k, c] = $7; cpu[k, c] = $10; pct[k, c] = $11
      req[k] += $8; if ($9 == "NA") bad[k]++; else err[k] += $9
      if ($3 == "edged-s3") { e[$1, $2, $4] = $5; ec[$1, $2, $4] = $10 } else { g[$1, $2, $4] = $5; gc[$1, $2, $4] = $10 } }
    function median(a, k, cnt,   i, j, t, v, m) {
      m = 0
      for (i = 1; i <= cnt; i++) if (a[k, i] != "NA" && a[k, i] != "") v[++m] = a[k, i] + 0
      if (m == 0) return -1
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    END {
      nc = split(cases, C, " "); ns = split(sizes, S, " "); nv = split(servers, V, " ")
      printf "\n| case | size | server | req/s | p50 ms | p99 ms | CPU us / request | server CPU %% | requests | errors | runs |\n"
      printf "|---|---|---|---|---|---|---|---|---|---|---|\n"
      for (j = 1; j <= ns; j++) for (i = 1; i <= nc; i++) for (l = 1; l <= nv; l++) {
        k = C[i] SUBSEP S[j] SUBSEP V[l]; if (!(k in n)) continue
        printf "| %s | %s | %s | %.0f | %.2f | %.2f | %.1f | %.0f | %d | %d%s | %d |\n", C[i], S[j], V[l],
          median(rps, k, n[k]), median(p50, k, n[k]), median(p99, k, n[k]), median(cpu, k, n[k]), median(pct, k, n[k]),
          req[k], err[k], (bad[k] ? " (" bad[k] " runs without result)" : ""), n[k]
      }
      printf "\n| case | size | edged-s3 / nginx req/s | edged-s3 / nginx CPU us per request | per-rep req/s ratios |\n"
      printf "|---|---|---|---|---|\n"
      for (j = 1; j <= ns; j++) for (i = 1; i <= nc; i++) {
        ke = C[i] SUBSEP S[j] SUBSEP "edged-s3"; kn = C[i] SUBSEP S[j] SUBSEP "nginx"
        if (!(ke in n) || !(kn in n)) continue
        reps = ""
        for (r = 1; r <= n[ke]; r++) if (((C[i], S[j], r) in e) && g[C[i], S[j], r] > 0) reps = reps sprintf("%s%.2f", (reps == "" ? "" : " "), e[C[i], S[j], r] / g[C[i], S[j], r])
        printf "| %s | %s | %.2fx | %.2fx | %s |\n", C[i], S[j], median(rps, ke, n[ke]) / median(rps, kn, n[kn]),
          median(cpu, ke, n[ke]) / median(cpu, kn, n[kn]), reps
      }
    }' "$results"
  perf_section
} | tee "$run/table.md"
awk -F'\t' 'NR > 1 && ($9 == "NA" || $9 > 0) {bad = 1} END {exit bad}' "$results" \
  || { say "WARNING: some runs had errors (non-2xx answers, socket errors or no result): see the errors column"; exit 3; }
exit 0
