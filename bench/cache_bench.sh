#!/usr/bin/env bash
# Hit-path and miss-path comparison of caching proxies (issue 3, item 10): edged against nginx
# proxy_cache, Varnish and Apache Traffic Server (Debian's packages), all in one run, in front of
# the same local nginx origin.
#
# Each proxy runs one worker pinned to SERVER_CPU; wrk and the origin are pinned to CLIENT_CPU.
# Hit runs: 1k, 16k and 256k objects, each cache warmed and checked first; the origin's request
# counter is read around every run (hit runs must show 0 origin fetches). Miss run: a 1 KiB object
# with a unique query string per request (every request must reach the origin). Runs are
# interleaved: for each repetition, for each size, every proxy in turn, the order rotated per
# repetition and size, so drift on this shared machine hits all alike. The tables show medians
# over REPS and edged's ratio to the fastest other proxy measured in the same invocation.
# Loopback only; stops only the processes it started.
#
#   bench/cache_bench.sh                          # DUR=5 REPS=3 CONNS=50: ~5 min
#   DUR=10 REPS=5 bench/cache_bench.sh            # ~15 min
#   DUR=2 REPS=1 PROXIES="edged nginx" bench/cache_bench.sh
#
# Variables (environment):
#   DUR=5  REPS=3  CONNS=50  THREADS=1       wrk -d seconds, repetitions, -c, -t
#   SIZES="1k 16k 256k"   hit-run objects    MISS=1 (0: no miss run)  MISS_SIZES="1k"
#   PROXIES="edged nginx varnish ats"        a proxy whose program is missing is reported skipped
#   EDGED=path/to/edged   default: $root/build/edged, else $root/../build/edged, else built
#   EDGED_BASE=path/to/edged  for the proxies edged-base (that binary, edged's config) and
#                         edged-log (EDGED with Edge.AccessLog on): add them to PROXIES to price a
#                         change (EDGED_BASE built from its parent) or the access log in one
#                         interleaved run, e.g. PROXIES="edged edged-base edged-log"
#   EDGED_LOG_FILE=path   edged-log's Edge.AccessLog (default: a file in the run's directory);
#                         /dev/null prices the formatting without the file system's share
#   CACHE_MB=1024         cache budget of every proxy (edged CacheMemoryBytes, nginx max_size,
#                         varnish -s malloc, ATS RAM cache)
#   SERVER_CPU=0 CLIENT_CPU=1 ORIGIN_CPU=$CLIENT_CPU   BASE_PORT=19300 (first free ports from it)
#   VARNISHD=varnishd TRAFFIC_SERVER=traffic_server   (programs; missing => proxy skipped)
#   VARNISH_THREADS_MIN=250   OUT=dir (keep results.tsv, table.md, raw wrk output, logs)  KEEP=1
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conf="$root/bench/conf"
DUR=${DUR:-5}
REPS=${REPS:-3}
CONNS=${CONNS:-50}
THREADS=${THREADS:-1}
SIZES=${SIZES:-"1k 16k 256k"}
MISS=${MISS:-1}
MISS_SIZES=${MISS_SIZES:-"1k"}
PROXIES=${PROXIES:-"edged nginx varnish ats"}
CACHE_MB=${CACHE_MB:-1024}
ATS_SPAN_MB=${ATS_SPAN_MB:-512}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
ORIGIN_CPU=${ORIGIN_CPU:-$CLIENT_CPU}
BASE_PORT=${BASE_PORT:-19300}
VARNISH_THREADS_MIN=${VARNISH_THREADS_MIN:-250}
VARNISHD=${VARNISHD:-varnishd}
TRAFFIC_SERVER=${TRAFFIC_SERVER:-traffic_server}
OUT=${OUT:-}
KEEP=${KEEP:-0}

BENCH=cache_bench
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"   # spawn/stop/cleanup, pinning, free ports, CPU accounting, rotation

need_tools nginx wrk taskset setsid curl ss awk
for p in $PROXIES; do
  case $p in edged|edged-base|edged-log|nginx|varnish|ats) ;; *) die "unknown proxy '$p' in PROXIES (edged edged-base edged-log nginx varnish ats)";; esac
