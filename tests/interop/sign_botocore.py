#!/usr/bin/python3
"""CloudFront signed URL or signed cookies from botocore's CloudFrontSigner (Debian's
python3-botocore, with python3-cryptography doing the RSA), for the integration tests
(tests/integration/signed_test.cc). No crypto is written here.

  /usr/bin/python3 sign_botocore.py --url URL --key-pair-id ID --private-key PEM_PATH
      --date-less-than EPOCH [--date-greater-than EPOCH] [--ip-address CIDR]
      [--resource PATTERN] [--mode url|cookies]

Prints one JSON object: {"url": "<signed url>"} or {"cookies": {"CloudFront-...": "..."}}.
Canned policy (generate_presigned_url(date_less_than=)) unless --date-greater-than,
--ip-address or --resource is given; then build_policy(Resource = --resource or --url, ...) and
generate_presigned_url(policy=).

Cookies: botocore signs URLs only. Its signed URL already carries the policy (Expires= for a
canned one, Policy= for a custom one) and Signature= in CloudFront's base64 (+ -> -, = -> _,
/ -> ~), and Key-Pair-Id=; signed cookies use exactly those values under the names
CloudFront-Expires / CloudFront-Policy, CloudFront-Signature and CloudFront-Key-Pair-Id
(cloudfront-behavior.md 5.6). So the cookies are the signing parameters botocore appended to
the URL, renamed; nothing is re-encoded.

Run with /usr/bin/python3: pyenv's python3 has a different botocore. Exit 3 when botocore or
cryptography is missing.
"""
import argparse
import datetime
import json
import sys

try:
    from botocore.signers import CloudFrontSigner
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError as err:
    sys.stderr.write(f"sign_botocore: {err}: run scripts/setup.sh\n")
    sys.exit(3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--key-pair-id", required=True)
    parser.add_argument("--private-key", required=True)
    parser.add_argument("--date-less-than", required=True, type=int)
    parser.add_argument("--date-greater-than", type=int)
    parser.add_argument("--ip-address")
    parser.add_argument("--resource")
    parser.add_argument("--mode", choices=["url", "cookies"], default="url")
    args = parser.parse_args()

    with open(args.private_key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)

    def rsa_signer(message):
        # What CloudFront verifies by default: RSASSA-PKCS1-v1_5 with SHA-1.
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    def when(epoch):
        return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)

    signer = CloudFrontSigner(args.key_pair_id, rsa_signer)
    custom = args.date_greater_than is not None or args.ip_address or args.resource
    if custom:
        policy = signer.build_policy(
            args.resource or args.url, when(args.date_less_than),
            date_greater_than=when(args.date_greater_than)
            if args.date_greater_than is not None else None,
            ip_address=args.ip_address)
        signed = signer.generate_presigned_url(args.url, policy=policy)
    else:
        signed = signer.generate_presigned_url(args.url, date_less_than=when(args.date_less_than))

    if args.mode == "url":
        out = {"url": signed}
    else:
        # The parameters botocore appended: the part after the URL we gave it and its separator.
        appended = signed[len(args.url) + 1:]
        names = {"Expires": "CloudFront-Expires", "Policy": "CloudFront-Policy",
                 "Signature": "CloudFront-Signature", "Key-Pair-Id": "CloudFront-Key-Pair-Id"}
        cookies = {}
        for pair in appended.split("&"):
            name, _, value = pair.partition("=")
            if name not in names:
                sys.stderr.write(f"sign_botocore: unexpected parameter {name!r} in {signed}\n")
                sys.exit(1)
            cookies[names[name]] = value
        out = {"cookies": cookies}
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
