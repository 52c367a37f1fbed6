#!/bin/bash
# CloudFront signed URL from the AWS CLI (`/usr/bin/aws cloudfront sign`, Debian's awscli v2),
# for the integration tests (tests/integration/signed_test.cc). No crypto here: the CLI signs.
#
#   sign_awscli.sh --url URL --key-pair-id ID --private-key PEM_PATH --date-less-than EPOCH
#                  [--date-greater-than EPOCH] [--ip-address CIDR] [--resource PATTERN]
#                  [--mode url|cookies]
#
# Prints one JSON object: {"url": "<signed url>"}. The CLI signs URLs only, and the Resource of
# its policy is always --url itself, so --mode cookies and --resource are refused (exit 2).
# With --date-greater-than or --ip-address the CLI writes a custom policy (Policy=), otherwise a
# canned one (Expires=). Exit 3 (message on stderr) when the CLI is not installed.
# /usr/bin/aws by full path: pyenv's shim `aws` is a different aws-cli (v1).
set -euo pipefail

usage() { echo "usage: $0 --url URL --key-pair-id ID --private-key PEM --date-less-than EPOCH [--date-greater-than EPOCH] [--ip-address CIDR] [--resource PATTERN] [--mode url|cookies]" >&2; exit 2; }

url="" key_id="" pem="" less="" greater="" ip="" resource="" mode=url
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage
  case "$1" in
    --url) url=$2 ;;
    --key-pair-id) key_id=$2 ;;
    --private-key) pem=$2 ;;
    --date-less-than) less=$2 ;;
    --date-greater-than) greater=$2 ;;
    --ip-address) ip=$2 ;;
    --resource) resource=$2 ;;
    --mode) mode=$2 ;;
    *) usage ;;
  esac
  shift 2
done
[ -n "$url" ] && [ -n "$key_id" ] && [ -n "$pem" ] && [ -n "$less" ] || usage
if [ "$mode" != url ]; then
  echo "sign_awscli: the AWS CLI has no signed-cookie mode (--mode $mode)" >&2
  exit 2
fi
if [ -n "$resource" ]; then
  echo "sign_awscli: the AWS CLI always signs --url as the Resource (no --resource)" >&2
  exit 2
fi
if [ ! -x /usr/bin/aws ]; then
  echo "sign_awscli: /usr/bin/aws is missing: run scripts/setup.sh" >&2
  exit 3
fi

case "$pem" in /*) ;; *) pem="$PWD/$pem" ;; esac
args=(cloudfront sign --url "$url" --key-pair-id "$key_id" --private-key "file://$pem"
      --date-less-than "$less")
[ -n "$greater" ] && args+=(--date-greater-than "$greater")
[ -n "$ip" ] && args+=(--ip-address "$ip")

# Offline: no instance metadata look-up, no user config or credentials (signing needs none).
signed="$(AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
  AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="" /usr/bin/aws "${args[@]}")"
# JSON string escaping: a URL has no control characters; escape backslash and quote.
signed="${signed//\\/\\\\}"
signed="${signed//\"/\\\"}"
printf '{"url": "%s"}\n' "$signed"