done
if [[ " $PROXIES " == *" edged"* ]]; then
  if [ -z "${EDGED:-}" ]; then
    for c in "$root/build/edged" "$root/../build/edged"; do [ -x "$c" ] && { EDGED=$c; break; }; done
  fi
  if [ -z "${EDGED:-}" ]; then "$root/scripts/build.sh" release "$root/build"; EDGED=$root/build/edged; fi
  [ -x "$EDGED" ] || die "EDGED=$EDGED is not executable"
fi

note_others nginx varnishd traffic_server edged
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ processes and cleanup
bench_init edged-cache-bench   # varnish runs as vcache, ATS as trafficserver: $run is 755

# ------------------------------------------------------------------ ports (first free from BASE_PORT)
free_port "$BASE_PORT"; ORIGIN_PORT=$got
declare -A PORT
for p in edged edged-base edged-log nginx varnish ats; do free_port $((BASE_PORT + 1)); PORT[$p]=$got; done

render() {  # render SRC DST PORT
  sed -e "s#@RUN@#$run#g" -e "s#@PORT@#$3#g" -e "s#@ORIGIN_PORT@#$ORIGIN_PORT#g" \
      -e "s#@CACHE_MB@#$CACHE_MB#g" -e "s#@CACHE_BYTES@#$((CACHE_MB * 1048576))#g" \
      -e "s#@ATS_SPAN_MB@#$ATS_SPAN_MB#g" "$1" >"$2"
  chmod 644 "$2"
}

