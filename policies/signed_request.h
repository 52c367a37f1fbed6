// The viewer-request verdict for behaviours that require signed URLs or signed cookies (§5):
// where the credentials come from (§5.2, §5.6), the URL the policy must name (§5.3), the
// verification (signed_keys.h, signed_policy.h, signature_memo.h) and the 403 it fails with
// (§5.7).
//
// Engine use (step 4 "viewer checks", only when requiresSignedRequests(behavior)):
//
//   // start-up, once per config (the parsed keys are shared by every worker):
//   auto key_set = PublicKeySet::parse(config);  // error: KeyError::toString() as config error
//   // worker start, once per behaviour that requires signing:
//   TrustedKeys keys = TrustedKeys::forBehavior(behavior, config, *key_set);
//   SignatureMemo memo;  // one per worker, shared by its behaviours
//   // per request:
//   SignedCheck c = checkSignedRequest(request, "https", keys, memo, now_epoch_seconds);
//   if (!c.ok()) → 403, Content-Type text/xml, X-Cache "Error from cloudfront",
//                  body signedFailureBody(*c.failure); c.reason for a debug header.
//
// Pure: no clock, no I/O. Threads: the memo is per worker; everything else is read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "policies/signature_memo.h"
#include "policies/signed_keys.h"
#include "policies/signed_policy.h"
#include "policies/viewer_request.h"

namespace edge::policies {

// §5.7 failure codes. Every one is a 403.
enum class SignedFailure : uint8_t {
  MissingKey,          // no Key-Pair-Id parameter / CloudFront-Key-Pair-Id cookie, or empty
  InvalidKey,          // Key-Pair-Id is not a key of the behaviour's trusted key groups
  MalformedSignature,  // Signature is not CloudFront base64
  MalformedPolicy,     // Policy is not CloudFront base64, not JSON, or not a valid policy
  AccessDenied,        // everything else: bad signature, expired, not yet valid, IP, resource,
                       // missing Signature or Expires/Policy, duplicated signing parameter
};
std::string_view toString(SignedFailure f);  // the <Code>
std::ostream& operator<<(std::ostream& os, SignedFailure f);
// The <Message> of §5.7 ("Missing Key-Pair-Id query parameter or cookie value", "Unknown Key",
// "Could not unencode Signature", "Malformed Policy", "Access denied").
std::string_view signedFailureMessage(SignedFailure f);
// §5.7's one-line body, no trailing newline:
// <?xml version="1.0" encoding="UTF-8"?><Error><Code>…</Code><Message>…</Message></Error>
std::string signedFailureBody(SignedFailure f);

// Where the credentials were read from.
enum class CredentialSource : uint8_t {
  None,    // no signing query parameter and no CloudFront-* signing cookie
  Query,   // a signed URL (§5.2); takes precedence over cookies
  Cookie,  // signed cookies (§5.6)
};
std::string_view toString(CredentialSource s);

// One credential field. Values are percent-decoded when they contain '%' (some generators
// encode '~' as %7E); otherwise `value()` is a view into the request.
struct CredentialField {
  bool present = false;
  std::string_view raw;  // as sent, into the ViewerRequest
  std::string decoded;   // percent-decoded copy, used when `raw` contains '%'
  bool use_decoded = false;
  std::string_view value() const { return use_decoded ? std::string_view(decoded) : raw; }
};

// §5.2 / §5.6: the five signing fields of a request. Views into the ViewerRequest it was
// extracted from: it must not outlive it (and must not be copied after `decoded` is used).
struct SignedCredentials {
  CredentialSource source = CredentialSource::None;
  CredentialField expires, policy, signature, key_pair_id, hash_algorithm;
  // A signing parameter (or cookie) appeared more than once: refused with AccessDenied.
  bool duplicate = false;
};

// From the query when it has any signing parameter (Expires, Policy, Signature, Key-Pair-Id,
// Hash-Algorithm: exact, case-sensitive names; any order), otherwise from the cookies
// CloudFront-Expires/-Policy/-Signature/-Key-Pair-Id/-Hash-Algorithm (all Cookie headers).
SignedCredentials extractSignedCredentials(const ViewerRequest& request);

// §5.3: scheme + "://" + Host header as requested + raw path + ("?" + the non-signing query
// parameters in their original order and encoding, when any remain). A missing Host gives
// an empty host. With signed cookies nothing is removed from the query (no signing parameter
// is present, or the URL would have taken precedence).
std::string signedResourceUrl(const ViewerRequest& request, std::string_view scheme);
// Same, into `out` (cleared first).
void signedResourceUrlInto(std::string& out, const ViewerRequest& request, std::string_view scheme);

struct SignedCheck {
  std::optional<SignedFailure> failure;  // nullopt: the request may proceed
  // A short human reason ("expired", "signature does not verify", …) for a debug header or
  // log; a static string.
  std::string_view reason;
  CredentialSource source = CredentialSource::None;
  bool memo_hit = false;  // the signature was known from an earlier request (no crypto done)
  bool ok() const { return !failure; }
  bool operator==(const SignedCheck&) const = default;
};
std::ostream& operator<<(std::ostream& os, const SignedCheck& c);

// The §5.7 verdict for `request` on a behaviour trusting `keys`. `scheme` is "http" or "https"
// (the viewer's protocol), `now` epoch seconds. Checks, in order:
//  1. duplicated signing parameter/cookie → AccessDenied;
//  2. no or empty Key-Pair-Id → MissingKey; not in `keys` → InvalidKey;
//  3. no Signature, or neither Policy nor Expires → AccessDenied; Hash-Algorithm other than
//     SHA1/SHA256, or SHA1 with an ECDSA key → AccessDenied; canned Expires not an integer or
//     above 2147483647 → AccessDenied;
//  4. memo hit → step 8;
//  5. Signature not base64 → MalformedSignature;
//  6. Policy (preferred when both Policy and Expires are sent, §5.2) not base64 / not a valid
//     policy → MalformedPolicy; canned: the §5.3 string from the request URL and Expires;
//  7. signature does not verify → AccessDenied; else the policy is memoised;
//  8. the policy's conditions (checkPolicyConditions) → AccessDenied on any violation.
SignedCheck checkSignedRequest(const ViewerRequest& request, std::string_view scheme,
                               const TrustedKeys& keys, SignatureMemo& memo, int64_t now);

}  // namespace edge::policies
