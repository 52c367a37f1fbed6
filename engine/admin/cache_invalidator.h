// What the admin service needs from the cache to carry out an invalidation (§8), as an
// interface: the admin listener calls it, the shared cache store implements it (wired in
// `edged serve`), tests use a fake.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "policies/freshness.h"

namespace edge::engine {

// The paths of one invalidation batch, ready to test stored objects against (§8): case-sensitive
// and byte-exact; a trailing '*' matches any continuation ('/' and the query string included);
// without '*' only the identical path-and-query matches. Exact paths are looked up in a hash
// set and the (few, ≤ 15) wildcard prefixes scanned, so testing one object costs O(wildcards).
class InvalidationMatcher {
 public:
  // Each path must have passed policies::checkInvalidationPath. `issued_at_ms`: the EdgeClock
  // time of the invalidation (epoch ms).
  InvalidationMatcher(const std::vector<std::string>& paths, int64_t issued_at_ms);

  // `path_and_query`: the stored object's policies::CacheKeyParts::pathAndQuery(). Every header /
  // cookie / Accept-Encoding variant of an object shares it, so all variants match together.
  bool matches(std::string_view path_and_query) const;

  // §8 (emulator): an invalidation removes objects stored before this time; an object whose
  // origin response arrived later (a fill that was in flight) is not affected.
  int64_t issuedAtMs() const { return issued_at_ms_; }
  size_t pathCount() const { return exact_.size() + prefixes_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> exact_;
  std::vector<std::string> prefixes_;  // wildcard paths without their '*'
  int64_t issued_at_ms_ = 0;
};

// One stored object as the admin dashboard lists it (GET /cache/keys): copied out of the store,
// so it stays valid after the listing returns.
struct CacheEntrySummary {
  std::string key;    // the cache key text (policies/cache_key.h)
  std::string path;   // CacheKeyParts::pathAndQuery(): what invalidations match
  uint64_t hits = 0;  // hits the key served since it was stored (CacheStore::topEntries)
  int status = 0;     // stored response status
  uint64_t body_bytes = 0;
  uint64_t charge = 0;                  // what the object costs the cache's budget
  policies::StoredFreshness freshness;  // stored_at, ttl, …: the age and TTL left follow from it
  bool operator==(const CacheEntrySummary&) const = default;
};

class CacheInvalidator {
 public:
  virtual ~CacheInvalidator() = default;
  // Removes every stored object (every variant) the matcher matches and returns how many were
  // removed. Called on the admin thread while the workers keep serving: implementations must be
  // thread-safe. Synchronous: the invalidation is reported "Completed" once this returns.
  virtual size_t invalidate(const InvalidationMatcher& matcher) = 0;
  // GET /cache: the cache's gauges and counters as (name, value), in a fixed order. Called on the
  // admin thread while the workers serve: implementations must be thread-safe. Empty: no cache.
  virtual std::vector<std::pair<std::string, uint64_t>> counters() const { return {}; }
  // GET /cache/keys: the `limit` most-hit stored objects, most hits first. Admin thread, while
  // the workers serve: implementations must be thread-safe. Empty: no cache.
  virtual std::vector<CacheEntrySummary> topEntries(size_t /*limit*/) const { return {}; }
};

// For `edged serve` until a cache store exists: removes nothing.
class NullCacheInvalidator final : public CacheInvalidator {
 public:
  size_t invalidate(const InvalidationMatcher&) override { return 0; }
};

}  // namespace edge::engine
