#!/usr/bin/env bash
# Soak (issue 8, item 5): a bounded mixed load against a release edged in front of the tests'
# origin (test_origin), with the cache held at its byte budget, while edged's RSS and open file
# descriptors are sampled every second. Fails (exit 1) when either drifts after the warm-up.
#
# The load (wrk with bench/conf/soak.lua, one class per request from a weighted schedule):
#   hit 40 %     /size/8192?h=<0..HOT_KEYS-1>       a hot set well below the budget
#   miss 25 %    /size/{1k,16k,64k}?m=<unique>     every one a new key: far more bytes than the
#                                                  budget, so the cache sits at it and evicts
#   gzip 8 %, br 7 %   /size/20000?c=<0..49> with Accept-Encoding gzip / br / "gzip, br"
#   signed 8 %   valid signed URLs (canned policy, made by `edged sign`) of /obj/private-*
#   badsig 4 %   refused ones (tampered signature, expired, no Key-Pair-Id): 403
#   e404 4 %     /status/404 (error-cached) and /nope/<unique> (a new 404 every time)
#   e5xx 4 %     /status/500, /status/503, /reset (origin RST: 502)
#
# Every second the sampler writes a line of samples.csv: seconds since start, VmRSS (kB) and
# the number of open fds of edged (/proc/PID/status, /proc/PID/fd), and the cache's Bytes,
# BudgetBytes, Objects and Evictions from the admin API (GET /cache). At the end: RSS and fds at
# the end of the warm-up (the first WARMUP_PCT % of the run; median of the 5 samples up to that
# point) and at the end (median of the last 5), the drift (absolute and per minute), min / max,
# the cache bytes against the budget, wrk's requests per class, statuses and errors. Exit 1 when
# RSS grew more than RSS_DRIFT_PCT % or fds more than FD_DRIFT after the warm-up, when the cache
# went over its budget, or when wrk saw socket errors (connect/read/write/timeout) or statuses
# a class does not produce.
#
# edged (release build, WORKERS workers) runs on SERVER_CPU; wrk and test_origin on CLIENT_CPU.
# Loopback only; stops only the processes it started (bench/lib.sh).
#
#   bench/soak.sh                     # 10 minutes
#   bench/soak.sh --smoke             # 60 seconds (warm-up 12 s)
#   bench/soak.sh --duration 120      # or DURATION=120 bench/soak.sh
#   OUT=/tmp/soak bench/soak.sh       # keep samples.csv, summary.csv, wrk output and logs
#
# Variables (environment): DURATION=600 (s) WARMUP_PCT=20 CACHE_MB=32 WORKERS=2 CONNS=64
#   THREADS=2 HOT_KEYS=300 RSS_DRIFT_PCT=10 FD_DRIFT=16 SERVER_CPU=0 CLIENT_CPU=1
#   BASE_PORT=19700 EDGED=path/to/edged (default build-cc/edged, build/edged)
#   TEST_ORIGIN=path/to/test_origin (default: tests/test_origin beside $EDGED) OUT=dir KEEP=1
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
conf="$root/bench/conf"
DURATION=${DURATION:-600}
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --duration=*) DURATION=${1#*=}; shift ;;
    --smoke) DURATION=60; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "soak: unknown argument $1 (--duration S, --smoke)" >&2; exit 2 ;;
  esac
done
WARMUP_PCT=${WARMUP_PCT:-20}
CACHE_MB=${CACHE_MB:-32}
WORKERS=${WORKERS:-2}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
HOT_KEYS=${HOT_KEYS:-300}
RSS_DRIFT_PCT=${RSS_DRIFT_PCT:-10}
FD_DRIFT=${FD_DRIFT:-16}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
BASE_PORT=${BASE_PORT:-19700}
OUT=${OUT:-}
KEEP=${KEEP:-0}

BENCH=soak
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

need_tools wrk taskset setsid curl ss awk openssl python3
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 10 ] || die "duration must be ≥ 10 seconds"
if [ -z "${EDGED:-}" ]; then
  for c in "$root/build-cc/edged" "$root/build/edged"; do [ -x "$c" ] && { EDGED=$c; break; }; done
