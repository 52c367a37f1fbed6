// CacheInvalidator over the shared CacheStore (engine/cache/cache_store.h): what `edged serve`
// hands to the AdminServer once the store exists. Header-only so that engine/admin/ depends on
// the store only where this adapter is used.
#pragma once

#include <string_view>

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

 private:
  CacheStore& store_;
};

}  // namespace edge::engine
