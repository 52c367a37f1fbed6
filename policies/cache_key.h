// The cache key (§2): which parts of a viewer request select a stored object. Pure.
//
// Components, always in this order (§2.1–§2.4, §2.8, §5.9, §5.10):
//   domain           the distribution domain (Config::edge.domain_name), not the Host header:
//                    aliases share objects; the scheme is never part of the key (§2.1)
//   path             after default-root-object rewriting, byte-exact and case-sensitive
//   method           "OPTIONS" for OPTIONS requests (cached separately, §1.3), "" otherwise: HEAD
//                    shares GET's object
//   accept-encoding  the §2.3 normalised value ("gzip", "br", "br,gzip") when the policy enables
//                    gzip/brotli (legacy: Compress=true, gzip only); "" otherwise and when the
//                    viewer accepts neither. The slot is always present in the text.
//   headers          each keyed header name (lower-case, sorted): its value (lines joined with
//                    ", ", case-sensitive), or "absent" — absence is part of the key;
//                    CloudFront-generated names (CloudFront-Viewer-Country, …) take edged's
//                    generated value, never the viewer's
//   cookies          the selected "name=value" crumbs, stably sorted by name (request order
//                    does not split the cache); signing cookies removed on signing behaviours
//   query            the selected parameters in request order, byte-exact, duplicates kept, "&"
//                    the only delimiter, empty parameters skipped (so `/a?` ≡ `/a`); signing
//                    parameters removed on signing behaviours
//
// Serialisation (CacheKey::text), version "K1": every variable datum is length-prefixed
// (decimal length, ':', bytes) behind a one-letter tag and every list is closed by ';', so two
// different component sets never serialise to the same text:
//   K1 d<len>:<domain> p<len>:<path> m<len>:<method> e<len>:<accept-encoding>
//      H{ n<len>:<name> (v<len>:<value> | -) }; C{ c<len>:<crumb> }; Q{ q<len>:<param> };
// (shown with spaces for reading; the text has none). hash = XXH3-128 of text; a hit must still
// compare the text.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <xxhash.h>

#include "policies/config.h"
#include "policies/no_cache_reason.h"
#include "policies/viewer_request.h"

namespace edge::policies {

// What a behaviour keys on, resolved from its cache policy (managed ones included) or legacy
// ForwardedValues. A plain value: resolve once per behaviour (at config load) and reuse; the
// per-request makeCacheKey overload taking it does no map lookups.
struct CacheKeyPolicy {
  // Set when the behaviour caches nothing whatever the response: legacy Headers ["*"] (§2.8), or
  // an unknown CachePolicyId (defensive; the loader rejects it).
  std::optional<NoCacheReason> no_cache;
  std::vector<std::string> headers;  // keyed header names, lower-case, sorted, unique
  NameList cookies;                  // None | Whitelist | AllExcept | All
  bool cookie_globs = false;         // legacy whitelist: names may use * and ? (§2.8)
  NameList query_strings;            // None | Whitelist | AllExcept | All
  bool gzip = false;                 // §2.3 EnableAcceptEncodingGzip (legacy: Compress)
  bool brotli = false;               // §2.3 EnableAcceptEncodingBrotli (never for legacy)
  // edgeCompression(): the edge compresses gzip / brotli as enabled above, and a Range request
  // is keyed as the identity representation (§4.5).
  bool compress = false;
  bool strip_signing = false;        // requiresSignedRequests(behavior) (§5.9, §5.10)
  bool operator==(const CacheKeyPolicy&) const = default;
};
std::ostream& operator<<(std::ostream& os, const CacheKeyPolicy& p);

CacheKeyPolicy resolveCacheKeyPolicy(const Behavior& behavior, const Config& config);

struct KeyedHeader {
  std::string name;                  // lower-case
  std::optional<std::string> value;  // nullopt: not in the request
  bool operator==(const KeyedHeader&) const = default;
};
std::ostream& operator<<(std::ostream& os, const KeyedHeader& h);  // name="value" / name=(absent)

// The key's components one by one, for `edged explain`, tests and invalidation matching.
struct CacheKeyParts {
  std::string domain;
  std::string path;
  std::string method;           // "OPTIONS" or ""
  std::string accept_encoding;  // "", "gzip", "br", "br,gzip"
  std::vector<KeyedHeader> headers;
  std::vector<std::string> cookies;  // "name=value" crumbs, sorted by name
  std::vector<std::string> query;    // parameters, request order
  std::optional<NoCacheReason> no_cache;

  // The object's path plus "?" and the keyed query when there is one: what invalidation paths
  // are matched against (§8).
  std::string pathAndQuery() const;
  bool operator==(const CacheKeyParts&) const = default;
};
std::ostream& operator<<(std::ostream& os, const CacheKeyParts& p);

struct CacheKey {
  std::string text;                       // canonical serialisation (format above)
  XXH128_hash_t hash{0, 0};               // XXH3_128bits(text)
  std::optional<NoCacheReason> no_cache;  // the behaviour caches nothing (see CacheKeyPolicy)

  bool operator==(const CacheKey& o) const { return text == o.text && no_cache == o.no_cache; }
};
std::ostream& operator<<(std::ostream& os, const CacheKey& k);

struct CacheKeyInputs {
  const ViewerRequest& viewer;
  const Behavior& behavior;
  const Config& config;     // resolves the behaviour's cache policy
  std::string_view domain;  // Config::edge.domain_name
  std::string_view path;    // after applyDefaultRootObject
};

// Resolves the behaviour's policy, then keys the request.
CacheKey makeCacheKey(const CacheKeyInputs& in);
// Hot path: the policy resolved beforehand.
CacheKey makeCacheKey(const CacheKeyPolicy& policy, const ViewerRequest& viewer,
                      std::string_view domain, std::string_view path);

CacheKeyParts makeCacheKeyParts(const CacheKeyInputs& in);
CacheKeyParts makeCacheKeyParts(const CacheKeyPolicy& policy, const ViewerRequest& viewer,
                                std::string_view domain, std::string_view path);
// The text and hash of already computed parts (equal to makeCacheKey on the same inputs).
CacheKey serializeCacheKey(const CacheKeyParts& parts);

// "0123…" 32 lowercase hex digits of the 128-bit hash (high 64 bits first).
std::string toHex(const XXH128_hash_t& hash);

}  // namespace edge::policies
