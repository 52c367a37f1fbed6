#!/usr/bin/env bash
# Compressed-hit path (§4): edged against nginx proxy_cache with its gzip filter, on the same
# ~30 KiB HTML page from the same local nginx origin, in one run.
#
# edged compresses a variant once, while the fill arrives, and serves hits from the stored gzip
# bytes. nginx caches the origin's identity response and its gzip filter compresses it again on
# every hit. A third target, nginx-cached-gz, is nginx caching the origin's own gzip response
# (the upstream request asks for gzip), so its hits send stored bytes like edged's. To show where
# the CPU goes, every target is also run without Accept-Encoding (identity hits of the same page;
# not for nginx-cached-gz, which stores gzip only), and the table gives the proxy's CPU time per
# request (utime+stime of its processes over the wrk run / requests): a proxy that does not
# compress on hits costs about the same per gzip hit as per identity hit (or less: fewer bytes to
# write), one that does costs the compression on top. With PERF=1 (default when `perf` is
# installed), a short gzip-hit run per proxy is sampled with `perf record` and the share of samples
# in libz is printed. The req/s of a proxy that does not compress on hits may be bounded by wrk
# (CPU1 busy ~100 %, proxy CPU % well below 100): CPU per request is the figure to compare.
#
# Fairness as in bench/cache_bench.sh: one worker each pinned to SERVER_CPU, wrk and the origin on
# CLIENT_CPU, wrk -t1 -c50, interleaved repetitions (target order rotated per repetition and
# encoding), the cache warmed and each (target, encoding) checked first (right Content-Encoding,
# body decodes to the origin's bytes, no origin fetch), origin request counter read around every
# run. The gzip level is the same for both (GZIP_LEVEL -> edged Edge.GzipLevel, nginx
# gzip_comp_level, origin gzip_comp_level). Loopback only; stops only the processes it started.
#
#   bench/compress_bench.sh                       # DUR=5 REPS=3: about 2 minutes
#   DUR=10 REPS=5 GZIP_LEVEL=1 bench/compress_bench.sh
#   ENCODINGS="gzip br identity" bench/compress_bench.sh   # br: edged only (no nginx module)
#
# Variables (environment):
#   DUR=5 REPS=3 CONNS=50 THREADS=1    wrk -d seconds, repetitions, -c, -t
#   ENCODINGS="gzip identity"          Accept-Encoding of the runs (gzip, br, identity = none)
#   TARGETS="edged nginx nginx-cached-gz"
#   GZIP_LEVEL=6 BROTLI_QUALITY=5      edged's Edge.GzipLevel / Edge.BrotliQuality (defaults)
#   PAGE_BYTES=30720                   size of the HTML page (edged_bench_corpus html)
#   EDGED=path/to/edged                default: $root/build/edged, else $root/../build/edged
#   CORPUS=path/to/edged_bench_corpus  default: beside $EDGED
#   PERF=auto|0|1 PERF_DUR=3           perf sampling of one gzip-hit run per proxy
#   SERVER_CPU=0 CLIENT_CPU=1 ORIGIN_CPU=$CLIENT_CPU  BASE_PORT=19400  CACHE_MB=1024
#   OUT=dir (keep results.tsv, table.md, raw wrk/perf output, logs)  KEEP=1 (keep the run dir)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conf="$root/bench/conf"
DUR=${DUR:-5}
REPS=${REPS:-3}
CONNS=${CONNS:-50}
THREADS=${THREADS:-1}
ENCODINGS=${ENCODINGS:-"gzip identity"}
TARGETS=${TARGETS:-"edged nginx nginx-cached-gz"}
GZIP_LEVEL=${GZIP_LEVEL:-6}
BROTLI_QUALITY=${BROTLI_QUALITY:-5}
PAGE_BYTES=${PAGE_BYTES:-30720}
CACHE_MB=${CACHE_MB:-1024}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
ORIGIN_CPU=${ORIGIN_CPU:-$CLIENT_CPU}
BASE_PORT=${BASE_PORT:-19400}
PERF=${PERF:-auto}
PERF_DUR=${PERF_DUR:-3}
OUT=${OUT:-}
KEEP=${KEEP:-0}

BENCH=compress_bench
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"   # spawn/stop/cleanup, pinning, free ports, CPU accounting, rotation

need_tools nginx wrk taskset setsid curl ss awk gzip cmp
for t in $TARGETS; do
  case $t in edged|nginx|nginx-cached-gz) ;; *) die "unknown target '$t' (edged nginx nginx-cached-gz)";; esac
