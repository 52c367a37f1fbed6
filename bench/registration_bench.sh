#!/usr/bin/env bash
# The registration API (edged-registration, origin/registration/) behind the edge, against the same
# API behind nginx as a plain reverse proxy, and the API direct as the baseline, in one run.
#
# Cases (CASES):
#   get    GET /api/registrations/<id> of one existing, issued registration (made with curl
#          first): the read path. The API reads the row and, as it is issued and the demo's
#          config has SignedCookies, signs CloudFront cookies for its certificate (RSA 2048) on
#          every answer: that is what the demo's result page gets.
#   post   POST /api/registrations, a unique email per request (bench/conf/register.lua): the
#          write path. Each one is an INSERT of the registration and its certificate job in one
#          SQLite transaction (WAL, synchronous=FULL: fsync'd), committed before the 201, and
#          a certificate the API's worker thread renders and PUTs into edged-s3 afterwards.
#          Every answer must be a 201 (counted in the Lua script; wrk's non-2xx count must be 0).
# Servers, each measured in every case:
#   edged   the demo's own distribution (conf/example.json): /api/* to the API, CachingDisabled,
#           the custom origin request policy, the X-Origin-Verify custom origin header
#   nginx   Debian's nginx as a plain reverse proxy: proxy_pass to a keep-alive upstream,
#           proxy_set_header X-Origin-Verify, no cache
#   direct  wrk straight to the API, sending X-Origin-Verify itself
#
# Configs: the demo's. The bench makes a key pair as scripts/demo_prepare.sh does and renders
# edge.json and registration.json into the run dir with scripts/demo_render.py (demo_prepare.sh
# also assembles the site, which needs `npm ci` in conf/site-vendor; the bench needs no site).
# Then only addresses change: `edged serve --listen`, `edged-registration --listen/--database`,
# Edge.OriginAddressOverrides and Edge.AdminListen (edge.json), Certificates.Endpoint
# (registration.json). edged-s3 runs conf/s3-origin.json with --listen and a temp --data-dir,
# as the demo runs it: it is the certificates' target.
#
# Fairness and pinning:
#   - The proxy (edged Workers 1, nginx worker_processes 1) runs on SERVER_CPU (0). The API and
#     edged-s3 run on API_CPU, by default the same CPU 0; wrk -t1 runs alone on CLIENT_CPU (1).
#     Why CPU 0 for the API too: then the server side (proxy + API + certificate target) has
#     one core and the load generator the other, so req/s is what one core serves and the
#     proxy's cost shows in req/s against the direct baseline, which gets that core for the API
#     alone. With the API on CPU 1 it would compete with wrk, and req/s would measure wrk's
#     share of CPU 1 as much as the proxy. CPU µs per request is read per process either way.
#   - The API's certificate worker (one thread, one PUT at a time) falls behind during a post
#     run: wrk posts thousands of registrations a second. So that a run does not pay for the
#     previous one's backlog, every post run starts with an empty queue: afterwards the bench
#     records the backlog (certificate_jobs, read with sqlite3) and, by default (DRAIN=discard),
#     deletes the queued jobs (those registrations stay "pending"). DRAIN=wait waits for the
#     worker and reports how long the backlog took to drain.
#   - The database is under the run dir in /dev/shm (tmpfs) by default, so fsync returns at
#     once: the write path is the API's CPU, not this machine's disk. DB_DIR=/some/disk/dir
#     puts it on a disk (then req/s of post is the disk's fsync rate for all three servers).
#   - Before measuring: direct without X-Origin-Verify must get 403 (so a 200 through a proxy
#     proves it added the header); POST through each server must give 201 with a Location, and
#     a repeated email 409; the GET must give 200 and the same body through all three, and the
#     edge's answers must carry `X-Cache: Miss from cloudfront` (CachingDisabled: never a hit).
#   - Repetitions are interleaved: the order of the three servers is rotated per repetition.
#   - CPU µs per request is utime+stime of a server's processes (all threads, /proc/PID/stat)
#     before and after a run, divided by wrk's request count: the proxy's (for direct: the
#     API's), and the API's and edged-s3's in every run. On this shared machine it is the
#     stable figure; req/s also depends on how much CPU the servers get.
# Loopback only. It stops only the processes it started. Exit 1 on a failed check, 3 when a
# measured run had errors or an answer that was not 201 (post) / an error status (get).
#
#   bench/registration_bench.sh                 # DUR=5 REPS=3: about 3 minutes
#   CASES=get DUR=10 REPS=5 bench/registration_bench.sh
#
# Variables (environment):
#   DUR=5 REPS=3 CONNS=50 THREADS=1   wrk -d seconds, repetitions, -c, -t
#   CASES="get post"                  also: sessions (GET /api/sessions: no database, no signing)
#   EDGED EDGED_S3 EDGED_REGISTRATION binaries; default $root/build/<name>, else $root/../build/<name>
#   SERVER_CPU=0 API_CPU=$SERVER_CPU CLIENT_CPU=1 BASE_PORT=19700 (first free ports from it)
#   DB_DIR=$run (tmpfs)               directory of the API's SQLite database
#   DRAIN=discard|wait DRAIN_MAX=600  after a post run, delete the queued certificate jobs, or
#                                     wait (at most DRAIN_MAX s) until the worker issued them all
#   PERF=auto|0|1 PERF_DUR=3          perf record of edged + the API in one edged run per case
#   OUT=dir (keep results.tsv, table.md, raw wrk/perf output, logs)  KEEP=1 (keep the run dir)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conf="$root/bench/conf"
BENCH=registration_bench
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
DUR=${DUR:-5}
REPS=${REPS:-3}
CONNS=${CONNS:-50}
THREADS=${THREADS:-1}
CASES=${CASES:-"get post"}
SERVER_CPU=${SERVER_CPU:-0}
API_CPU=${API_CPU:-$SERVER_CPU}
CLIENT_CPU=${CLIENT_CPU:-1}
BASE_PORT=${BASE_PORT:-19700}
DB_DIR=${DB_DIR:-}
DRAIN=${DRAIN:-discard}
DRAIN_MAX=${DRAIN_MAX:-600}
PERF=${PERF:-auto}
PERF_DUR=${PERF_DUR:-3}
OUT=${OUT:-}
KEEP=${KEEP:-0}
SERVERS="edged nginx direct"
PY=/usr/bin/python3   # Debian's, as scripts/demo_prepare.sh uses it (a pyenv shim may shadow python3)