fi
[ -n "${EDGED:-}" ] && [ -x "$EDGED" ] || die "no edged binary: set EDGED=path/to/edged (a release build)"
if [ -z "${TEST_ORIGIN:-}" ]; then
  for c in "$(dirname "$EDGED")/tests/test_origin" "$(dirname "$EDGED")/test_origin"; do
    [ -x "$c" ] && { TEST_ORIGIN=$c; break; }
  done
fi
[ -n "${TEST_ORIGIN:-}" ] && [ -x "$TEST_ORIGIN" ] ||
  die "no test_origin beside $EDGED: build the test_origin target or set TEST_ORIGIN"
if grep -q 'EDGED_SANITIZE:BOOL=ON\|EDGED_TSAN:BOOL=ON' "$(dirname "$EDGED")/CMakeCache.txt" 2>/dev/null; then
  die "$EDGED is a sanitizer build: its RSS says nothing about a release edged"
fi
note_others edged test_origin wrk

bench_init soak
free_port "$BASE_PORT"; edge_port=$got
free_port $((edge_port + 1)); admin_port=$got

# --- origin ------------------------------------------------------------------------------------
spawn "$CLIENT_CPU" origin "$TEST_ORIGIN" --listen 127.0.0.1:0 --port-file "$run/origin.port"
for _ in $(seq 100); do [ -s "$run/origin.port" ] && break; sleep 0.1; done
[ -s "$run/origin.port" ] || die "test_origin did not start: $(cat "$run/origin.log")"
origin_port=$(cat "$run/origin.port")

# --- signing key and config --------------------------------------------------------------------
key_id=KSOAKBENCHKEY1
openssl genrsa -out "$run/tmp/key.pem" 2048 2>/dev/null
openssl rsa -in "$run/tmp/key.pem" -pubout -out "$run/tmp/pub.pem" 2>/dev/null
python3 - "$run/tmp/pub.pem" "$key_id" $((CACHE_MB << 20)) "$WORKERS" "127.0.0.1:$origin_port" \
  "127.0.0.1:$admin_port" >"$run/edged.json" <<'EOF'
import json, sys
pub, kid, cache, workers, origin, admin = sys.argv[1:7]
policy = {"Id": "soak-cp", "CachePolicyConfig": {"Name": "SoakAllQueryStrings", "MinTTL": 0,
    "DefaultTTL": 86400, "MaxTTL": 31536000, "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
        "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"}}}}
behavior = {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": "soak-cp",
            "Compress": True}
signed = dict(behavior, PathPattern="/obj/private-*",
              TrustedKeyGroups={"Enabled": True, "Quantity": 1, "Items": ["soak-kg"]})
json.dump({
    "DistributionConfig": {"CallerReference": "soak", "Comment": "bench/soak.sh", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.soak",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                "OriginProtocolPolicy": "http-only", "OriginReadTimeout": 30,
                "OriginKeepaliveTimeout": 60}}]},
        "DefaultCacheBehavior": behavior,
        "CacheBehaviors": {"Quantity": 1, "Items": [signed]}},
    "CachePolicies": [policy],
    "PublicKeys": [{"Id": kid, "PublicKeyConfig": {"CallerReference": kid, "Name": kid,
                                                   "EncodedKey": open(pub).read()}}],
    "KeyGroups": [{"Id": "soak-kg", "KeyGroupConfig": {"Name": "soak-kg", "Items": [kid]}}],
    "Edge": {"Workers": int(workers), "CacheMemoryBytes": int(cache), "AdminListen": admin,
             "OriginAddressOverrides": {"origin.soak": origin}}}, sys.stdout, indent=1)
EOF

# --- edged -------------------------------------------------------------------------------------
spawn "$SERVER_CPU" edged "$EDGED" serve --config "$run/edged.json" --listen "127.0.0.1:$edge_port" \
  --workers "$WORKERS"
edged_pid=$(cat "$run/pids/edged")
wait_ok "$edge_port" /size/10 edged || die "edged did not start: $(tail -5 "$run/edged.log")"
[ "$(cat "/proc/$edged_pid/comm")" = edged ] || die "pid $edged_pid is not edged"
admin="http://127.0.0.1:$admin_port"
curl -sf "$admin/cache" >/dev/null || die "no GET /cache on the admin listener"

