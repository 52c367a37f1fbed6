#!/usr/bin/env bash
# Installs every Debian package edged needs to build, test and benchmark on a fresh
# Debian 12 (bookworm) machine. Idempotent: safe to run again.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libuv1-dev zlib1g-dev libcurl4-openssl-dev libxxhash-dev libssl-dev libbrotli-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libexpected-dev node-llhttp
  curl wrk nginx-light util-linux procps brotli python3
  varnish trafficserver
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

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
echo "setup: ok"