need_tools nginx wrk taskset setsid curl ss awk openssl sqlite3 cmp
[ -x "$PY" ] || die "$PY missing"
for c in $CASES; do case $c in get|post|sessions) ;; *) die "unknown case '$c' (get post sessions)";; esac; done
case $DRAIN in discard|wait) ;; *) die "DRAIN=$DRAIN: discard or wait";; esac
if [ "$PERF" = auto ]; then if command -v perf >/dev/null; then PERF=1; else PERF=0; fi; fi
binary() {  # binary VAR NAME: $VAR, else $root/build/NAME, else $root/../build/NAME
  local var=$1 name=$2 c
  if [ -z "${!var:-}" ]; then
    for c in "$root/build/$name" "$root/../build/$name"; do [ -x "$c" ] && { printf -v "$var" '%s' "$c"; break; }; done
  fi
  if [ -z "${!var:-}" ] || [ ! -x "${!var}" ]; then die "no $name binary: set $var=path/to/$name"; fi
}
binary EDGED edged
binary EDGED_S3 edged-s3
binary EDGED_REGISTRATION edged-registration
note_others nginx edged edged-s3 edged-registrat   # comm is cut at 15 characters
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')

bench_init edged-registration-bench
declare -A PORT
free_port "$BASE_PORT"; PORT[s3]=$got
for p in api edged nginx admin; do free_port $((BASE_PORT + 1)); PORT[$p]=$got; done
PORT[direct]=${PORT[api]}
DB_DIR=${DB_DIR:-$run}
mkdir -p "$DB_DIR"
db="$DB_DIR/registrations-bench-$$.db"
rm -f "$db" "$db-wal" "$db-shm"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup_db() { [ "$DB_DIR" = "$run" ] || rm -f "$db" "$db-wal" "$db-shm"; }
trap 'cleanup; cleanup_db' EXIT   # after the processes stopped