# --- signed URLs: 20 valid; refused ones: tampered, expired, no Key-Pair-Id --------------------
base="http://127.0.0.1:$edge_port"
expires=$(( $(date +%s) + DURATION + 3600 ))
: >"$run/signed.txt"
for i in $(seq 0 19); do
  url=$("$EDGED" sign --url "$base/obj/private-s$i" --key-pair-id "$key_id" \
    --private-key "file://$run/tmp/key.pem" --date-less-than "$expires")
  echo "ok ${url#"$base"}" >>"$run/signed.txt"
  case $((i % 3)) in
    0) bad=$(sed -E 's/(Signature=)(.)/\1\2Z/' <<<"${url#"$base"}") ;;         # tampered
    1) bad=$(sed -E 's/&Key-Pair-Id=[^&]*//' <<<"${url#"$base"}") ;;          # no key id
    2) bad=$("$EDGED" sign --url "$base/obj/private-s$i" --key-pair-id "$key_id" \
         --private-key "file://$run/tmp/key.pem" --date-less-than "$(( $(date +%s) - 60 ))")
       bad=${bad#"$base"} ;;                                                    # expired
  esac
  echo "bad $bad" >>"$run/signed.txt"
done
first_ok=$(awk '$1 == "ok" {print $2; exit}' "$run/signed.txt")
first_bad=$(awk '$1 == "bad" {print $2; exit}' "$run/signed.txt")
code_ok=$(curl -s -o /dev/null -w '%{http_code}' "$base$first_ok")
code_bad=$(curl -s -o /dev/null -w '%{http_code}' "$base$first_bad")
code_unsigned=$(curl -s -o /dev/null -w '%{http_code}' "$base/obj/private-s0")
[ "$code_ok" = 200 ] && [ "$code_bad" = 403 ] && [ "$code_unsigned" = 403 ] ||
  die "signed URL check: valid $code_ok (want 200), tampered $code_bad, unsigned $code_unsigned (want 403)"
gz=$(curl -s -o /dev/null -w '%header{content-encoding}' -H 'Accept-Encoding: gzip' "$base/size/20000?c=0")
[ "$gz" = gzip ] || die "compression check: Content-Encoding '$gz' for Accept-Encoding: gzip"

# --- sampler -----------------------------------------------------------------------------------
# Bash builtins only, apart from one curl a second (the machine is busy with the load).
sampler() {
  local t0 now next t rss fds line body
  local -a fd
  t0=${EPOCHREALTIME/./}
  next=$t0
  echo "t_s,rss_kb,fds,cache_bytes,budget_bytes,objects,evictions" >"$run/samples.csv"
  while kill -0 "$edged_pid" 2>/dev/null && [ ! -e "$run/stop-sampler" ]; do
    now=${EPOCHREALTIME/./}
    t=$(( (now - t0) / 100000 ))
    t="$((t / 10)).$((t % 10))"
    rss=""
    while read -r line; do
      [[ "$line" == VmRSS:* ]] && { rss=${line//[^0-9]/}; break; }
    done <"/proc/$edged_pid/status" 2>/dev/null || true
    fd=("/proc/$edged_pid/fd/"*)
    fds=${#fd[@]}
    body=$(curl -s --max-time 1 "$admin/cache" || true)
    local bytes="" budget="" objects="" evictions=""
    [[ "$body" =~ \"Bytes\":([0-9]+) ]] && bytes=${BASH_REMATCH[1]}
    [[ "$body" =~ \"BudgetBytes\":([0-9]+) ]] && budget=${BASH_REMATCH[1]}
    [[ "$body" =~ \"Objects\":([0-9]+) ]] && objects=${BASH_REMATCH[1]}
    [[ "$body" =~ \"Evictions\":([0-9]+) ]] && evictions=${BASH_REMATCH[1]}
    [ -n "$rss" ] && echo "$t,$rss,$fds,$bytes,$budget,$objects,$evictions" >>"$run/samples.csv"
    next=$((next + 1000000))
    now=${EPOCHREALTIME/./}
    if [ "$next" -gt "$now" ]; then
      printf -v t '%d.%06d' $(((next - now) / 1000000)) $(((next - now) % 1000000))
      sleep "$t"
    else
      next=$now  # an overrun: no catching up in a burst
    fi
  done
}
sampler &
sampler_pid=$!
taskset -a -p -c "$CLIENT_CPU" "$sampler_pid" >/dev/null 2>&1 || true

# --- load --------------------------------------------------------------------------------------
say "edged pid $edged_pid on CPU $SERVER_CPU ($WORKERS workers, cache $CACHE_MB MiB), wrk -t$THREADS -c$CONNS on CPU $CLIENT_CPU, $DURATION s"
say "samples: $run/samples.csv"
set +e
taskset -c "$CLIENT_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s \
  -s "$conf/soak.lua" "$base/" -- "soak$$" "$run/signed.txt" "$HOT_KEYS" >"$run/wrk.out" 2>&1
wrk_status=$?
set -e
sleep 1
touch "$run/stop-sampler"
wait "$sampler_pid" 2>/dev/null || true
edged_alive=1
kill -0 "$edged_pid" 2>/dev/null || edged_alive=0
[ "$wrk_status" = 0 ] || say "wrk exited with $wrk_status: $(tail -3 "$run/wrk.out")"

# --- report ------------------------------------------------------------------------------------
set +e
(python3 - "$run" "$WARMUP_PCT" "$RSS_DRIFT_PCT" "$FD_DRIFT" "$DURATION" "$edged_alive" <<'EOF'
import csv, statistics, sys
run, warm_pct, rss_pct, fd_max, duration, alive = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == "1"
rows = [r for r in csv.DictReader(open(f"{run}/samples.csv")) if r["rss_kb"] and r["fds"]]
wrk = {}
for line in open(f"{run}/wrk.out"):
    if line.startswith("SOAK "):
        _, group, rest = line.split(" ", 2)
        for kv in rest.split():
            k, v = kv.split("=")
            wrk[f"{group}.{k}"] = float(v)
fail = []
if not alive:
    fail.append("edged died during the soak")
if len(rows) < 10:
    print(f"only {len(rows)} samples"); sys.exit(1)
t_warm = duration * warm_pct / 100
warm_idx = max(i for i, r in enumerate(rows) if float(r["t_s"]) <= t_warm)
def med(key, lo, hi):
    return statistics.median(float(r[key]) for r in rows[lo:hi])
out = []
for key, unit in (("rss_kb", "kB"), ("fds", "")):
    warm = med(key, max(0, warm_idx - 4), warm_idx + 1)
    end = med(key, len(rows) - 5, len(rows))
    after = [float(r[key]) for r in rows[warm_idx:]]
    minutes = (float(rows[-1]["t_s"]) - float(rows[warm_idx]["t_s"])) / 60
    drift = end - warm
    out.append((key, warm, end, drift, drift / minutes if minutes > 0 else 0.0,
                min(float(r[key]) for r in rows), max(float(r[key]) for r in rows), max(after)))
cache = [r for r in rows if r["cache_bytes"] not in ("", "null")]
over = [r for r in cache if int(r["cache_bytes"]) > int(r["budget_bytes"])]
budget = int(cache[-1]["budget_bytes"]) if cache else 0
after_cache = [int(r["cache_bytes"]) for r in cache if float(r["t_s"]) >= float(rows[warm_idx]["t_s"])]
with open(f"{run}/summary.csv", "w") as f:
    f.write("metric,warmup_end,end,drift,drift_per_min,min,max,max_after_warmup\n")
    for key, warm, end, drift, per_min, lo, hi, hi_after in out:
        f.write(f"{key},{warm:.0f},{end:.0f},{drift:+.0f},{per_min:+.1f},{lo:.0f},{hi:.0f},{hi_after:.0f}\n")
    if after_cache:
        f.write(f"cache_bytes,{after_cache[0]},{after_cache[-1]},{after_cache[-1] - after_cache[0]:+d},,"
                f"{min(after_cache)},{max(after_cache)},{max(after_cache)}\n")
    f.write(f"cache_budget_bytes,{budget},{budget},,,,,\n")
    for k in sorted(wrk):
        f.write(f"wrk.{k},,{wrk[k]:.0f},,,,,\n")
print(f"samples: {len(rows)} over {rows[-1]['t_s']} s; warm-up ends at sample {warm_idx} (t={rows[warm_idx]['t_s']} s)")
print("| metric | end of warm-up | end | drift | drift / min | min | max |")
print("|---|---|---|---|---|---|---|")
for key, warm, end, drift, per_min, lo, hi, _ in out:
    name = "RSS (MiB)" if key == "rss_kb" else "open fds"
    scale = 1024 if key == "rss_kb" else 1
    fmt = (lambda v: f"{v / scale:.1f}") if key == "rss_kb" else (lambda v: f"{v:.0f}")
    pct = f" ({100 * drift / warm:+.1f} %)" if warm else ""
    print(f"| {name} | {fmt(warm)} | {fmt(end)} | {'+' if drift >= 0 else '-'}{fmt(abs(drift))}{pct} | "
          f"{'+' if per_min >= 0 else '-'}{fmt(abs(per_min))} | {fmt(lo)} | {fmt(hi)} |")
    if key == "rss_kb" and warm and drift > warm * rss_pct / 100:
        fail.append(f"RSS grew {100 * drift / warm:.1f} % after the warm-up (limit {rss_pct} %)")
    if key == "fds" and drift > fd_max:
        fail.append(f"open fds grew by {drift:.0f} after the warm-up (limit {fd_max})")
if after_cache:
    print(f"| cache bytes (MiB, after warm-up) | {after_cache[0] / 2**20:.1f} | {after_cache[-1] / 2**20:.1f} | "
          f"budget {budget / 2**20:.1f} | | {min(after_cache) / 2**20:.1f} | {max(after_cache) / 2**20:.1f} |")
    if min(after_cache) < 0.8 * budget:
        print(f"note: the cache fell below 80 % of its budget after the warm-up ({min(after_cache)} bytes)")
if over:
    fail.append(f"cache bytes above the budget in {len(over)} samples")
sent = {k.split(".", 1)[1]: int(v) for k, v in wrk.items() if k.startswith("sent.")}
status = {k.split(".", 1)[1]: int(v) for k, v in wrk.items() if k.startswith("status.")}
total = int(wrk.get("total.requests", 0))
print()
print(f"wrk: {total} requests in {wrk.get('total.duration_s', 0):.0f} s ({wrk.get('total.rps', 0):.0f} req/s), "
      f"p50 {wrk.get('total.p50_ms', 0):.2f} ms, p99 {wrk.get('total.p99_ms', 0):.2f} ms, max {wrk.get('total.max_ms', 0):.0f} ms")
print("sent per class: " + ", ".join(f"{k} {v}" for k, v in sent.items()))
print("responses per status: " + ", ".join(f"{k} {v}" for k, v in status.items()))
errs = {k.split(".", 1)[1]: int(v) for k, v in wrk.items() if k.startswith("errors.")}
print("wrk errors: " + ", ".join(f"{k} {v}" for k, v in errs.items()))
sock = sum(errs.get(k, 0) for k in ("connect", "read", "write", "timeout"))
if sock:
    fail.append(f"{sock} socket errors (connect/read/write/timeout)")
if status.get("other", 0) or status.get("504", 0):
    fail.append(f"unexpected statuses: other {status.get('other', 0)}, 504 {status.get('504', 0)}")
# Requests still in flight when wrk stopped are sent but never answered: allow one per connection.
ok_classes = sum(sent.get(c, 0) for c in ("hit", "miss", "gzip", "br", "signed"))
if total and abs(status.get("200", 0) - ok_classes) > 200:
    fail.append(f"200s ({status.get('200', 0)}) do not match the 200-classes sent ({ok_classes})")
if total and status.get("403", 0) > sent.get("badsig", 0):
    fail.append("more 403s than refused signed URLs sent")
print()
if fail:
    print("SOAK FAILED: " + "; ".join(fail))
    sys.exit(1)
print(f"SOAK OK: RSS within +{rss_pct:g} % and fds within +{fd_max} after the warm-up; cache at or below its budget")
EOF
) | tee "$run/report.txt"
report_status=${PIPESTATUS[0]}
set -e
if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  cp "$run"/samples.csv "$run"/summary.csv "$run"/report.txt "$run"/wrk.out "$run"/edged.json "$OUT"/ 2>/dev/null || true
  say "results in $OUT"
fi
exit "$report_status"