done
for e in $ENCODINGS; do
  case $e in gzip|br|identity) ;; *) die "unknown encoding '$e' (gzip br identity)";; esac
done
if [ "$PERF" = auto ]; then if command -v perf >/dev/null; then PERF=1; else PERF=0; fi; fi
if [ -z "${EDGED:-}" ]; then
  for c in "$root/build/edged" "$root/../build/edged"; do [ -x "$c" ] && { EDGED=$c; break; }; done
fi
if [ -z "${EDGED:-}" ] || [ ! -x "$EDGED" ]; then die "no edged binary: set EDGED=path/to/edged"; fi
CORPUS=${CORPUS:-$(dirname "$EDGED")/edged_bench_corpus}
[ -x "$CORPUS" ] || die "CORPUS=$CORPUS is not executable (the edged_bench_corpus target of the build)"

note_others nginx edged
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ processes and cleanup
bench_init edged-compress-bench

free_port "$BASE_PORT"; ORIGIN_PORT=$got
declare -A PORT
for p in edged nginx; do free_port $((BASE_PORT + 1)); PORT[$p]=$got; done

render() {  # render SRC DST PORT
  sed -e "s#@RUN@#$run#g" -e "s#@PORT@#$3#g" -e "s#@ORIGIN_PORT@#$ORIGIN_PORT#g" \
      -e "s#@CACHE_MB@#$CACHE_MB#g" -e "s#@CACHE_BYTES@#$((CACHE_MB * 1048576))#g" \
      -e "s#@GZIP_LEVEL@#$GZIP_LEVEL#g" -e "s#@BROTLI_QUALITY@#$BROTLI_QUALITY#g" "$1" >"$2"
  chmod 644 "$2"
}

