// Is a stored object usable now (§3.2 step 5, §3.4–§3.7, §3.9)? Pure: `now` is passed in
// (epoch seconds), as is everything about the stored object. Called by the engine on every
// lookup hit and when a revalidation fails. Also the headers of a revalidation request and the
// merge of a 304 into the stored headers (§3.6).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>

#include "policies/http_types.h"
#include "policies/ttl.h"

namespace edge::policies {

// What the store keeps about an object's freshness (filled from the TtlDecision and the stored
// response headers).
struct StoredFreshness {
  int64_t stored_at = 0;     // epoch s the response (or the 304 that refreshed it) was received
  int64_t age_at_store = 0;  // the origin's Age header at that time (§3.9), 0 when absent/invalid
  int64_t ttl = 0;           // Cacheable::ttl_seconds
  int64_t stale_while_revalidate = 0;     // Cacheable::stale_while_revalidate
  std::optional<int64_t> stale_if_error;  // Cacheable::stale_if_error
  bool has_validators = false;            // the stored response has an ETag or a Last-Modified
  // Conditional requests to the origin are allowed: false for Vary: * with MinTTL 0
  // (Cacheable::conditional_revalidation, §3.8) and when the behaviour forwards cookies
  // (legacy, §2.8 "not supported when cookies are forwarded").
  bool conditional_revalidation = true;
  bool operator==(const StoredFreshness&) const = default;
};
std::ostream& operator<<(std::ostream& os, const StoredFreshness& m);

// Builds the record from a Cacheable decision and the stored headers (Age, ETag,
// Last-Modified). `cookies_forwarded_legacy`: the behaviour uses ForwardedValues with cookies.
StoredFreshness makeStoredFreshness(const Cacheable& decision, const HeaderList& response_headers,
                                    int64_t received_at, bool cookies_forwarded_legacy);

enum class Usability : uint8_t {
  Fresh,                 // serve from cache, no origin contact (X-Cache Hit)
  StaleWhileRevalidate,  // serve the stale copy now and revalidate in the background (§3.7)
  MustRevalidate,        // stale: ask the origin with If-None-Match / If-Modified-Since (§3.6)
  Expired,               // stale without usable validators: fetch the whole object again
};
std::string_view toString(Usability u);
inline std::ostream& operator<<(std::ostream& os, Usability u) { return os << toString(u); }

struct CacheEntryUsability {
  Usability status = Usability::Expired;
  int64_t age = 0;  // the Age header to send (§3.9)
  bool operator==(const CacheEntryUsability&) const = default;
};
std::ostream& operator<<(std::ostream& os, const CacheEntryUsability& u);

// §3.9 (recommended): Age = floor(now − stored_at) + origin Age at store; never negative (a
// clock that stepped back counts as 0 s resident).
int64_t currentAge(const StoredFreshness& meta, int64_t now);

// Freshness counts from when the response was received (§3.2 step 5): fresh while
// now − stored_at < ttl. The origin's Age only feeds the Age header, so MinTTL's "cached for Min
// seconds" holds even for an object that arrived with a large Age (inf, UNCONFIRMED). Then the
// stale-while-revalidate window [ttl, ttl + swr), then MustRevalidate when validators can be
// used, else Expired.
CacheEntryUsability evaluateFreshness(const StoredFreshness& meta, int64_t now);

// The origin's answer to a revalidation / refetch of a stale object.
struct OriginOutcome {
  int status = 0;  // HTTP status; 0 = no usable response (connect failure, timeout, reset)
};

struct StaleOnError {
  bool serve_stale = false;
  // With serve_stale: serve the stale copy without asking the origin again for this long
  // (§3.4: ErrorCachingMinTTL of the failing status, 10 s by default).
  int64_t hold_seconds = 0;
  bool operator==(const StaleOnError&) const = default;
};
std::ostream& operator<<(std::ostream& os, const StaleOnError& s);

// §3.4, §3.5, §3.7: may a stale object answer a failed revalidation?
//  * 4xx (or any non-error status) → no: the origin's answer goes to the viewer;
//  * stale-if-error=0 → no (§3.5 doc; applied to the built-in fallback too, inf);
//  * stale-if-error=N → yes for 500/502/503/504 or no response while now < expiry + N (§3.7);
//  * no stale-if-error → yes for any 5xx or no response, however long ago it expired (built-in
//    §3.4, bounded only by eviction).
// `error_caching_min_ttl` is errorCachingMinTtl() for the failing status (use 502 for "no
// response"). Precondition: the object is stale (not Fresh).
StaleOnError decideStaleOnError(const StoredFreshness& meta, int64_t now, OriginOutcome outcome,
                                int64_t error_caching_min_ttl);

// §3.6: the validators for a revalidation request, copied verbatim from the stored response:
// If-None-Match from ETag, If-Modified-Since from Last-Modified. Empty when there are none.
HeaderList revalidationHeaders(const HeaderList& stored_response_headers);

// §3.6 (inf, RFC 9111 §3.2): a 304 refreshes the stored headers: each field the 304 carries
// replaces the stored fields of that name, except framing and hop-by-hop fields
// (Content-Length, Transfer-Encoding, Connection, …) and Content-Encoding / Content-Range, which
// describe the stored body.
void updateStoredHeaders(HeaderList& stored, const HeaderList& not_modified);

}  // namespace edge::policies
