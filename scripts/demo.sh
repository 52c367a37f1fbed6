#!/usr/bin/env bash
# The main job: installs and builds what is missing, then runs on loopback
#   edged-s3            127.0.0.1:8081  the bundled S3-compatible origin (conf/s3-origin.json): a
#                                       private, versioned bucket "site" holding the site (uploaded
#                                       with the AWS CLI's `s3 sync`, which uploads only what
#                                       changed) and the certificates the API issues
#   edged-registration  127.0.0.1:8082  the registration API (conf/registration.json)
#   edged               127.0.0.1:8080  the edge (conf/example.json): the bucket through origin
#                                       access control, /api/* to the API, /certificates/* behind
#                                       signed cookies; admin listener on 127.0.0.1:8090
# scripts/demo_prepare.sh build/demo generates the cookie key pair on first run, assembles the
# site (conf/demo-site + Material Design Lite) and renders build/demo/{edge,registration}.json.
# Ctrl-C (or SIGTERM) stops all three: SIGTERM to each, then waits for each. (A script started
# with `&` from another non-interactive shell ignores SIGINT, as bash does for background jobs:
# stop that one with SIGTERM.) The bucket's data stays in build/demo-s3 and the
# registrations in build/demo/registrations.db between runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" release "$root/build"
bin="$root/build"
state="$root/build/demo-s3"
demo="$root/build/demo"
mkdir -p "$state" "$demo"
cd "$root"

pids=()
names=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  local status=0
  for i in "${!pids[@]}"; do
    [ "${pids[$i]}" = "${gone:-}" ] && continue  # already reaped by `wait -n` below
    if wait "${pids[$i]}"; then echo "demo: ${names[$i]} stopped"
    else status=$?; echo "demo: ${names[$i]} exited with status $status" >&2; fi
  done
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping"; exit 0' INT TERM

start() {  # start NAME READY_FILE COMMAND...: runs it in the background and waits for READY_FILE
  local name="$1" ready="$2"
  shift 2
  rm -f "$ready"
  "$@" &
  pids+=($!)
  names+=("$name")
  for _ in $(seq 100); do
    [ -s "$ready" ] && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "demo: $name did not start" >&2
  exit 1
}

"$root/scripts/demo_prepare.sh" "$demo"

start edged-s3 "$demo/s3.ready" \
  "$bin/edged-s3" --config conf/s3-origin.json --data-dir "$state" --ready-file "$demo/s3.ready"
s3="$(head -n1 "$demo/s3.ready")"

# The demo key of conf/s3-origin.json (loopback only). Debian's AWS CLI by its full path: a pyenv
# shim may shadow `aws`. No --delete: the bucket also holds the issued certificates.
aws_demo() {
  AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_ACCESS_KEY_ID=EDGEDDEMOACCESSKEY AWS_SECRET_ACCESS_KEY=edged-demo-secret-loopback-only \
  AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "http://$s3" "$@"
}
echo "demo: aws s3 sync build/demo/site s3://site/"
aws_demo s3 sync --no-progress "$demo/site" s3://site/

start edged-registration "$demo/registration.ready" \
  "$bin/edged-registration" --config "$demo/registration.json" --ready-file "$demo/registration.ready"
api="$(head -n1 "$demo/registration.ready")"

"$bin/edged" check-config "$demo/edge.json" >/dev/null
start edged "$demo/edge.ready" \
  "$bin/edged" serve --config "$demo/edge.json" --ready-file "$demo/edge.ready"
addr="$(head -n1 "$demo/edge.ready")"

cat <<MSG

edged is serving http://$addr/
  site       http://$addr/                 register for a session (Material Design Lite)
  history    http://$addr/history.html     your registrations, by email
  API        http://$addr/api/sessions     edged-registration on $api, behind /api/*
  dashboard  http://127.0.0.1:8090/             live request rate, hit ratio, top keys, explain
  admin      http://127.0.0.1:8090/invalidations   (POST, below)
  origin     edged-s3 on $s3, private bucket "site", read through origin access control
Try:
  curl -s http://$addr/api/sessions
  curl -si http://$addr/api/registrations -H 'Content-Type: application/json' \\
    -d '{"name":"Ada Lovelace","email":"ada@example.org","affiliation":"","session":"keynote"}'
  curl -s 'http://$addr/api/registrations?email=ada@example.org'
  curl -s -c build/demo/cookies http://$addr/api/registrations/ID     # issued: sets CloudFront-* cookies
  curl -si -b build/demo/cookies http://$addr/certificates/ID.svg     # the certificate (403 without -b)
  curl -si http://$addr/                 # twice: X-Cache: Hit from cloudfront, Age
  curl -si http://$api/api/sessions      # straight to the API without X-Origin-Verify: 403
  curl -si http://$s3/site/index.html    # straight to the bucket, unsigned: 403 AccessDenied
  curl -si -X POST 127.0.0.1:8090/invalidations -H 'Content-Type: application/json' \\
    -d '{"CallerReference":"demo-1","Paths":{"Quantity":1,"Items":["/*"]}}'   # invalidate all
Browser test against this demo: node tests/browser/site.mjs http://$addr build/demo/screenshots
Ctrl-C to stop.
MSG
# Until Ctrl-C (the trap above) or until one of them exits: a terminal's Ctrl-C also reaches
# the three programs (same process group), and one of them may be done before this shell runs
# its trap; a program that stops with status 0 after a signal is a clean stop too.
gone=""
status=0
wait -n -p gone "${pids[@]}" || status=$?
for i in "${!pids[@]}"; do
  [ "${pids[$i]}" = "$gone" ] || continue
  if [ "$status" -eq 0 ]; then echo "demo: ${names[$i]} stopped; stopping the others"; exit 0; fi
  echo "demo: ${names[$i]} exited with status $status; stopping the others" >&2
done
exit 1
