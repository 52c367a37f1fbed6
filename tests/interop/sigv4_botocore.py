#!/usr/bin/python3
"""AWS Signature Version 4 (S3) from botocore, an implementation no one here wrote, for
tests/integration/sigv4_botocore_test.cc (policies/sigv4.h). Debian's python3-botocore 1.29.27;
no signing code is written here, only calls into botocore.auth.

  /usr/bin/python3 sigv4_botocore.py sign|verify|chunked CASES.json

CASES.json is a JSON array; the output is one JSON array with one object per case, in order.

sign: each case is
  {"method": "PUT", "url": "http://host/path?query", "headers": [["Name", "value"], ...],
   "body": "text" | null, "unsigned": true|false, "access_key": "...", "secret_key": "...",
   "region": "us-east-1", "time": EPOCH, "presign_expires": SECONDS (optional)}
  and gives {"headers": [[name, value], ...]} (the request's headers after S3SigV4Auth.add_auth:
  Authorization, X-Amz-Date, X-Amz-Content-SHA256 added) or, with presign_expires,
  {"url": "<presigned url>"} from S3SigV4QueryAuth. botocore signs every header it is given (but
  User-Agent and Expect) and the URL's path and query as they are written. "unsigned" selects
  UNSIGNED-PAYLOAD (S3 config payload_signing_enabled = False), else the body's SHA-256 is signed.
  botocore reads the clock with datetime.datetime.utcnow(); it is pinned to "time".

verify: each case is
  {"method": ..., "url": ..., "headers": [[name, value], ...], "secret_key": ..., "region": ...}
  for a request signed by someone else (header form: Authorization and X-Amz-Date among the
  headers; presigned form: X-Amz-Signature in the URL). botocore recomputes the signature over
  exactly the headers the request's SignedHeaders names, at the request's own X-Amz-Date, and
  the case gives {"signature": "<botocore's>", "claimed": "<the request's>", "match": bool,
  "canonical_request": "..."}.

chunked: each case is a sign case (method PUT, no "unsigned", no "presign_expires") plus
  {"algorithm": "crc32"|"sha1"|"sha256", "chunk_size": N}: botocore's flexible-checksum trailer
  upload (httpchecksum.apply_request_checksum: Content-Encoding aws-chunked, X-Amz-Trailer,
  X-Amz-Decoded-Content-Length; its AwsChunkedWrapper frames the body in chunk_size pieces and
  appends x-amz-checksum-<algorithm>), signed by S3SigV4Auth as STREAMING-UNSIGNED-PAYLOAD-TRAILER.
  Gives {"headers": [[name, value], ...], "wire_base64": "<the aws-chunked body>"}.

Run with /usr/bin/python3: pyenv's python3 has a different botocore. Exit 3 when botocore is
missing, 2 on bad input.
"""
import base64
import datetime
import io
import json
import sys
import types
from urllib.parse import parse_qsl, urlsplit, urlunsplit, unquote

try:
    import botocore
    import botocore.auth
    import botocore.httpchecksum as httpchecksum
    from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as err:
    sys.stderr.write(f"sigv4_botocore: {err}: run scripts/setup.sh (python3-botocore)\n")
    sys.exit(3)


def pin_clock(epoch):
    """Makes botocore.auth's datetime.datetime.utcnow() return `epoch` (UTC, naive)."""
    fixed = datetime.datetime.utcfromtimestamp(epoch)

    class PinnedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    botocore.auth.datetime = types.SimpleNamespace(
        datetime=PinnedDatetime, timedelta=datetime.timedelta, timezone=datetime.timezone)


def make_request(case, headers, url=None):
    """An AWSRequest with `headers` ([name, value] pairs, repeats kept in order)."""
    body = case.get("body")
    request = AWSRequest(method=case["method"], url=url or case["url"],
                         data=body.encode("utf-8") if body is not None else None)
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends: a repeated name stays repeated
    return request