# ------------------------------------------------------------------ targets
# target -> proxy process, path; which encodings it is run with
proxy_of() { case $1 in edged) echo edged;; *) echo nginx;; esac; }
path_of() { case $1 in nginx-cached-gz) echo /gz/page.html;; *) echo /page.html;; esac; }
supports() {  # supports TARGET ENCODING
  case $1/$2 in
    edged/*|nginx/gzip|nginx/identity|nginx-cached-gz/gzip) return 0;;
    *) return 1;;
  esac
}
ae_hdr() { AE=(); [ "$1" = identity ] || AE=(-H "Accept-Encoding: $1"); }  # sets AE: curl/wrk args

# ------------------------------------------------------------------ origin
mkdir -p "$run/www/gz"
"$CORPUS" html "$PAGE_BYTES" >"$run/www/page.html"
cp "$run/www/page.html" "$run/www/gz/page.html"
chmod 755 "$run/www" "$run/www/gz"; chmod 644 "$run/www/page.html" "$run/www/gz/page.html"
page_bytes=$(stat -c %s "$run/www/page.html")
gzip_bytes=$(gzip -"$GZIP_LEVEL" -c "$run/www/page.html" | wc -c)
render "$conf/nginx-compress-origin.conf" "$run/origin.conf" "$ORIGIN_PORT"
spawn "$ORIGIN_CPU" origin nginx -p "$run" -e "$run/origin.err" -c "$run/origin.conf"
origin_count() { curl -s --max-time 2 "http://127.0.0.1:$ORIGIN_PORT/__status" | awk 'NR == 3 {print $3}'; }
wait_ok "$ORIGIN_PORT" /page.html origin || { cat "$run"/origin.* >&2; die "origin did not start"; }
[ -n "$(origin_count)" ] || die "origin /__status (stub_status) does not answer"
say "page: $page_bytes bytes of text/html ($("$CORPUS" html "$PAGE_BYTES" | cmp -s - "$run/www/page.html" && echo deterministic)); gzip -$GZIP_LEVEL: $gzip_bytes bytes"

# ------------------------------------------------------------------ proxies
start_edged() {
  render "$conf/edged-compress.json" "$run/edged.json" "$1"
  spawn "$SERVER_CPU" edged "$EDGED" serve --config "$run/edged.json" --listen "127.0.0.1:$1" \
    --workers 1 --ready-file "$run/edged.ready"
}
start_nginx() {
  mkdir -p "$run/nginx-cache"
  render "$conf/nginx-compress.conf" "$run/nginx.conf" "$1"
  spawn "$SERVER_CPU" nginx nginx -p "$run" -e "$run/nginx.err" -c "$run/nginx.conf"
}
procs=""
for t in $TARGETS; do [[ " $procs " == *" $(proxy_of "$t") "* ]] || procs+=" $(proxy_of "$t")"; done
for p in $procs; do
  say "starting $p on 127.0.0.1:${PORT[$p]}"
  "start_$p" "${PORT[$p]}"
  if ! wait_ok "${PORT[$p]}" /page.html "$p"; then tail -n 5 "$run/$p.log" >&2 || true; die "$p did not start"; fi
  repin "$p" "$SERVER_CPU"
done
repin origin "$ORIGIN_CPU"

# ------------------------------------------------------------------ warm and prove compressed hits
# Each (target, encoding) is fetched three times, then once more with the origin counter read
# around it: the response must carry the expected Content-Encoding, decode to the origin's bytes
# and cost no origin fetch.
hit_header() { case $1 in edged) echo 'x-cache';; *) echo 'x-cache-status';; esac; }
ok=1
for t in $TARGETS; do
  p=$(proxy_of "$t"); url="http://127.0.0.1:${PORT[$p]}$(path_of "$t")"
  for e in $ENCODINGS; do
    supports "$t" "$e" || continue
    ae_hdr "$e"
    for _ in 1 2 3; do curl -s -o /dev/null "${AE[@]}" "$url"; done
    o0=$(origin_count)
    curl -s -D "$run/check.hdrs" -o "$run/check.body" "${AE[@]}" "$url"
    o1=$(origin_count)
    fetches=$((o1 - o0 - 1))
    ce=$(tr -d '\r' <"$run/check.hdrs" | awk -F': ' 'tolower($1) == "content-encoding" {print $2}')
    info=$(tr -d '\r' <"$run/check.hdrs" | grep -iE "^($(hit_header "$p")|content-encoding|vary|etag):" | tr '\n' ' ' || true)
    case $e in
      gzip) gzip -dc "$run/check.body" >"$run/check.plain" 2>/dev/null || : >"$run/check.plain";;
      br) curl -s --compressed -H 'Accept-Encoding: br' -o "$run/check.plain" "$url" || true;;
      identity) cp "$run/check.body" "$run/check.plain";;
    esac
    want=$e; [ "$e" = identity ] && want=""
    if [ "$ce" != "$want" ]; then say "$t $e: Content-Encoding '$ce', want '$want' | $info"; ok=0
    elif ! cmp -s "$run/check.plain" "$run/www/page.html"; then say "$t $e: body does not decode to the origin's bytes | $info"; ok=0
    elif [ "$fetches" -ne 0 ]; then say "$t $e: NOT A HIT ($fetches origin fetches) | $info"; ok=0
    else say "$t $e: hit, $(stat -c %s "$run/check.body") body bytes, 0 origin fetches | $info"; fi
  done
done
[ "$ok" = 1 ] || die "a target failed the hit check"
for p in $procs; do
  taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d1s "http://127.0.0.1:${PORT[$p]}/page.html" >/dev/null 2>&1 || true
  repin "$p" "$SERVER_CPU"
  say "$p: pid $(cat "$run/pids/$p"), $(affinity "$p" "$SERVER_CPU")"
done
say "origin: $(affinity origin "$ORIGIN_CPU"); wrk: CPU $CLIENT_CPU"

# ------------------------------------------------------------------ measurements
results="$run/results.tsv"
printf 'encoding\ttarget\trep\trps\tp99_ms\trequests\terrors\torigin_fetches\tbytes_per_resp\tproxy_cpu_pct\tcpu_us_per_req\tuser_us_per_req\tserver_cpu_busy_pct\tclient_cpu_busy_pct\n' >"$results"
measure() {  # measure ENCODING TARGET REP
  local e=$1 t=$2 rep=$3 p url raw line o0 o1 k0 k1 t0 t1 s0 s1 c0 c1
  p=$(proxy_of "$t"); url="http://127.0.0.1:${PORT[$p]}$(path_of "$t")"
  raw="$run/raw/$e-$t-r$rep.txt"
  ae_hdr "$e"
  curl -s -o /dev/null "${AE[@]}" "$url"; curl -s -o /dev/null "${AE[@]}" "$url"
  o0=$(origin_count); s0=$(cpu_ticks "$SERVER_CPU"); c0=$(cpu_ticks "$CLIENT_CPU"); k0=$(proc_ticks "$p"); t0=$(date +%s%N)
  timeout $((DUR + 30)) taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency \
    "${AE[@]}" -s "$conf/hit.lua" "$url" >"$raw" 2>&1 || true
  s1=$(cpu_ticks "$SERVER_CPU"); c1=$(cpu_ticks "$CLIENT_CPU"); k1=$(proc_ticks "$p"); t1=$(date +%s%N); o1=$(origin_count)
  line=$(grep '^RESULT' "$raw" | tail -n 1 || true)
  # shellcheck disable=SC2034  # p50_us, dur_us, status_errors: set by the eval of the RESULT line
  local rps=NA p50_us=0 p99_us=0 reqs=0 errors=NA dur_us bytes=0 status_errors
  [ -z "$line" ] || eval "${line#RESULT }"
  local stats
  stats=$(awk -v a="$k0" -v b="$k1" -v ms="$(((t1 - t0) / 1000000))" -v hz="$CLK_TCK" -v n="$reqs" \
    -v by="$bytes" -v p99="$p99_us" 'BEGIN {
      split(a, x, " "); split(b, y, " "); du = y[1] - x[1]; ds = y[2] - x[2]
      printf "%.3f\t%.0f\t%.0f\t%.2f\t%.2f", p99 / 1000, (n > 0 ? by / n : 0),
        (ms > 0 ? 100 * (du + ds) / hz / (ms / 1000) : 0),
        (n > 0 ? (du + ds) / hz * 1e6 / n : 0), (n > 0 ? du / hz * 1e6 / n : 0) }')
  local p99 bpr pct cpu usr sc cc
  IFS=$'\t' read -r p99 bpr pct cpu usr <<<"$stats"
  sc=$(busy "$s0" "$s1"); cc=$(busy "$c0" "$c1")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$e" "$t" "$rep" "$rps" "$p99" "$reqs" \
    "$errors" "$((o1 - o0 - 1))" "$bpr" "$pct" "$cpu" "$usr" "$sc" "$cc" >>"$results"
  say "rep $rep $(printf '%-8s %-15s' "$e" "$t") $rps req/s, p99 $p99 ms, $bpr B/resp, errors $errors, origin fetches $((o1 - o0 - 1))/$reqs, $p CPU $pct% ($cpu us/req, user $usr), cpu$SERVER_CPU $sc% cpu$CLIENT_CPU $cc%"
}
targets_for() {  # targets_for ENCODING K: the targets run with ENCODING, rotated left by K
  local list=() t
  for t in $TARGETS; do supports "$t" "$1" && list+=("$t"); done
  rotate "$2" "${list[@]}"
}
nruns=0; for e in $ENCODINGS; do nruns=$((nruns + $(targets_for "$e" 0 | wc -l))); done
say "$nruns runs x $REPS reps x ${DUR}s: about $(( nruns * REPS * (DUR + 2) / 60 + 1 )) min"
for rep in $(seq "$REPS"); do
  k=$((rep - 1))
  for e in $ENCODINGS; do
    for t in $(targets_for "$e" "$k"); do measure "$e" "$t" "$rep"; done
    k=$((k + 1))
  done
done

# ------------------------------------------------------------------ perf: where the hit CPU goes
perf_section() {
  [ "$PERF" = 1 ] || return 0
  echo
  echo "### perf: one ${PERF_DUR}s gzip-hit run per proxy (perf record -e cpu-clock on the proxy's processes)"
  local t p url pids data
  for t in $TARGETS; do
    supports "$t" gzip || continue
    p=$(proxy_of "$t"); url="http://127.0.0.1:${PORT[$p]}$(path_of "$t")"
    data="$run/raw/perf-$t.data"
    pids=$(session_pids "$p" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
    taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"$((PERF_DUR + 2))s" \
      -H 'Accept-Encoding: gzip' "$url" >/dev/null 2>&1 &
    local wrk_pid=$!
    sleep 1
    perf record -q -e cpu-clock -F 2000 -p "$pids" -o "$data" -- sleep "$PERF_DUR" >/dev/null 2>&1 || true
    wait "$wrk_pid" 2>/dev/null || true
    local share
    share=$(perf report -i "$data" --stdio -q --sort dso 2>/dev/null \
      | awk '/libz\.so|libbrotlienc/ {sub("%", "", $1); s += $1} END {printf "%.1f", s}')
    echo
    echo "$t (gzip hits): ${share}% of the proxy's samples in libz/libbrotlienc (compression); samples by library:"
    echo '```'
    perf report -i "$data" --stdio -q --sort dso --percent-limit 1 2>/dev/null | sed '/^$/d' | head -n 8
    echo '```'
    echo "$t, top symbols:"
    echo '```'
    perf report -i "$data" --stdio -q --sort dso,sym --percent-limit 2 2>/dev/null | sed '/^$/d' | head -n 10
    echo '```'
  done
}

# ------------------------------------------------------------------ tables of medians
{
  echo
  echo "load average at start $load_start, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "compressed hits: $page_bytes-byte text/html page (gzip -$GZIP_LEVEL: $gzip_bytes bytes), $CONNS connections, wrk -t$THREADS, ${DUR}s x $REPS interleaved runs; proxies pinned to CPU $SERVER_CPU, wrk to CPU $CLIENT_CPU, origin to CPU $ORIGIN_CPU; edged GzipLevel $GZIP_LEVEL BrotliQuality $BROTLI_QUALITY, nginx gzip_comp_level $GZIP_LEVEL"
  awk -F'\t' -v targets="$TARGETS" -v encodings="$ENCODINGS" -v scpu="$SERVER_CPU" -v ccpu="$CLIENT_CPU" '
    NR == 1 { next }
    { k = $1 SUBSEP $2; c = ++n[k]
      rps[k, c] = $4; p99[k, c] = $5; by[k, c] = $9; pct[k, c] = $10; cpu[k, c] = $11; usr[k, c] = $12; sc[k, c] = $13; cc[k, c] = $14
      req[k] += $6; if ($7 == "NA") bad[k]++; else err[k] += $7; of[k] += $8 }
    function median(a, k, cnt,   i, j, t, v, m) {
      m = 0
      for (i = 1; i <= cnt; i++) if (a[k, i] != "NA") v[++m] = a[k, i] + 0
      if (m == 0) return -1
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    END {
      nt = split(targets, T, " "); ne = split(encodings, E, " ")
      for (i = 1; i <= ne; i++) {
        e = E[i]
        printf "\n### %s hits (%s)\n\n", e, (e == "identity" ? "no Accept-Encoding" : "Accept-Encoding: " e)
        printf "| target | req/s (median) | p99 ms (median) | bytes / response | proxy CPU %% | proxy CPU us / request | of which user | origin fetches / requests | errors | runs | CPU%s busy %% | CPU%s busy %% |\n", scpu, ccpu
        printf "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for (j = 1; j <= nt; j++) {
          k = e SUBSEP T[j]; if (!(k in n)) continue
          printf "| %s | %.0f | %.2f | %.0f | %.0f | %.1f | %.1f | %d / %d | %d%s | %d | %.0f | %.0f |\n", T[j], median(rps, k, n[k]),
            median(p99, k, n[k]), median(by, k, n[k]), median(pct, k, n[k]), median(cpu, k, n[k]),
            median(usr, k, n[k]), of[k], req[k], err[k], (bad[k] ? " (" bad[k] " runs without result)" : ""), n[k],
            median(sc, k, n[k]), median(cc, k, n[k])
        }
        ke = e SUBSEP "edged"; kn = e SUBSEP "nginx"
        if ((ke in n) && (kn in n))
          printf "\nedged / nginx: %.2fx req/s, %.2fx CPU per request\n", median(rps, ke, n[ke]) / median(rps, kn, n[kn]),
            median(cpu, ke, n[ke]) / median(cpu, kn, n[kn])
      }
      hasid = 0; for (j = 1; j <= nt; j++) if (("identity" SUBSEP T[j]) in n) hasid = 1
      if (!hasid) exit
      printf "\n### CPU per request: identity hits vs compressed hits of the same page\n\n"
      printf "| target | encoding | identity us / req | compressed us / req | difference | compressed / identity |\n"
      printf "|---|---|---|---|---|---|\n"
      for (j = 1; j <= nt; j++) for (i = 1; i <= ne; i++) {
        e = E[i]; if (e == "identity") continue
        k = e SUBSEP T[j]; ki = "identity" SUBSEP T[j]; if (!(k in n)) continue
        c = median(cpu, k, n[k])
        if (ki in n) { id = median(cpu, ki, n[ki]); printf "| %s | %s | %.1f | %.1f | %+.1f | %.2fx |\n", T[j], e, id, c, c - id, c / id }
        else printf "| %s | %s | n/a (stores gzip only) | %.1f | | |\n", T[j], e, c
      }
    }' "$results"
  perf_section
} | tee "$run/table.md"
awk -F'\t' 'NR > 1 && $8 > 0 {bad = 1} END {exit bad}' "$results" \
  || say "WARNING: some hit runs reached the origin (origin fetches > 0): not pure hit runs"
exit 0