# ------------------------------------------------------------------ the demo's configs
demo="$run/demo"
mkdir -p "$demo/keys"; chmod 700 "$demo/keys"
(umask 077 && openssl genrsa -out "$demo/keys/private.pem" 2048 2>/dev/null) || die "openssl genrsa failed"
openssl rsa -in "$demo/keys/private.pem" -pubout -out "$demo/keys/public.pem" 2>/dev/null || die "openssl rsa -pubout failed"
"$PY" "$root/scripts/demo_render.py" "$demo" || die "scripts/demo_render.py failed"
# Only addresses change. Prints the API's OriginVerifyHeader name and value.
verify=$("$PY" - "$demo" "${PORT[s3]}" "${PORT[api]}" "${PORT[edged]}" "${PORT[admin]}" "$db" <<'PYEOF'
import json, sys
out, s3, api, edge, admin, db = sys.argv[1:]
with open(f"{out}/edge.json") as f: e = json.load(f)
o = e["Edge"]["OriginAddressOverrides"]
for host in list(o):
    if host.startswith("site."): o[host] = f"127.0.0.1:{s3}"
    elif host.startswith("api."): o[host] = f"127.0.0.1:{api}"
    else: sys.exit(f"unexpected OriginAddressOverrides host {host}")
e["Edge"]["Listen"] = f"127.0.0.1:{edge}"
e["Edge"]["AdminListen"] = f"127.0.0.1:{admin}"
with open(f"{out}/edge.json", "w") as f: json.dump(e, f, indent=2)
with open(f"{out}/registration.json") as f: r = json.load(f)
r["Listen"] = f"127.0.0.1:{api}"
r["Database"] = db
r["Certificates"]["Endpoint"] = f"127.0.0.1:{s3}"
with open(f"{out}/registration.json", "w") as f: json.dump(r, f, indent=2)
v = r.get("OriginVerifyHeader") or sys.exit("registration.json has no OriginVerifyHeader")
print(v["Name"] + ": " + v["Value"])
PYEOF
) || die "adjusting the rendered configs failed"
VERIFY_NAME=${verify%%: *}; VERIFY_VALUE=${verify#*: }
"$EDGED" check-config "$demo/edge.json" >"$run/check-config.txt" 2>&1 || { cat "$run/check-config.txt" >&2; die "edged check-config failed"; }

# ------------------------------------------------------------------ edged-s3, the API, the proxies
wait_ready() {  # wait_ready NAME FILE: up to 10 s for the ready file; fails early if NAME died
  local i
  for i in $(seq 100); do
    [ -s "$2" ] && return 0
    kill -0 "$(cat "$run/pids/$1" 2>/dev/null)" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$run/$1.log" >&2 || true
  die "$1 did not start"
}
say "starting edged-s3 ($EDGED_S3) on 127.0.0.1:${PORT[s3]}, CPU $API_CPU"
spawn "$API_CPU" edged-s3 "$EDGED_S3" --config "$root/conf/s3-origin.json" --listen "127.0.0.1:${PORT[s3]}" \
  --data-dir "$run/s3data" --ready-file "$run/s3.ready"
wait_ready edged-s3 "$run/s3.ready"
say "starting edged-registration ($EDGED_REGISTRATION) on 127.0.0.1:${PORT[api]}, CPU $API_CPU, database $db"
spawn "$API_CPU" api "$EDGED_REGISTRATION" --config "$demo/registration.json" --listen "127.0.0.1:${PORT[api]}" \
  --database "$db" --ready-file "$run/api.ready"
wait_ready api "$run/api.ready"
say "starting edged ($EDGED) on 127.0.0.1:${PORT[edged]}, CPU $SERVER_CPU"
spawn "$SERVER_CPU" edged "$EDGED" serve --config "$demo/edge.json" --listen "127.0.0.1:${PORT[edged]}" \
  --workers 1 --ready-file "$run/edged.ready"
wait_ready edged "$run/edged.ready"

cat >"$run/nginx.conf" <<EOF
# nginx as a plain reverse proxy in front of the registration API: one worker, no cache,
# keep-alive upstream (HTTP/1.1), the API's X-Origin-Verify header added as the edge adds it.
worker_processes 1;
daemon off;
pid $run/nginx.pid;
error_log $run/nginx.err warn;
worker_rlimit_nofile 16384;
events { worker_connections 4096; }
http {
    access_log off;
    server_tokens off;
    tcp_nodelay on;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
    client_body_temp_path $run/tmp/nginx-body;
    proxy_temp_path $run/tmp/nginx-proxy;
    upstream api {
        server 127.0.0.1:${PORT[api]};
        keepalive 256;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:${PORT[nginx]} backlog=4096;
        location /api/ {
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header $VERIFY_NAME "$VERIFY_VALUE";
        }
    }
}
EOF
say "starting nginx on 127.0.0.1:${PORT[nginx]}, CPU $SERVER_CPU"
spawn "$SERVER_CPU" nginx nginx -p "$run" -e "$run/nginx.err" -c "$run/nginx.conf"
wait_ok "${PORT[nginx]}" /api/sessions nginx || { cat "$run"/nginx.* >&2; die "nginx did not start"; }
wait_ok "${PORT[edged]}" /api/sessions edged || { tail -n 20 "$run/edged.log" >&2; die "edged does not answer /api/sessions"; }

# ------------------------------------------------------------------ checks
base() { echo "http://127.0.0.1:${PORT[$1]}"; }
hdr_args() { [ "$1" = direct ] && printf '%s\n' -H "$VERIFY_NAME: $VERIFY_VALUE"; return 0; }
fetch() {  # fetch SERVER NAME curl-args...: $run/tmp/NAME.{hdrs,body}; prints the status
  local v=$1 n=$2; shift 2
  local extra=(); mapfile -t extra < <(hdr_args "$v")
  curl -s --max-time 10 -D "$run/tmp/$n.hdrs" -o "$run/tmp/$n.body" -w '%{http_code}' "${extra[@]}" "$@" || true
}
header_of() { tr -d '\r' <"$run/tmp/$1.hdrs" | awk -v h="$2" 'tolower($0) ~ "^" tolower(h) ":" {sub(/^[^:]*: */, ""); print; exit}'; }
post_json() {  # post_json SERVER NAME EMAIL: prints the status
  fetch "$1" "$2" -X POST -H 'Content-Type: application/json' \
    --data "{\"name\":\"Check Attendee\",\"email\":\"$3\",\"affiliation\":\"bench\",\"session\":\"keynote\"}" \
    "$(base "$1")/api/registrations"
}
code=$(curl -s -o /dev/null -w '%{http_code}' "$(base direct)/api/sessions" || true)
[ "$code" = 403 ] || die "direct GET /api/sessions without $VERIFY_NAME: HTTP $code, want 403"
say "direct without $VERIFY_NAME: 403 (so a 200 through a proxy means it added the header)"
tag=$(date +%s)-$$
id=""
for v in $SERVERS; do
  email="check-$v-$tag@bench.example.org"
  code=$(post_json "$v" "post-$v" "$email")
  loc=$(header_of "post-$v" location)
  if [ "$code" != 201 ] || [[ "$loc" != /api/registrations/r_* ]]; then
    cat "$run/tmp/post-$v.body" >&2; echo >&2; die "$v POST: HTTP $code, Location '$loc', want 201 and /api/registrations/r_..."
  fi
  if [ "$v" = edged ]; then
    xc=$(header_of "post-$v" x-cache)
    [ "$xc" = "Miss from cloudfront" ] || die "edged POST: X-Cache '$xc', want 'Miss from cloudfront'"
    id=${loc#/api/registrations/}
  fi
  code=$(post_json "$v" "dup-$v" "$email")
  [ "$code" = 409 ] || die "$v POST of the same email again: HTTP $code, want 409"
  say "$v POST: 201, Location $loc; the same email again: 409"
done
# The GET case's registration: made through the edge above. Wait until the worker issued it, so
# its body no longer changes (and every GET signs cookies, as for the demo's result page).
for _ in $(seq 100); do
  code=$(fetch direct issued "$(base direct)/api/registrations/$id")
  [ "$code" = 200 ] && grep -q '"status":"issued"' "$run/tmp/issued.body" && break
  sleep 0.1
done
grep -q '"status":"issued"' "$run/tmp/issued.body" || { cat "$run/tmp/issued.body" >&2; die "registration $id was not issued within 10 s (edged-s3 / worker?)"; }
declare -A PATHOF=([get]="/api/registrations/$id" [post]="/api/registrations" [sessions]="/api/sessions")
for c in get sessions; do
  p=${PATHOF[$c]}
  for v in $SERVERS; do
    for i in 1 2; do   # twice: the second must not be a hit either
      code=$(fetch "$v" "$c-$v" "$(base "$v")$p")
      [ "$code" = 200 ] || { cat "$run/tmp/$c-$v.body" >&2; echo >&2; die "$v GET $p: HTTP $code, want 200"; }
      if [ "$v" = edged ]; then
        xc=$(header_of "$c-$v" x-cache)
        [ "$xc" = "Miss from cloudfront" ] || die "edged GET $p (#$i): X-Cache '$xc', want 'Miss from cloudfront'"
      fi
    done
  done
  for v in edged nginx; do
    cmp -s "$run/tmp/$c-$v.body" "$run/tmp/$c-direct.body" || { diff "$run/tmp/$c-$v.body" "$run/tmp/$c-direct.body" >&2 || true; die "$v GET $p: body differs from direct's"; }
  done
  for v in $SERVERS; do
    say "$v GET $p: 200, $(stat -c %s "$run/tmp/$c-$v.body") bytes$([ "$v" = direct ] || echo ", same as direct"), $(stat -c %s "$run/tmp/$c-$v.hdrs") header bytes, $(grep -ci '^set-cookie:' "$run/tmp/$c-$v.hdrs" || true) Set-Cookie | $(tr -d '\r' <"$run/tmp/$c-$v.hdrs" | grep -iE '^(x-cache|via|cache-control|content-length):' | tr '\n' ' ')"
  done
done

jobs_left() { sqlite3 -readonly -cmd '.timeout 5000' "$db" 'SELECT count(*) FROM certificate_jobs' 2>/dev/null || echo '?'; }
registrations() { sqlite3 -readonly -cmd '.timeout 5000' "$db" 'SELECT count(*) FROM registrations' 2>/dev/null || echo '?'; }
drain() {  # empty the certificate queue: DRAIN=discard deletes the jobs, DRAIN=wait waits for the worker
  local left t0 i
  left=$(jobs_left); t0=$(date +%s%N)
  if [ "$left" = 0 ]; then drain_msg="0 queued"; return 0; fi
  if [ "$DRAIN" = discard ]; then
    sqlite3 -cmd '.timeout 10000' "$db" 'DELETE FROM certificate_jobs' >/dev/null || die "deleting the queued certificate jobs failed"
    sleep 0.5   # the worker finishes the job it holds (its DELETE then finds no row)
    drain_msg="$left queued, discarded (DRAIN=discard); queue now $(jobs_left)"
    return 0
  fi
  for i in $(seq $((DRAIN_MAX * 5))); do
    sleep 0.2
    if [ "$(jobs_left)" = 0 ]; then drain_msg="$left queued, drained in $(( ($(date +%s%N) - t0) / 1000000 )) ms"; return 0; fi
  done
  die "the certificate queue ($left jobs) did not drain in ${DRAIN_MAX}s: $(jobs_left) left"
}

# warm up (not recorded), then check pinning
for v in $SERVERS; do
  mapfile -t extra < <(hdr_args "$v")
  taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d1s "${extra[@]}" "$(base "$v")/api/sessions" >/dev/null 2>&1 || true
done
for n in edged nginx; do repin "$n" "$SERVER_CPU"; say "$n: pid $(cat "$run/pids/$n"), $(affinity "$n" "$SERVER_CPU")"; done
for n in api edged-s3; do repin "$n" "$API_CPU"; say "$n: pid $(cat "$run/pids/$n"), $(affinity "$n" "$API_CPU")"; done
say "wrk: CPU $CLIENT_CPU"
posted0=$(registrations)

# ------------------------------------------------------------------ measurements
proxy_of() { case $1 in direct) echo api;; *) echo "$1";; esac; }
results="$run/results.tsv"
printf 'case\tserver\trep\trps\tp50_ms\tp99_ms\trequests\terrors\tnot_created\tproxy_us_per_req\tapi_us_per_req\ts3_us_per_req\tproxy_cpu_pct\tcpu%s_busy_pct\tcpu%s_busy_pct\tqueued_after\n' \
  "$SERVER_CPU" "$CLIENT_CPU" >"$results"
