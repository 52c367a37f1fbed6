#!/usr/bin/env bash
# Installs every Debian package edged needs to build, test and benchmark on a fresh
# Debian 12 (bookworm) machine, plus the pinned npm packages of tests/interop, conf/site-vendor
# (the demo site's Material Design Lite), conf/dashboard-vendor (uPlot, embedded into edged by
# the build) and tests/browser (playwright-core).
# Idempotent: safe to run again, and quick when everything is already there.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libuv1-dev zlib1g-dev libcurl4-openssl-dev libxxhash-dev libssl-dev libbrotli-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libexpected-dev node-llhttp
  curl wrk nginx-light util-linux procps brotli python3
  varnish trafficserver
  openssl awscli python3-botocore python3-cryptography python3-prometheus-client
  libsqlite3-dev sqlite3 chromium
  clang-14 libclang-rt-14-dev
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

# Pinned npm packages (package-lock.json), each installed by `npm ci` only when node_modules does
# not already hold exactly that lock file's packages:
#   tests/interop      the JavaScript CloudFront signer and s3rver
#   conf/site-vendor   Material Design Lite, vendored into the demo site by scripts/demo_prepare.sh
#   conf/dashboard-vendor  uPlot, the admin dashboard's charts: the build embeds its dist files
#                      into edged (CMakeLists.txt) and fails without them
#   tests/browser      playwright-core, driving Debian's chromium (never a downloaded browser)
npm_ci() {  # npm_ci DIR PACKAGE...: the packages whose package.json must be there
  local dir="$root/$1" stamp want
  shift
  stamp="$dir/node_modules/.edged-lock.sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  local missing_pkg=0
  for p in "$@"; do [ -f "$dir/node_modules/$p/package.json" ] || missing_pkg=1; done
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ "$missing_pkg" = 1 ]; then
    echo "setup: npm ci in ${dir#"$root"/}"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" >"$stamp"
  fi
}
root="$(cd "$(dirname "$0")/.." && pwd)"
npm_ci tests/interop @aws-sdk/cloudfront-signer s3rver
npm_ci conf/site-vendor material-design-lite
npm_ci conf/dashboard-vendor uplot
npm_ci tests/browser playwright-core
echo "setup: ok"
