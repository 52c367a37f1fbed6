#!/usr/bin/env node
// CloudFront signed URL or signed cookies from the AWS SDK for JavaScript v3
// (@aws-sdk/cloudfront-signer, pinned in package.json, installed by scripts/setup.sh), for the
// integration tests (tests/integration/signed_test.cc). No crypto here: the SDK signs.
//
//   sign_jssdk.mjs --url URL --key-pair-id ID --private-key PEM_PATH --date-less-than EPOCH
//                  [--date-greater-than EPOCH] [--ip-address CIDR] [--resource PATTERN]
//                  [--mode url|cookies] [--hash-algorithm SHA1|SHA256]
//
// Prints one JSON object: {"url": "<signed url>"} or {"cookies": {"CloudFront-…": "…"}}.
// Canned policy unless --date-greater-than, --ip-address or --resource is given; then a custom
// policy built here as JSON ({"Statement":[{"Resource", "Condition": {DateLessThan,
// DateGreaterThan?, IpAddress?}}]}) with Resource = --resource (wildcards allowed) or --url, and
// handed to the SDK's `policy` input. --hash-algorithm SHA256 (an SDK-only option) makes the SDK
// add Hash-Algorithm=SHA256 / CloudFront-Hash-Algorithm. Exit 3 when the SDK is not installed.
import { readFileSync } from "node:fs";

function usage(message) {
  process.stderr.write(`sign_jssdk: ${message}\n`);
  process.exit(2);
}

const names = {
  "--url": "url", "--key-pair-id": "keyPairId", "--private-key": "privateKeyPath",
  "--date-less-than": "dateLessThan", "--date-greater-than": "dateGreaterThan",
  "--ip-address": "ipAddress", "--resource": "resource", "--mode": "mode",
  "--hash-algorithm": "algorithm",
};
const args = { mode: "url" };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const name = names[argv[i]];
  if (!name || i + 1 >= argv.length) usage(`bad argument ${argv[i]}`);
  args[name] = argv[i + 1];
}
for (const required of ["url", "keyPairId", "privateKeyPath", "dateLessThan"]) {
  if (!args[required]) usage(`missing ${required}`);
}
if (args.mode !== "url" && args.mode !== "cookies") usage(`--mode must be url or cookies`);

let signer;
try {
  signer = await import("@aws-sdk/cloudfront-signer");
} catch (err) {
  process.stderr.write(`sign_jssdk: @aws-sdk/cloudfront-signer is missing (${err.code}): run scripts/setup.sh\n`);
  process.exit(3);
}

const epoch = (text) => {
  if (!/^[0-9]+$/.test(text)) usage(`not an epoch: ${text}`);
  return Number(text);
};
const credentials = {
  keyPairId: args.keyPairId,
  privateKey: readFileSync(args.privateKeyPath, "utf8"),
};
if (args.algorithm) credentials.algorithm = args.algorithm;

let input;
if (args.dateGreaterThan || args.ipAddress || args.resource) {
  const condition = { DateLessThan: { "AWS:EpochTime": epoch(args.dateLessThan) } };
  if (args.dateGreaterThan) {
    condition.DateGreaterThan = { "AWS:EpochTime": epoch(args.dateGreaterThan) };
  }
  if (args.ipAddress) condition.IpAddress = { "AWS:SourceIp": args.ipAddress };
  const policy = { Statement: [{ Resource: args.resource || args.url, Condition: condition }] };
  input = { ...credentials, url: args.url, policy: JSON.stringify(policy) };
} else {
  // The SDK reads numbers as milliseconds (new Date(n)): hand it a Date.
  input = { ...credentials, url: args.url, dateLessThan: new Date(epoch(args.dateLessThan) * 1000) };
}

const out = args.mode === "url"
  ? { url: signer.getSignedUrl(input) }
  : { cookies: Object.fromEntries(
      Object.entries(signer.getSignedCookies(input)).map(([k, v]) => [k, String(v)])) };
process.stdout.write(JSON.stringify(out) + "\n");
