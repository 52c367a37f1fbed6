// What every worker's pipeline shares with the others: the loaded configuration, the one cache
// store (engine/cache/cache_store.h), the edge clock (engine/admin/edge_clock.h) and the access
// log writer (engine/log/access_log_writer.h, null when Edge.AccessLog is off). All outlive the
// workers; the store, the clock and the log writer are thread-safe, the config is read-only.
#pragma once

#include "engine/admin/edge_clock.h"
#include "engine/cache/cache_store.h"
#include "engine/log/access_log_writer.h"
#include "policies/config.h"

namespace edge::engine {

struct EdgeContext {
  const policies::Config& config;
  CacheStore& store;
  const EdgeClock& clock;
  AccessLogWriter* access_log = nullptr;
};

}  // namespace edge::engine