def sign(case):
    pin_clock(case["time"])
    creds = Credentials(case["access_key"], case["secret_key"])
    request = make_request(case, case.get("headers", []))
    if "presign_expires" in case:
        S3SigV4QueryAuth(creds, "s3", case["region"], expires=case["presign_expires"]).add_auth(request)
        return {"url": request.url}
    if case.get("unsigned"):
        request.context["client_config"] = types.SimpleNamespace(
            s3={"payload_signing_enabled": False})
    S3SigV4Auth(creds, "s3", case["region"]).add_auth(request)
    return {"headers": [[k, v] for k, v in request.headers.items()]}


def chunked(case):
    pin_clock(case["time"])
    algorithm = case["algorithm"]
    name = "x-amz-checksum-" + algorithm
    raw = case["body"].encode("utf-8")
    checksum = {"request_algorithm": {"in": "trailer", "name": name, "algorithm": algorithm}}
    headers = dict(case.get("headers", []))
    prepared = {"headers": headers, "body": raw, "context": {"checksum": checksum}}
    httpchecksum.apply_request_checksum(prepared)  # sets the aws-chunked headers
    wrapper = httpchecksum.AwsChunkedWrapper(
        io.BytesIO(raw), checksum_cls=httpchecksum._CHECKSUM_CLS[algorithm],
        checksum_name=name, chunk_size=case["chunk_size"])
    request = make_request({"method": case["method"], "body": None}, list(headers.items()),
                           case["url"])
    request.context["checksum"] = checksum
    S3SigV4Auth(Credentials(case["access_key"], case["secret_key"]), "s3",
                case["region"]).add_auth(request)
    return {"headers": [[k, v] for k, v in request.headers.items()],
            "wire_base64": base64.b64encode(wrapper.read()).decode("ascii")}


def header_value(headers, name):
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def verify(case):
    headers = case.get("headers", [])
    creds = Credentials("unused", case["secret_key"])
    parts = urlsplit(case["url"])
    pairs = [p.partition("=") for p in parts.query.split("&")] if parts.query else []
    query = {k: unquote(v) for k, _, v in pairs}
    if "X-Amz-Signature" in query:
        # Presigned: the canonical query is the URL's without X-Amz-Signature, the payload
        # UNSIGNED-PAYLOAD, the signed headers those X-Amz-SignedHeaders names.
        claimed = query["X-Amz-Signature"]
        timestamp = query["X-Amz-Date"]
        signed = query["X-Amz-SignedHeaders"].split(";")
        kept = "&".join(k + s + v for k, s, v in pairs if k != "X-Amz-Signature")
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, kept, parts.fragment))
        auth = S3SigV4QueryAuth(creds, "s3", case["region"])
    else:
        authorization = header_value(headers, "authorization")
        if authorization is None:
            raise ValueError("no Authorization header and no X-Amz-Signature")
        fields = dict(item.strip().split("=", 1)
                      for item in authorization.split(" ", 1)[1].split(","))
        claimed = fields["Signature"]
        signed = fields["SignedHeaders"].split(";")
        timestamp = header_value(headers, "x-amz-date")
        url = case["url"]
        auth = S3SigV4Auth(creds, "s3", case["region"])
    kept_headers = [[k, v] for k, v in headers if k.lower() in signed]
    request = make_request({"method": case["method"]}, kept_headers, url)
    request.context["timestamp"] = timestamp
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    return {"signature": signature, "claimed": claimed, "match": signature == claimed,
            "canonical_request": canonical}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("sign", "verify", "chunked"):
        sys.stderr.write(__doc__)
        sys.exit(2)
    with open(sys.argv[2], encoding="utf-8") as f:
        cases = json.load(f)
    run = {"sign": sign, "verify": verify, "chunked": chunked}[sys.argv[1]]
    out = []
    for case in cases:
        try:
            out.append(run(case))
        except (KeyError, ValueError, TypeError) as err:
            sys.stderr.write(f"sigv4_botocore: bad case {case!r}: {err!r}\n")
            sys.exit(2)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
