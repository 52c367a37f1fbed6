// What every worker's pipeline shares with the others: the loaded configuration, the one cache
// store (engine/cache/cache_store.h) and the edge clock (engine/admin/edge_clock.h). All three
// outlive the workers; the store and the clock are thread-safe, the config is read-only.
#pragma once

#include "engine/admin/edge_clock.h"
#include "engine/cache/cache_store.h"
#include "policies/config.h"

namespace edge::engine {

struct EdgeContext {
  const policies::Config& config;
  CacheStore& store;
  const EdgeClock& clock;
};

}  // namespace edge::engine