# ------------------------------------------------------------------ origin
mkdir -p "$run/www/miss"
head -c 1024 /dev/urandom >"$run/www/1k.bin"
head -c 16384 /dev/urandom >"$run/www/16k.bin"
head -c 262144 /dev/urandom >"$run/www/256k.bin"
for s in $MISS_SIZES; do cp "$run/www/$s.bin" "$run/www/miss/$s.bin"; done
chmod 755 "$run/www" "$run/www/miss"; chmod 644 "$run"/www/*.bin "$run"/www/miss/*.bin
render "$conf/nginx-origin.conf" "$run/origin.conf" "$ORIGIN_PORT"
spawn "$ORIGIN_CPU" origin nginx -p "$run" -e "$run/origin.err" -c "$run/origin.conf"
origin_count() {  # the origin's request counter (the call itself adds 1)
  curl -s --max-time 2 "http://127.0.0.1:$ORIGIN_PORT/__status" | awk 'NR == 3 {print $3}'
}
wait_ok "$ORIGIN_PORT" /1k.bin origin || { cat "$run"/origin.* >&2; die "origin did not start"; }
[ -n "$(origin_count)" ] || die "origin /__status (stub_status) does not answer"

# ------------------------------------------------------------------ proxies
start_edged() {
  render "$conf/edged.json" "$run/edged.json" "$1"
  spawn "$SERVER_CPU" edged "$EDGED" serve --config "$run/edged.json" --listen "127.0.0.1:$1" \
    --workers 1 --ready-file "$run/edged.ready"
}
# edged-base: another edged binary (EDGED_BASE), same config, to price what EDGED adds.
start_edged-base() {
  render "$conf/edged.json" "$run/edged-base.json" "$1"
  spawn "$SERVER_CPU" edged-base "$EDGED_BASE" serve --config "$run/edged-base.json" \
    --listen "127.0.0.1:$1" --workers 1 --ready-file "$run/edged-base.ready"
}
# edged-log: edged with Edge.AccessLog on (same config otherwise), to price the access log.
start_edged-log() {
  render "$conf/edged.json" "$run/edged-log.json" "$1"
  sed -i "s#\"Edge\": {#\"Edge\": {\"AccessLog\": \"${EDGED_LOG_FILE:-$run/edged-access.log}\", #" "$run/edged-log.json"
  grep -q AccessLog "$run/edged-log.json" || die "edged-log: could not add Edge.AccessLog"
  spawn "$SERVER_CPU" edged-log "$EDGED" serve --config "$run/edged-log.json" --listen "127.0.0.1:$1" \
    --workers 1 --ready-file "$run/edged-log.ready"
}
start_nginx() {
  mkdir -p "$run/nginx-cache"
  render "$conf/nginx-cache.conf" "$run/nginx.conf" "$1"
  spawn "$SERVER_CPU" nginx nginx -p "$run" -e "$run/nginx.err" -c "$run/nginx.conf"
}
start_varnish() {
  render "$conf/varnish.vcl" "$run/varnish.vcl" "$1"
  # one thread pool; thread_pool_min well above CONNS so no thread is created during a run;
  # nuke_limit 1000 (default 50 gives 503s when a big miss must evict many small objects)
  spawn "$SERVER_CPU" varnish "$VARNISHD" -F -n "$run/varnish" -a "127.0.0.1:$1" -T 127.0.0.1:0 \
    -f "$run/varnish.vcl" -s "malloc,${CACHE_MB}M" \
    -p thread_pools=1 -p thread_pool_min="$VARNISH_THREADS_MIN" -p thread_pool_max=2000 \
    -p nuke_limit=1000
}
start_ats() {
  local d=$run/ats f
  mkdir -p "$d/etc" "$d/run" "$d/log" "$d/cache"   # storage.config names the directory: ATS makes its span file in it
  for f in cache.config hosting.config parent.config plugin.config socks.config splitdns.config \
           ssl_multicert.config volume.config; do : >"$d/etc/$f"; done
  echo 'sni: []' >"$d/etc/sni.yaml"; echo 'strategies: []' >"$d/etc/strategies.yaml"
  for f in "$conf"/ats/*; do render "$f" "$d/etc/$(basename "$f")" "$1"; done
  cat >"$d/runroot.yaml" <<EOF
prefix: /usr
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
sysconfdir: $d/etc
datadir: $d/run
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: /usr/lib/trafficserver/modules
localstatedir: $d/run
runtimedir: $d/run
logdir: $d/log
cachedir: $d/run
EOF
  chown -R trafficserver: "$d"   # traffic_server drops to proxy.config.admin.user_id
  spawn "$SERVER_CPU" ats "$TRAFFIC_SERVER" --run-root="$d/runroot.yaml"
}
program() { case $1 in edged|edged-log) echo "$EDGED";; edged-base) echo "${EDGED_BASE:-edged-base}";; nginx) echo nginx;; varnish) echo "$VARNISHD";; ats) echo "$TRAFFIC_SERVER";; esac; }
hit_header() {  # the response header that shows the proxy's cache result
  case $1 in edged|edged-base|edged-log) echo 'x-cache';; nginx) echo 'x-cache-status';; varnish) echo 'x-cache|x-varnish|age';; ats) echo 'via|age';; esac
}

declare -A STATUS   # proxy -> ok | "skipped: ..." | "excluded: ..."
active=()
for p in $PROXIES; do
  if ! command -v "$(program "$p")" >/dev/null 2>&1; then
    STATUS[$p]="skipped: $(program "$p") not installed"; say "$p ${STATUS[$p]}"; continue
  fi
  say "starting $p on 127.0.0.1:${PORT[$p]}"
  "start_$p" "${PORT[$p]}"
  if wait_ok "${PORT[$p]}" /1k.bin "$p" && sleep 0.5 && kill -0 "$(cat "$run/pids/$p")" 2>/dev/null; then
    repin "$p" "$SERVER_CPU"
    active+=("$p"); STATUS[$p]=ok
  else
    STATUS[$p]="excluded: did not start"; say "$p ${STATUS[$p]}:"; tail -n 5 "$run/$p.log" >&2 || true
    [ "$p" = ats ] && { grep -E 'WARNING|ERROR|EMERGENCY|FATAL' "$run/ats/log/diags.log" | tail -n 5 >&2 || true; }
    stop "$p"
  fi
done
repin origin "$ORIGIN_CPU"

# ------------------------------------------------------------------ warm and prove hits / misses
# Each object is fetched three times, then once more with the origin counter read around it: the
# proxy must answer with the origin's bytes and without an origin fetch. For the miss path,
# ?n=A twice and ?n=B once must cost exactly 2 origin fetches (query string in the key, cached).
path_of() { echo "/$1.bin"; }
verified=()
for p in "${active[@]}"; do
  port=${PORT[$p]}; ok=1
  for s in $SIZES; do
    for _ in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$port/$s.bin"; done
    o0=$(origin_count)
    hdrs=$(curl -s -D - -o "$run/check.body" "http://127.0.0.1:$port/$s.bin" | tr -d '\r' \
           | grep -iE "^($(hit_header "$p")):" | tr '\n' ' ' || true)
    o1=$(origin_count)
    fetches=$((o1 - o0 - 1))
    if ! cmp -s "$run/check.body" "$run/www/$s.bin"; then say "$p /$s.bin: body differs from the origin's"; ok=0
    elif [ "$fetches" -ne 0 ]; then say "$p /$s.bin: NOT A HIT ($fetches origin fetches) $hdrs"; ok=0
    else say "$p /$s.bin: hit, 0 origin fetches | $hdrs"; fi
  done
  if [ "$MISS" = 1 ]; then
    for s in $MISS_SIZES; do
      tag=check-$RANDOM$RANDOM
      o0=$(origin_count)
      curl -s -o /dev/null "http://127.0.0.1:$port/miss/$s.bin?n=$tag-A"
      curl -s -o /dev/null "http://127.0.0.1:$port/miss/$s.bin?n=$tag-A"
      curl -s -o /dev/null "http://127.0.0.1:$port/miss/$s.bin?n=$tag-B"
      o1=$(origin_count)
      fetches=$((o1 - o0 - 1))
      if [ "$fetches" -ne 2 ]; then say "$p /miss/$s.bin?n=A,A,B: $fetches origin fetches, want 2"; ok=0
      else say "$p /miss/$s.bin?n=A,A,B: 2 origin fetches (query string in the cache key)"; fi
    done
  fi
  if [ "$ok" = 1 ]; then verified+=("$p"); else STATUS[$p]="excluded: failed the hit/miss check"; stop "$p"; fi
done
active=("${verified[@]}")
[ "${#active[@]}" -gt 0 ] || die "no proxy left to measure"
# warm worker threads and connection pools (not recorded), then check pinning
for p in "${active[@]}"; do
  taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d1s "http://127.0.0.1:${PORT[$p]}/1k.bin" >/dev/null 2>&1 || true
  repin "$p" "$SERVER_CPU"
  say "$p: pid $(cat "$run/pids/$p"), $(affinity "$p" "$SERVER_CPU")"
done
say "origin: $(affinity origin "$ORIGIN_CPU"); wrk: CPU $CLIENT_CPU"

# ------------------------------------------------------------------ measurements
results="$run/results.tsv"
printf 'phase\tsize\tproxy\trep\trps\tp99_ms\tp50_ms\trequests\terrors\torigin_fetches\tserver_cpu_pct\tclient_cpu_pct\tproxy_cpu_pct\n' >"$results"
measure() {  # measure PHASE SIZE PROXY REP
  local phase=$1 size=$2 p=$3 rep=$4 port=${PORT[$3]} url script raw o0 o1 s0 s1 c0 c1 line
  raw="$run/raw/$phase-$size-$p-r$rep.txt"
  if [ "$phase" = hit ]; then
    url="http://127.0.0.1:$port/$size.bin"; script="$conf/hit.lua"
    curl -s -o /dev/null "$url"; curl -s -o /dev/null "$url"   # re-warm (a miss run may have evicted it)
  else
    url="http://127.0.0.1:$port/miss/$size.bin"; script="$conf/miss.lua"
  fi
  local t0 t1 k0 k1
  o0=$(origin_count); s0=$(cpu_ticks "$SERVER_CPU"); c0=$(cpu_ticks "$CLIENT_CPU"); k0=$(proc_ticks "$p"); t0=$(date +%s%N)
  timeout $((DUR + 30)) taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency \
    -s "$script" "$url" -- "$p-r$rep-$$-$RANDOM" >"$raw" 2>&1 || true
  s1=$(cpu_ticks "$SERVER_CPU"); c1=$(cpu_ticks "$CLIENT_CPU"); k1=$(proc_ticks "$p"); t1=$(date +%s%N); o1=$(origin_count)
  line=$(grep '^RESULT' "$raw" | tail -n 1 || true)
  local rps=NA p50_us=0 p99_us=0 reqs=0 errors=0 dur_us bytes status_errors
  if [ -n "$line" ]; then eval "${line#RESULT }"; else errors=NA; fi
  local sc cc own; sc=$(busy "$s0" "$s1"); cc=$(busy "$c0" "$c1")
  own=$(awk -v a="$k0" -v b="$k1" -v ms="$(((t1 - t0) / 1000000))" -v hz="$CLK_TCK" 'BEGIN {split(a, x, " "); split(b, y, " ")
    printf "%.0f", (ms > 0 ? 100 * ((y[1] - x[1]) + (y[2] - x[2])) / hz / (ms / 1000) : 0)}')
  local p99 p50; p99=$(awk -v u="$p99_us" 'BEGIN {printf "%.3f", u / 1000}'); p50=$(awk -v u="$p50_us" 'BEGIN {printf "%.3f", u / 1000}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$size" "$p" "$rep" "$rps" "$p99" "$p50" \
    "$reqs" "$errors" "$((o1 - o0 - 1))" "$sc" "$cc" "$own" >>"$results"
  say "rep $rep $phase $size $(printf '%-7s' "$p") $rps req/s, p99 $p99 ms, errors $errors, origin fetches $((o1 - o0 - 1))/$reqs, cpu$SERVER_CPU $sc% ($p itself $own%) cpu$CLIENT_CPU $cc%"
}
rotated() { rotate "$1" "${active[@]}"; }  # the active proxies, rotated left by K
nsizes=$(wc -w <<<"$SIZES"); [ "$MISS" = 1 ] && nsizes=$((nsizes + $(wc -w <<<"$MISS_SIZES")))
say "${#active[@]} proxies x $nsizes sizes x $REPS reps x ${DUR}s: about $(( ${#active[@]} * nsizes * REPS * (DUR + 1) / 60 + 1 )) min"
for rep in $(seq "$REPS"); do
  k=$((rep - 1))
  for s in $SIZES; do
    for p in $(rotated "$k"); do measure hit "$s" "$p" "$rep"; done
    k=$((k + 1))
  done
  if [ "$MISS" = 1 ]; then
    for s in $MISS_SIZES; do
      for p in $(rotated "$k"); do measure miss "$s" "$p" "$rep"; done
      k=$((k + 1))
    done
  fi
done

# ------------------------------------------------------------------ table of medians
skipped=""
for p in $PROXIES; do [ "${STATUS[$p]}" = ok ] || skipped+="$p=${STATUS[$p]};"; done
{
  echo
  echo "load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg) (CPU busy % below counts every process on that CPU; proxy CPU % only the proxy's own)"
  echo "caching proxies, $CONNS connections, wrk -t$THREADS, ${DUR}s x $REPS interleaved runs; proxies pinned to CPU $SERVER_CPU, wrk to CPU $CLIENT_CPU, origin to CPU $ORIGIN_CPU; cache budget ${CACHE_MB} MiB each"
  awk -F'\t' -v order="$PROXIES" -v skipped="$skipped" -v hitsizes="$SIZES" -v misssizes="$MISS_SIZES" -v miss="$MISS" -v scpu="$SERVER_CPU" -v ccpu="$CLIENT_CPU" '
    NR == 1 { next }
    { k = $1 SUBSEP $2 SUBSEP $3; c = ++n[k]
      rps[k, c] = $5; p99[k, c] = $6; sc[k, c] = $11; cc[k, c] = $12; own[k, c] = $13; eff[k, c] = ($5 != "NA" && $13 > 0 ? $5 * 100 / $13 : "NA")
      byrep[k, $4] = $5; if ($4 > maxrep) maxrep = $4
      req[k] += $8; err[k] += ($9 == "NA" ? 0 : $9); if ($9 == "NA") bad[k]++; of[k] += $10 }
    function median(a, k, cnt,   i, j, t, v, m) {
      m = 0
      for (i = 1; i <= cnt; i++) if (a[k, i] != "NA") v[++m] = a[k, i] + 0
      if (m == 0) return -1
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    # The median over reps of a / b within each rep (a and b ran back to back), with its range:
    # steadier than a ratio of medians when the machine changes speed during the run.
    function paired(ka, kb,   i, m, v, t, j) {
      m = 0
      for (i = 1; i <= maxrep; i++) if ((ka, i) in byrep && (kb, i) in byrep && byrep[ka, i] != "NA" && byrep[kb, i] != "NA" && byrep[kb, i] > 0) v[++m] = byrep[ka, i] / byrep[kb, i]
      if (m == 0) return "no paired reps"
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      t = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
      return sprintf("per-rep paired ratio median %.3fx (cost %.1f%%), range %.3f-%.3f over %d reps", t, 100 * (1 - t), v[1], v[m], m)
    }
    function table(phase, size,   np, i, p, k, r, q, best, bestp, bestq, er, eq, t, ok, target, title, m) {
      if (phase == "hit") title = "hit " size; else title = "miss " size " (unique query string per request)"
      printf "\n### %s\n\n", title
      printf "| proxy | req/s (median) | p99 ms (median) | runs | errors | origin fetches / requests | proxy CPU %% | req per proxy CPU-s | CPU%s busy %% | CPU%s busy %% |\n", scpu, ccpu
      printf "|---|---|---|---|---|---|---|---|---|---|\n"
      np = split(order, P, " "); best = -1; er = -1
      for (i = 1; i <= np; i++) {
        p = P[i]; k = phase SUBSEP size SUBSEP p
        if (!(k in n)) { printf "| %s | %s | | | | | | | | |\n", p, (p in skip ? skip[p] : "no result"); continue }
        r = median(rps, k, n[k]); q = median(p99, k, n[k])
        printf "| %s | %.0f | %.2f | %d | %d%s | %d / %d | %.0f | %.0f | %.0f | %.0f |\n", p, r, q, n[k], err[k],
          (bad[k] ? " (" bad[k] " runs without result)" : ""), of[k], req[k], median(own, k, n[k]), median(eff, k, n[k]),
          median(sc, k, n[k]), median(cc, k, n[k])
        if (p == "edged") { er = r; eq = q }
        else if (p == "edged-base") { br = r; bq = q }
        else if (p == "edged-log") { lr = r; lq = q }
        else { if (r > best) { best = r; bestp = p; bestq = q }; if (!(size in minq) || q < minq[size]) minq[size] = q }
      }
      if (er >= 0 && best > 0) {
        target = ""
        if (phase == "hit" && size == "1k") target = 1.3
        if (phase == "hit" && size == "256k") target = 1.0
        if (phase == "miss") target = 1.0
        printf "\nedged / fastest other (%s): %.2fx req/s; p99 edged %.2f ms, %s %.2f ms, best other %.2f ms", bestp, er / best, eq, bestp, bestq, minq[size]
        if (target != "") {
          ok = (er / best >= target) ? "met" : "NOT met"
          printf "; target req/s >= %.1fx: %s", target, ok
          if (phase == "hit" && size == "1k") printf "; target p99 <= best other: %s", (eq <= minq[size] ? "met" : "NOT met")
        }
        printf "\n"
      }
      if (er > 0 && br > 0) {
        printf "\nedged / edged-base (EDGED_BASE): %.3fx req/s (cost %.1f%%); p99 %.2f ms vs %.2f ms; %s\n", er / br, 100 * (1 - er / br), eq, bq, paired(phase SUBSEP size SUBSEP "edged", phase SUBSEP size SUBSEP "edged-base")
      }
      if (lr > 0 && br > 0) {
        printf "\nedged-log (Edge.AccessLog on) / edged-base: %.3fx req/s (cost %.1f%%); p99 %.2f ms vs %.2f ms; %s\n", lr / br, 100 * (1 - lr / br), lq, bq, paired(phase SUBSEP size SUBSEP "edged-log", phase SUBSEP size SUBSEP "edged-base")
      }
      if (lr > 0 && er > 0) {
        printf "\nedged-log (Edge.AccessLog on) / edged: %.3fx req/s (cost %.1f%%); p99 %.2f ms vs %.2f ms; %s\n", lr / er, 100 * (1 - lr / er), lq, eq, paired(phase SUBSEP size SUBSEP "edged-log", phase SUBSEP size SUBSEP "edged")
      }
      br = -1; lr = -1
      delete minq
    }
    END {
      m = split(skipped, S, ";"); for (i = 1; i <= m; i++) if (S[i] != "") { split(S[i], kv, "="); skip[kv[1]] = kv[2] }
      ns = split(hitsizes, H, " "); for (i = 1; i <= ns; i++) table("hit", H[i])
      if (miss == 1) { ns = split(misssizes, M, " "); for (i = 1; i <= ns; i++) table("miss", M[i]) }
      for (p in skip) printf "\nnote: %s %s\n", p, skip[p]
    }' "$results"
} | tee "$run/table.md"
awk -F'\t' 'NR > 1 && $1 == "hit" && $10 > 0 {bad = 1} END {exit bad}' "$results" \
  || say "WARNING: some hit runs reached the origin (origin fetches > 0): not pure hit runs"
for p in $PROXIES; do [[ "${STATUS[$p]}" == excluded* ]] && exit 2; done
exit 0
