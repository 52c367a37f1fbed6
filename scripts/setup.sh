#!/usr/bin/env bash
# Installs every Debian package edged needs to build, test and benchmark on a fresh
# Debian 12 (bookworm) machine, plus the pinned npm test tools of tests/interop.
# Idempotent: safe to run again, and quick when everything is already there.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libuv1-dev zlib1g-dev libcurl4-openssl-dev libxxhash-dev libssl-dev libbrotli-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libexpected-dev node-llhttp
  curl wrk nginx-light util-linux procps brotli python3
  varnish trafficserver
  openssl awscli python3-botocore python3-cryptography
  libsqlite3-dev sqlite3 chromium
)

# One dpkg-query for all packages (one call each took ~2 s in all).
installed=" $(dpkg-query -W -f='${Package}=${Status}\n' "${PACKAGES[@]}" 2>/dev/null |
  sed -n 's/=install ok installed$//p' | tr '\n' ' ' || true) "
missing=()
for p in "${PACKAGES[@]}"; do
  [[ "$installed" == *" $p "* ]] || missing+=("$p")
done
# Node.js and npm run the tests' third-party signers. Machines of this project's kind come with
# Node 20 + npm outside dpkg (Debian's npm package would fight that install), so only a machine
# without them gets Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# nginx, varnish and trafficserver from Debian start system services on install; the benches
# start their own instances on loopback ports of their own.
if command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now nginx varnish varnishncsa trafficserver >/dev/null 2>&1 || true
fi
pkill -f 'nginx: master process /usr/sbin/nginx' >/dev/null 2>&1 || true

test -f /usr/share/llhttp/llhttp.c || { echo "setup: node-llhttp sources missing" >&2; exit 1; }

# tests/interop: the pinned JavaScript signer and s3rver (package-lock.json), installed by `npm ci` only when
# node_modules does not already hold exactly that lock file's packages.
interop="$(cd "$(dirname "$0")/.." && pwd)/tests/interop"
stamp="$interop/node_modules/.edged-lock.sha256"
want="$(sha256sum "$interop/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] ||
   [ ! -f "$interop/node_modules/@aws-sdk/cloudfront-signer/package.json" ] ||
   [ ! -f "$interop/node_modules/s3rver/package.json" ]; then
  echo "setup: npm ci in tests/interop"
  (cd "$interop" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" >"$stamp"
fi
echo "setup: ok"
