#!/usr/bin/python3
"""Renders the demo's run-time configs into OUTDIR (called by scripts/demo_prepare.sh).

    demo_render.py OUTDIR

Reads conf/example.json, conf/registration.json and OUTDIR/keys/public.pem; writes
  OUTDIR/edge.json          conf/example.json with every PublicKeys EncodedKey that holds the
                            placeholder @DEMO_PUBLIC_KEY_PEM@ replaced by the generated public key
  OUTDIR/registration.json  conf/registration.json with Database and SignedCookies.PrivateKeyFile
                            moved into OUTDIR (absolute paths)
and checks that the two files agree: the API's SignedCookies.KeyPairId is a placeholder key of a
key group trusted by the behaviour for the certificates' UrlPrefix, and the API's
OriginVerifyHeader is a custom header of the origin behind /api/*. Exit 1 with a message
otherwise. Only the standard library (json) of Debian's python3.
"""
import json
import os
import sys

PLACEHOLDER = "@DEMO_PUBLIC_KEY_PEM@"


def fail(message):
    sys.exit(f"demo_render: {message}")


def items(value):
    """A CloudFront list in either form: {"Quantity", "Items"} or a plain array."""
    if isinstance(value, dict):
        return value.get("Items", [])
    return value or []


def render_edge(edge, api, public_pem):
    dist = edge["DistributionConfig"]
    cookies = api.get("SignedCookies")
    if not cookies:
        fail("conf/registration.json has no SignedCookies: the certificates could not be read")
    key_id = cookies["KeyPairId"]
    keys = {k["Id"]: k for k in items(edge.get("PublicKeys"))}
    if key_id not in keys:
        fail(f"conf/example.json: PublicKeys has no Id {key_id!r} (SignedCookies.KeyPairId)")
    replaced = 0
    for key in keys.values():
        config = key["PublicKeyConfig"]
        if config.get("EncodedKey") == PLACEHOLDER:
            config["EncodedKey"] = public_pem
            replaced += 1
    if keys[key_id]["PublicKeyConfig"]["EncodedKey"] != public_pem:
        fail(f"conf/example.json: PublicKeys {key_id!r} must hold the placeholder {PLACEHOLDER}")

    behaviors = items(dist.get("CacheBehaviors"))
    pattern = api["Certificates"].get("UrlPrefix", "/certificates/") + "*"
    cert = next((b for b in behaviors if b["PathPattern"] == pattern), None)
    if cert is None:
        fail(f"conf/example.json: no behaviour for {pattern} (Certificates.UrlPrefix)")
    groups = {g["Id"]: g for g in items(edge.get("KeyGroups"))}
    trusted = [g for g in items(cert.get("TrustedKeyGroups")) if g in groups]
    if not any(key_id in items(groups[g]["KeyGroupConfig"]["Items"]) for g in trusted):
        fail(f"conf/example.json: {pattern} trusts no key group holding {key_id!r}")

    verify = api.get("OriginVerifyHeader")
    if verify:
        api_behavior = next((b for b in behaviors if b["PathPattern"] == "/api/*"), None)
        if api_behavior is None:
            fail("conf/example.json: no /api/* behaviour")
        origin = next(o for o in items(dist["Origins"]) if o["Id"] == api_behavior["TargetOriginId"])
        headers = {h["HeaderName"].lower(): h["HeaderValue"] for h in items(origin.get("CustomHeaders"))}
        if headers.get(verify["Name"].lower()) != verify["Value"]:
            fail(f"conf/example.json: origin {origin['Id']!r} does not send {verify['Name']}: "
                 f"{verify['Value']} (OriginVerifyHeader of conf/registration.json)")
    return edge


def render_api(api, out):
    api["Database"] = os.path.join(out, os.path.basename(api["Database"]))
    api["SignedCookies"]["PrivateKeyFile"] = os.path.join(out, "keys", "private.pem")
    return api


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = os.path.abspath(sys.argv[1])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "conf", "example.json"), encoding="utf-8") as f:
        edge = json.load(f)
    with open(os.path.join(root, "conf", "registration.json"), encoding="utf-8") as f:
        api = json.load(f)
    with open(os.path.join(out, "keys", "public.pem"), encoding="ascii") as f:
        public_pem = f.read()
    write_json(os.path.join(out, "edge.json"), render_edge(edge, api, public_pem))
    write_json(os.path.join(out, "registration.json"), render_api(api, out))


if __name__ == "__main__":
    main()
