// CacheInvalidator over the shared CacheStore (engine/cache/cache_store.h): what `edged serve`
// hands to the AdminServer once the store exists. Header-only so that engine/admin/ depends on
// the store only where this adapter is used.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/admin/cache_invalidator.h"
#include "engine/cache/cache_store.h"

namespace edge::engine {

class StoreInvalidator final : public CacheInvalidator {
 public:
  explicit StoreInvalidator(CacheStore& store) : store_(store) {}

  // Admin thread. CacheStore::invalidate is thread-safe; the matcher runs under its shard
  // mutexes and touches nothing but itself.
  size_t invalidate(const InvalidationMatcher& matcher) override {
    return store_.invalidate([&](std::string_view path) { return matcher.matches(path); });
  }

  // Admin thread. CacheStore::stats sums the shards' relaxed atomic counters (no lock), so the
  // figures of different shards may be a few operations apart.
  std::vector<std::pair<std::string, uint64_t>> counters() const override {
    const CacheStats s = store_.stats();
    return {{"BudgetBytes", store_.shardBudget() * store_.shardCount()},
            {"Bytes", s.bytes},
            {"Objects", s.objects},
            {"FillsInFlight", s.fills_inflight},
            {"Hits", s.hits},
            {"Misses", s.misses},
            {"Inserts", s.inserts},
            {"Evictions", s.evictions},
            {"Erased", s.erased},
            {"Fills", s.fills},
            {"Collapsed", s.collapsed},
            {"FillFailures", s.fill_failures},
            {"TooLarge", s.too_large}};
  }

  // Admin thread. CacheStore::topEntries walks each shard under its mutex in turn; the copies
  // below are made after every mutex is released.
  std::vector<CacheEntrySummary> topEntries(size_t limit) const override {
    std::vector<CacheEntrySummary> out;
    for (const StoredEntry& e : store_.topEntries(limit)) {
      const CachedObject& o = *e.object;
      out.push_back(
          {o.keyText(), o.path(), e.hits, o.status(), o.bodyBytes(), o.charge(), o.freshness()});
    }
    return out;
  }

 private:
  CacheStore& store_;
};

}  // namespace edge::engine
