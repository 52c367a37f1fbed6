#!/usr/bin/env bash
# Prepares everything the demo (scripts/demo.sh) and the browser test
# (tests/integration/site_browser_test.cc) run from, in OUTDIR (the demo uses build/demo):
#   OUTDIR/keys/private.pem   RSA 2048, generated on first run (kept afterwards); edged-registration
#   OUTDIR/keys/public.pem    signs the certificates' cookies with it, the edge trusts public.pem
#   OUTDIR/site/              conf/demo-site + vendor/mdl/material.min.{css,js} (Material Design
#                             Lite from conf/site-vendor, installed by scripts/setup.sh)
#   OUTDIR/edge.json          conf/example.json with the public key in place (scripts/demo_render.py)
#   OUTDIR/registration.json  conf/registration.json with its files under OUTDIR
# Needs openssl, /usr/bin/python3 and `npm ci` done in conf/site-vendor. Idempotent.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"

keys="$out/keys"
mkdir -p "$keys"
chmod 700 "$keys"
if [ ! -s "$keys/private.pem" ]; then
  (umask 077 && openssl genrsa -out "$keys/private.pem.tmp" 2048 2>/dev/null)
  mv "$keys/private.pem.tmp" "$keys/private.pem"
  echo "demo_prepare: generated $keys/private.pem"
fi
openssl rsa -in "$keys/private.pem" -pubout -out "$keys/public.pem.tmp" 2>/dev/null
mv "$keys/public.pem.tmp" "$keys/public.pem"

mdl="$root/conf/site-vendor/node_modules/material-design-lite"
for f in material.min.css material.min.js; do
  [ -f "$mdl/$f" ] || { echo "demo_prepare: $mdl/$f missing: run scripts/setup.sh" >&2; exit 1; }
done
# Copies keep their modification times, so `aws s3 sync` uploads only what changed.
rm -rf "$out/site.new"
cp -a "$root/conf/demo-site" "$out/site.new"
mkdir -p "$out/site.new/vendor/mdl"
cp -p "$mdl/material.min.css" "$mdl/material.min.js" "$out/site.new/vendor/mdl/"
rm -rf "$out/site"
mv "$out/site.new" "$out/site"

/usr/bin/python3 "$root/scripts/demo_render.py" "$out"
