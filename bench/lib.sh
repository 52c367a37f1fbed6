# Shared set-up of the bench scripts (cache_bench.sh, compress_bench.sh, s3_bench.sh). Sourced, not
# run. The caller sets BENCH (its name, for messages) and OUT / KEEP, then calls bench_init, which
# makes the run directory $run and installs the cleanup trap. Every process is started with spawn
# (its own session, pinned with taskset) and stopped by the trap: only what the script started.
#
#   say / die MSG            messages on stderr, prefixed with $BENCH
#   need_tools T...          die when one is not on PATH
#   note_others NAME...      report running processes of those names that we did not start
#   bench_init PREFIX        $run=/dev/shm/PREFIX.XXXXXX (pids/ raw/ tmp/), trap, ulimit -n
#   spawn CPU NAME cmd...    setsid taskset -c CPU cmd >$run/NAME.log; pid in $run/pids/NAME
#   session_pids NAME / stop NAME / repin NAME CPU / affinity NAME CPU
#   free_port BASE           $got = first port >= BASE nobody listens on and not yet taken
#   wait_ok PORT PATH NAME   up to 20 s for a 200 on loopback; fails early if NAME died
#   cpu_ticks CPU            "total idle" ticks of one CPU (/proc/stat); busy A B -> busy %
#   proc_ticks NAME          "utime stime" ticks summed over NAME's session (/proc/PID/stat)
#   rotate K ITEM...         ITEMs rotated left by K, one a line (interleaving of repetitions)
# shellcheck shell=bash

say() { echo "${BENCH:-bench}: $*" >&2; }
die() { say "$*"; exit 1; }

need_tools() {
  local tool
  for tool in "$@"; do command -v "$tool" >/dev/null || die "$tool missing (scripts/setup.sh installs it)"; done
}

# Other servers of the same kinds (not ours) are only reported: they take no part, but a busy one
# would take CPU from the runs.
note_others() {
  local n others
  for n in "$@"; do
    others=$(pgrep -x "$n" | tr '\n' ' ' || true)
    [ -z "$others" ] || say "note: $n processes not started by this bench are running (pids $others)"
  done
}

# ------------------------------------------------------------------ processes and cleanup
started=()
cleaned=0
bench_init() {  # bench_init PREFIX
  run="$(mktemp -d "/dev/shm/$1.XXXXXX")"
  chmod 755 "$run"     # nginx workers run as nobody (varnish as vcache, ATS as trafficserver)
  mkdir -p "$run/pids" "$run/raw" "$run/tmp"
  trap cleanup EXIT
  trap 'say interrupted; exit 130' INT TERM
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  # shellcheck disable=SC2034  # used by the sourcing scripts
  CLK_TCK=$(getconf CLK_TCK)
}
spawn() {  # spawn CPU NAME cmd...: own session (process group), pinned, output to $run/NAME.log
  local cpu=$1 name=$2; shift 2
  setsid taskset -c "$cpu" "$@" >"$run/$name.log" 2>&1 </dev/null &
  echo $! >"$run/pids/$name"
  started+=("$name")
}
session_pids() { local pid; pid=$(cat "$run/pids/$1" 2>/dev/null) || return 0; ps -o pid= -s "$pid" 2>/dev/null || true; }
stop() {  # TERM the session we created for NAME, then KILL whatever is left of it
  local name=$1 pid i p
  pid=$(cat "$run/pids/$name" 2>/dev/null) || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  for p in $pid $(ps -o pid= -s "$pid" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  wait "$pid" 2>/dev/null || true
  rm -f "$run/pids/$name"
}
cleanup() {
  [ "$cleaned" = 1 ] && return 0; cleaned=1
  local n
  for n in "${started[@]}"; do stop "$n"; done
  [ -n "${run:-}" ] || return 0
  if [ -n "${OUT:-}" ]; then mkdir -p "$OUT"; cp -r "$run"/results.tsv "$run"/table.md "$run"/raw "$run"/*.log "$OUT"/ 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then say "kept $run"; else rm -rf "$run"; fi
}

repin() {  # every thread of NAME's session onto CPU (ATS re-binds its threads via hwloc)
  local p; for p in $(session_pids "$1"); do taskset -a -p -c "$2" "$p" >/dev/null 2>&1 || true; done
}
affinity() {  # "N threads, all on CPU c" or the count that is not
  local p t n=0 bad=0 cpus
  for p in $(session_pids "$1"); do
    for t in "/proc/$p"/task/*; do
      n=$((n + 1)); cpus=$(awk '/Cpus_allowed_list/ {print $2}' "$t/status" 2>/dev/null || true)
      [ "$cpus" = "$2" ] || bad=$((bad + 1))
    done
  done
  if [ "$bad" = 0 ]; then echo "$n threads, all on CPU $2"; else echo "$n threads, $bad NOT on CPU $2"; fi
}

# ------------------------------------------------------------------ ports
taken=" "
free_port() {  # sets $got to the first port >= $1 that nobody listens on and we did not take yet
  got=$1
  while ss -Hltn "sport = :$got" 2>/dev/null | grep -q . || [[ "$taken" == *" $got "* ]]; do got=$((got + 1)); done
  taken+="$got "
}
wait_ok() {  # wait_ok PORT PATH NAME: up to 20 s for a 200; fails early if NAME's process died
  local i code
  for i in $(seq 100); do
    kill -0 "$(cat "$run/pids/$3" 2>/dev/null)" 2>/dev/null || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1$2" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}

# ------------------------------------------------------------------ CPU accounting
cpu_ticks() { awk -v c="cpu$1" '$1 == c {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6}' /proc/stat; }
busy() { awk -v a="$1" -v b="$2" 'BEGIN {split(a, x, " "); split(b, y, " "); dt = y[1] - x[1]; di = y[2] - x[2]; printf "%.0f", (dt > 0 ? 100 * (dt - di) / dt : 0)}'; }
proc_ticks() {  # "utime stime" (clock ticks) summed over every process in NAME's session
  local q; for q in $(session_pids "$1"); do sed 's/.*) //' "/proc/$q/stat" 2>/dev/null || true; done \
    | awk '{u += $12; s += $13} END {print u + 0, s + 0}'
}

# ------------------------------------------------------------------ interleaving
rotate() {  # rotate K ITEM...: the items rotated left by K, one a line
  local k=$1; shift
  local list=("$@") n=$# i
  [ "$n" -gt 0 ] || return 0
  for i in $(seq 0 $((n - 1))); do echo "${list[$(((i + k) % n))]}"; done
}
