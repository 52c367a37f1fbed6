// Producing signed URLs and signed cookies (§5.2, §5.6), the way `aws cloudfront sign`
// (botocore's CloudFrontSigner) does: used by `edged sign` and by tests. Pure: the caller reads
// the private key file and passes its parsed key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "policies/signed_keys.h"

namespace edge::policies {

struct UrlSignRequest {
  std::string url;                             // absolute http(s) URL, no signing parameters
  std::optional<std::string> policy_resource;  // custom policy Resource (wildcards); default url
  std::string key_pair_id;
  int64_t date_less_than = 0;  // epoch seconds
  std::optional<int64_t> date_greater_than;
  std::optional<std::string> ip_address;  // address or CIDR, IPv4 or IPv6
  std::optional<SignatureHash> hash;      // nullopt: SHA1 for RSA keys, SHA256 for ECDSA
};

struct SignedUrlResult {
  bool custom = false;  // a custom policy (Policy=) rather than a canned one (Expires=)
  std::string policy;   // the exact bytes that were signed
  SignatureHash hash = SignatureHash::Sha1;
  std::string url;  // the signed URL
  // The signed-cookie equivalent, in the order AWS documents them: CloudFront-Expires or
  // CloudFront-Policy, CloudFront-Signature, CloudFront-Key-Pair-Id (+ CloudFront-Hash-Algorithm).
  std::vector<std::pair<std::string, std::string>> cookies;
};

// A custom policy is used when date_greater_than or ip_address is given, or when a
// policy_resource is given that differs from url or contains '*'; otherwise a canned policy
// (also for a url holding '*', '?' or "\?": a canned policy matches it byte for byte). The URL
// gets `?` or `&` then, in botocore's order, `Expires=N` or `Policy=…`, `Signature=…`,
// `Key-Pair-Id=…`, and `Hash-Algorithm=SHA256` last when SHA-256 is used. Errors (text for
// the command line): the URL is not http(s) or already carries signing parameters, the IP is
// not an address/CIDR, date_greater_than is not before date_less_than, SHA1 with an ECDSA key.
tl::expected<SignedUrlResult, std::string> signUrl(const UrlSignRequest& request,
                                                   const ParsedKey& key);

// The date forms `aws cloudfront sign` accepts: epoch seconds ("1893456000"), "YYYY-MM-DD"
// (midnight UTC), "YYYY-MM-DDThh:mm:ss" (UTC; a space may replace 'T'; fractional seconds
// are truncated), optionally followed by "Z", "+hh:mm", "-hh:mm" or "±hhmm".
std::optional<int64_t> parseSigningDate(std::string_view text);

}  // namespace edge::policies