created_total=0
measure() {  # measure CASE SERVER REP
  local c=$1 v=$2 rep=$3 url raw line px script args=() extra=() s0 s1 c0 c1 t0 t1 p0 p1 a0 a1 q0 q1 queued=0
  px=$(proxy_of "$v")
  url="$(base "$v")${PATHOF[$c]}"; raw="$run/raw/$c-$v-r$rep.txt"
  mapfile -t extra < <(hdr_args "$v")
  if [ "$c" = post ]; then script="$conf/register.lua"; args=(-- "r$rep-$v-$tag"); else script="$conf/hit.lua"; fi
  s0=$(cpu_ticks "$SERVER_CPU"); c0=$(cpu_ticks "$CLIENT_CPU")
  p0=$(proc_ticks "$px"); a0=$(proc_ticks api); q0=$(proc_ticks edged-s3); t0=$(date +%s%N)
  timeout $((DUR + 30)) taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency "${extra[@]}" \
    -s "$script" "$url" "${args[@]}" >"$raw" 2>&1 || true
  s1=$(cpu_ticks "$SERVER_CPU"); c1=$(cpu_ticks "$CLIENT_CPU")
  p1=$(proc_ticks "$px"); a1=$(proc_ticks api); q1=$(proc_ticks edged-s3); t1=$(date +%s%N)
  line=$(grep '^RESULT' "$raw" | tail -n 1 || true)
  # shellcheck disable=SC2034  # dur_us, bytes, status_errors: set by the eval of the RESULT line
  local rps=NA p50_us=0 p99_us=0 reqs=0 errors=NA dur_us bytes=0 status_errors created=NA not_created=0
  [ -z "$line" ] || eval "${line#RESULT }"
  if [ "$c" = post ]; then
    queued=$(jobs_left)   # registrations committed in this run whose certificate is not issued yet
    # every answer must have been a 201: one per request wrk counted
    if [ "$created" = NA ] || [ "$created" != "$reqs" ]; then not_created=$((not_created + 1)); fi
    [ "$created" = NA ] || created_total=$((created_total + created))
  fi
  local stats p50 p99 pcpu acpu qcpu pct sc cc
  stats=$(awk -v p0="$p0" -v p1="$p1" -v a0="$a0" -v a1="$a1" -v q0="$q0" -v q1="$q1" -v ms="$(((t1 - t0) / 1000000))" \
    -v hz="$CLK_TCK" -v n="$reqs" -v p50="$p50_us" -v p99="$p99_us" '
    function d(a, b,   x, y) { split(a, x, " "); split(b, y, " "); return (y[1] - x[1]) + (y[2] - x[2]) }
    function per(t) { return n > 0 ? t / hz * 1e6 / n : 0 }
    BEGIN { printf "%.3f\t%.3f\t%.1f\t%.1f\t%.1f\t%.0f", p50 / 1000, p99 / 1000, per(d(p0, p1)), per(d(a0, a1)),
              per(d(q0, q1)), (ms > 0 ? 100 * d(p0, p1) / hz / (ms / 1000) : 0) }')
  IFS=$'\t' read -r p50 p99 pcpu acpu qcpu pct <<<"$stats"
  sc=$(busy "$s0" "$s1"); cc=$(busy "$c0" "$c1")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$v" "$rep" "$rps" "$p50" "$p99" "$reqs" \
    "$errors" "$not_created" "$pcpu" "$acpu" "$qcpu" "$pct" "$sc" "$cc" "$queued" >>"$results"
  say "rep $rep $(printf '%-8s %-6s' "$c" "$v") $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $errors$([ "$c" = post ] && echo ", 201s $created of $reqs"), $px CPU $pct% ($pcpu us/req), api $acpu us/req, edged-s3 $qcpu us/req, cpu$SERVER_CPU $sc% cpu$CLIENT_CPU $cc%"
  if [ "$c" = post ]; then drain; say "  certificate queue after the run: $drain_msg ($((reqs - queued)) of the $reqs issued during the run, about)"; fi
}
nruns=$(( $(wc -w <<<"$CASES") * 3 ))
say "$nruns runs x $REPS reps x ${DUR}s: about $(( nruns * REPS * (DUR + 2) / 60 + 1 )) min, plus the certificate queue drains"
for rep in $(seq "$REPS"); do
  k=$((rep - 1))
  for c in $CASES; do
    # shellcheck disable=SC2086
    for v in $(rotate "$k" $SERVERS); do measure "$c" "$v" "$rep"; done
  done
done
posted1=$(registrations)
if [[ " $CASES " == *" post "* ]]; then
  # wrk does not count the answers still in flight when it stops (at most CONNS per run), but the
  # API committed those registrations too
  added=$((posted1 - posted0)); slack=$((CONNS * REPS * 3))
  if [ "$added" -lt "$created_total" ] || [ "$added" -gt $((created_total + slack)) ]; then
    die "the database holds $added new registrations, wrk counted $created_total 201s (want that, plus at most $slack in flight at the ends of the runs)"
  fi
  say "the database holds $added new registrations: the $created_total 201s wrk counted, and $((added - created_total)) in flight when runs ended"
fi

# ------------------------------------------------------------------ perf: where edged's and the API's CPU goes
perf_section() {
  [ "$PERF" = 1 ] || return 0
  local c data pids wrk_pid args script
  for c in $CASES; do
    data="$run/raw/perf-$c.data"
    pids=$( (session_pids edged; session_pids api) | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
    if [ "$c" = post ]; then script="$conf/register.lua"; args=(-- "perf-$tag"); else script="$conf/hit.lua"; args=(); fi
    taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"$((PERF_DUR + 2))s" -s "$script" "$(base edged)${PATHOF[$c]}" "${args[@]}" >/dev/null 2>&1 &
    wrk_pid=$!
    sleep 1
    perf record -q -e cpu-clock -F 2000 -g -p "$pids" -o "$data" -- sleep "$PERF_DUR" >/dev/null 2>&1 || true
    wait "$wrk_pid" 2>/dev/null || true
    [ "$c" != post ] || drain >/dev/null
    echo
    echo "### perf: $c through edged, ${PERF_DUR}s, edged + edged-registration (perf record -e cpu-clock), samples by process/library and top symbols (self)"
    echo
    echo '```'
    perf report -i "$data" --stdio -q --no-children --sort comm,dso --percent-limit 1.5 -g none 2>/dev/null | sed '/^$/d' | head -n 14
    echo
    perf report -i "$data" --stdio -q --no-children --sort comm,sym --percent-limit 1.2 -g none 2>/dev/null | sed '/^$/d' | grep -v '\] 0x0' | head -n 20
    echo '```'
  done
}

# ------------------------------------------------------------------ table of medians
{
  echo
  echo "$date_start; load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "edged ($EDGED, tree $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')) vs nginx $(nginx -v 2>&1 | sed 's#.*/##') vs direct, in front of edged-registration (database on $(stat -f -c %T "$DB_DIR")); proxy (1 worker) on CPU $SERVER_CPU, API + edged-s3 on CPU $API_CPU, wrk -t$THREADS -c$CONNS on CPU $CLIENT_CPU; ${DUR}s x $REPS interleaved runs, medians"
  awk -F'\t' -v cases="$CASES" -v servers="$SERVERS" '
    NR == 1 { next }
    { k = $1 SUBSEP $2; c = ++n[k]
      q[k, c] = $16; rps[k, c] = $4; p50[k, c] = $5; p99[k, c] = $6; pcpu[k, c] = $10; acpu[k, c] = $11; qcpu[k, c] = $12; pct[k, c] = $13
      req[k] += $7; if ($8 == "NA") bad[k]++; else err[k] += $8; nc201[k] += $9
      R[$1, $2, $3] = $4 }
    function median(a, k, cnt,   i, j, t, v, m) {
      m = 0
      for (i = 1; i <= cnt; i++) if (a[k, i] != "NA" && a[k, i] != "") v[++m] = a[k, i] + 0
      if (m == 0) return -1
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    END {
      nc = split(cases, C, " "); nv = split(servers, V, " ")
      printf "\n| case | server | req/s | p50 ms | p99 ms | proxy CPU us / request | API CPU us / request | edged-s3 CPU us / request | proxy CPU %% | requests | errors | certificates queued after a run | runs |\n"
      printf "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
      for (i = 1; i <= nc; i++) for (l = 1; l <= nv; l++) {
        k = C[i] SUBSEP V[l]; if (!(k in n)) continue
        printf "| %s | %s | %.0f | %.2f | %.2f | %s | %.1f | %.1f | %s | %d | %d%s | %s | %d |\n", C[i], V[l],
          median(rps, k, n[k]), median(p50, k, n[k]), median(p99, k, n[k]),
          (V[l] == "direct" ? "(API) " : "") sprintf("%.1f", median(pcpu, k, n[k])), median(acpu, k, n[k]), median(qcpu, k, n[k]),
          (V[l] == "direct" ? "(API) " : "") sprintf("%.0f", median(pct, k, n[k])),
          req[k], err[k], (bad[k] ? " (" bad[k] " runs without result)" : "") (nc201[k] ? " (" nc201[k] " runs with non-201)" : ""),
          (C[i] == "post" ? sprintf("%.0f", median(q, k, n[k])) : ""), n[k]
      }
      printf "\n| case | edged / nginx req/s | edged / nginx proxy CPU us per request | per-rep req/s ratios | edged / direct req/s | nginx / direct req/s |\n"
      printf "|---|---|---|---|---|---|\n"
      for (i = 1; i <= nc; i++) {
        ke = C[i] SUBSEP "edged"; kn = C[i] SUBSEP "nginx"; kd = C[i] SUBSEP "direct"
        if (!(ke in n) || !(kn in n)) continue
        reps = ""
        for (r = 1; r <= n[ke]; r++) if (((C[i], "nginx", r) in R) && R[C[i], "nginx", r] > 0) reps = reps sprintf("%s%.2f", (reps == "" ? "" : " "), R[C[i], "edged", r] / R[C[i], "nginx", r])
        printf "| %s | %.2fx | %.2fx | %s | %s | %s |\n", C[i], median(rps, ke, n[ke]) / median(rps, kn, n[kn]),
          median(pcpu, ke, n[ke]) / median(pcpu, kn, n[kn]), reps,
          (kd in n) ? sprintf("%.2fx", median(rps, ke, n[ke]) / median(rps, kd, n[kd])) : "",
          (kd in n) ? sprintf("%.2fx", median(rps, kn, n[kn]) / median(rps, kd, n[kd])) : ""
      }
    }' "$results"
  perf_section
} | tee "$run/table.md"
awk -F'\t' 'NR > 1 && ($8 == "NA" || $8 > 0 || $9 > 0) {bad = 1} END {exit bad}' "$results" \
  || { say "WARNING: some runs had errors (error statuses, socket errors, answers other than 201, or no result): see the errors column"; exit 3; }
exit 0
