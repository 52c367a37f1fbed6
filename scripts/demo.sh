#!/usr/bin/env bash
# The main job: installs and builds what is missing, then runs edged on 127.0.0.1:8080 in front of
# the bundled static-directory origin (127.0.0.1:8081) with conf/example.json. Ctrl-C stops both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" release "$root/build"
bin="$root/build"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$bin/edged-static-dir-origin" --root "$root/conf/demo-site" --listen 127.0.0.1:8081 \
  --cache-control "max-age=60" &
pids+=($!)
"$bin/edged" check-config "$root/conf/example.json"
ready="$(mktemp -u /tmp/edged-ready.XXXXXX)"
"$bin/edged" serve --config "$root/conf/example.json" --ready-file "$ready" &
pids+=($!)
for _ in $(seq 100); do [ -s "$ready" ] && break; sleep 0.1; done
[ -s "$ready" ] || { echo "edged did not start" >&2; exit 1; }
addr="$(head -n1 "$ready")"
cat <<MSG

edged is serving http://$addr/ (origin: bundled static directory conf/demo-site on 127.0.0.1:8081)
Try:
  curl -si http://$addr/                 # DefaultRootObject -> /index.html, X-Cache, Via, X-Amz-Cf-*
  curl -si http://$addr/                 # again: X-Cache: Hit from cloudfront, Age
  curl -si -X POST 127.0.0.1:8090/invalidations -H 'Content-Type: application/json' \
    -d '{"CallerReference":"demo-1","Paths":{"Quantity":1,"Items":["/*"]}}'   # invalidate all
  curl -si http://$addr/nothing-here     # origin 404 -> X-Cache: Error from cloudfront
  curl -si -X POST http://$addr/         # method not allowed by the default behaviour -> 403 page
  curl -si http://$addr/api/registrations  # /api/* origin not bundled yet -> CloudFront's 502 page
Ctrl-C to stop.
MSG
wait "${pids[1]}"
