#!/usr/bin/env bash
# The main job: installs and builds what is missing, then runs on loopback
#   edged-s3  127.0.0.1:8081  the bundled S3-compatible origin (conf/s3-origin.json): a private,
#                             versioned bucket "site" holding conf/demo-site (uploaded with the
#                             AWS CLI's `s3 sync`, which uploads only what changed)
#   edged     127.0.0.1:8080  the edge (conf/example.json), reading the bucket through origin
#                             access control (SigV4); admin listener on 127.0.0.1:8090
# Ctrl-C stops both. The bucket's data stays in build/demo-s3 between runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" release "$root/build"
bin="$root/build"
state="$root/build/demo-s3"
mkdir -p "$state"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_ready() {  # wait_ready FILE NAME PID
  for _ in $(seq 100); do [ -s "$1" ] && return 0; kill -0 "$3" 2>/dev/null || break; sleep 0.1; done
  echo "$2 did not start" >&2
  exit 1
}

s3_ready="$(mktemp -u /tmp/edged-s3-ready.XXXXXX)"
"$bin/edged-s3" --config "$root/conf/s3-origin.json" --data-dir "$state" --ready-file "$s3_ready" &
pids+=($!)
wait_ready "$s3_ready" edged-s3 "${pids[0]}"
s3="$(head -n1 "$s3_ready")"

# The demo key of conf/s3-origin.json (loopback only). Debian's AWS CLI by its full path: a pyenv
# shim may shadow `aws`.
aws_demo() {
  AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_ACCESS_KEY_ID=EDGEDDEMOACCESSKEY AWS_SECRET_ACCESS_KEY=edged-demo-secret-loopback-only \
  AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "http://$s3" "$@"
}
echo "demo: aws s3 sync conf/demo-site s3://site/"
aws_demo s3 sync --no-progress "$root/conf/demo-site" s3://site/

"$bin/edged" check-config "$root/conf/example.json"
ready="$(mktemp -u /tmp/edged-ready.XXXXXX)"
"$bin/edged" serve --config "$root/conf/example.json" --ready-file "$ready" &
pids+=($!)
wait_ready "$ready" edged "${pids[1]}"
addr="$(head -n1 "$ready")"
cat <<MSG

edged is serving http://$addr/
  origin: edged-s3 on $s3, private bucket "site" (conf/demo-site), read through origin access control
Try:
  curl -si http://$addr/                 # DefaultRootObject -> /index.html, X-Cache, Via, X-Amz-Cf-*
  curl -si http://$addr/                 # again: X-Cache: Hit from cloudfront, Age
  curl -si http://$s3/site/index.html    # straight to the bucket, unsigned: 403 AccessDenied
  curl -si -X POST 127.0.0.1:8090/invalidations -H 'Content-Type: application/json' \\
    -d '{"CallerReference":"demo-1","Paths":{"Quantity":1,"Items":["/*"]}}'   # invalidate all
  curl -si http://$addr/nothing-here     # S3's NoSuchKey -> X-Cache: Error from cloudfront
  curl -si -X POST http://$addr/         # method not allowed by the default behaviour -> 403 page
  curl -si http://$addr/api/registrations  # /api/* origin not bundled yet -> CloudFront's 502 page
The bucket with the AWS CLI (demo key, loopback only):
  AWS_ACCESS_KEY_ID=EDGEDDEMOACCESSKEY AWS_SECRET_ACCESS_KEY=edged-demo-secret-loopback-only \\
    /usr/bin/aws --endpoint-url http://$s3 --region us-east-1 s3 ls s3://site/ --recursive
Ctrl-C to stop.
MSG
wait "${pids[1]}"
