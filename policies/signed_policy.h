// The policy half of signed URLs and signed cookies (§5.3–§5.5): CloudFront's URL-safe base64,
// the canned policy string, the custom policy JSON (parsed into SignedPolicy, and built for
// signing), Resource wildcard matching, and the per-request condition checks.
// Pure: no clock (callers pass `now`, epoch seconds), no I/O. The signature half (keys, OpenSSL)
// is signed_keys.h; the request-level verdict is signed_request.h.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "policies/ip_address.h"

namespace edge::policies {

// §5.5: standard base64 (RFC 4648 §4, padded) with '+'→'-', '='→'_', '/'→'~'.
std::string encodeCloudFrontBase64(std::string_view bytes);
// The reverse. Strict: only A–Z a–z 0–9 '-' '~' and trailing '_' padding are accepted; the
// padding may be missing (a length ≡ 1 mod 4 is refused); unused trailing bits must be zero.
// nullopt for anything else (including the standard alphabet's '+', '/', '=').
std::optional<std::string> decodeCloudFrontBase64(std::string_view text);

// Appends `s` as the inside of a JSON string: '"', '\\' and control characters escaped, other
// bytes as they are. Used for the Resource of canned and built policies, so that the canned
// string CloudFront rebuilds from a request is the one botocore signed.
void appendJsonEscaped(std::string& out, std::string_view s);

// §5.3, byte-exact:
// {"Statement":[{"Resource":"<resource>","Condition":{"DateLessThan":{"AWS:EpochTime":<expires>}}}]}
// `expires` is inserted verbatim (the Expires parameter as sent).
std::string cannedPolicy(std::string_view resource, std::string_view expires);
// Same, written into `out` (cleared first): lets a caller reuse its buffer.
void cannedPolicyInto(std::string& out, std::string_view resource, std::string_view expires);

// The largest epoch CloudFront accepts for Expires / DateLessThan (32-bit epoch, §5.3).
inline constexpr int64_t kMaxSignedEpoch = 2147483647;

// A verified (or to-be-verified) policy statement: §5.4's conditions as values.
struct SignedPolicy {
  // `Resource`; nullopt = omitted (every URL of every distribution trusting the key).
  std::optional<std::string> resource;
  // true for a canned policy: `resource` is the exact request URL (no wildcards).
  bool exact_resource = false;
  int64_t date_less_than = 0;                // AWS:EpochTime, required
  std::optional<int64_t> date_greater_than;  // AWS:EpochTime
  std::optional<IpRange> source_ip;          // AWS:SourceIp (IPv4 or IPv6 CIDR)
  bool operator==(const SignedPolicy&) const = default;
};
std::ostream& operator<<(std::ostream& os, const SignedPolicy& p);

// §5.4: parses a custom policy. `Statement` is an array of exactly one statement or a single
// statement object; a statement has an optional string `Resource` and a `Condition` with a
// required `DateLessThan` and optional `DateGreaterThan` ({"AWS:EpochTime": integer}) and
// `IpAddress` ({"AWS:SourceIp": "CIDR or address"}). Unknown members anywhere are refused
// rather than ignored (an unknown condition must not widen access). The error is a short
// reason for the debug header; the caller maps every error to MalformedPolicy.
tl::expected<SignedPolicy, std::string> parseCustomPolicy(std::string_view json);

// §5.4 Resource matching of `url` (built as in §5.3: scheme://host/path?query) against a
// policy Resource. `*` matches 0+ characters and `?` exactly one, each inside its section
// (protocol, domain, path, query) with these exceptions:
//  * a trailing `*` in the path also matches any query (implied `\?*`);
//  * a trailing `*` in the domain also matches any path and query (implied `/*\?*`);
//  * a Resource starting with `*` and without "://" has an implied `*://`; "*" matches all;
//  * the query separator may be written `\?` (documented) or as a bare `?` (what botocore and
//    the JS SDK put in): a bare `?` is a one-character wildcard, so it matches the separator.
// Protocol and domain compare ASCII case-insensitively, path and query byte-exactly.
bool resourceMatches(std::string_view pattern, std::string_view url);

// Why a request fails a policy's conditions (all map to AccessDenied, §5.7).
enum class PolicyViolation : uint8_t {
  Expired,          // now >= DateLessThan
  TooLateEpoch,     // DateLessThan > 2147483647 (32-bit epoch)
  NotYetValid,      // DateGreaterThan present and now <= DateGreaterThan
  IpMismatch,       // client address outside AWS:SourceIp (or not an address)
  ResourceMismatch  // request URL does not match Resource
};
std::string_view toString(PolicyViolation v);
std::ostream& operator<<(std::ostream& os, PolicyViolation v);

// §5.4 validation at request time: now < DateLessThan (strict), now > DateGreaterThan (strict),
// client_ip (the TCP peer) inside the range, `url` matches Resource (exact compare for canned
// policies). nullopt when every condition holds.
std::optional<PolicyViolation> checkPolicyConditions(const SignedPolicy& policy,
                                                     std::string_view url,
                                                     std::string_view client_ip, int64_t now);

// --- building policies for signing (edged sign; test helpers) ------------------------------------

struct PolicyConditions {
  std::string resource;  // URL or wildcard pattern
  int64_t date_less_than = 0;
  std::optional<int64_t> date_greater_than;
  std::optional<std::string> ip_address;  // as given; "/32" ("/128" for IPv6) added if bare
};
// The compact custom policy JSON in the AWS CLI / botocore key order:
// {"Statement":[{"Resource":"…","Condition":{"DateLessThan":{"AWS:EpochTime":N},
//   "IpAddress":{"AWS:SourceIp":"…"},"DateGreaterThan":{"AWS:EpochTime":N}}}]}
// (absent conditions left out). botocore appends "/32" to any bare address, IPv6 included;
// here a bare IPv6 address gets "/128" (a v6 "/32" would allow a whole provider's range).
std::string buildCustomPolicy(const PolicyConditions& c);

}  // namespace edge::policies
