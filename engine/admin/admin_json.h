// JSON bodies of the admin API, in CloudFront's response shapes ([API:Invalidation],
// [API:InvalidationList]) plus edged's own small extensions (named below). No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/admin/cache_invalidator.h"
#include "engine/admin/invalidation_batch.h"
#include "engine/admin/invalidation_registry.h"
#include "engine/metrics/metrics_format.h"
#include "policies/explain.h"

namespace edge::engine {

// "2026-03-01T12:00:00.000Z" (UTC, milliseconds), as the AWS CLI prints CreateTime.
std::string formatIsoTime(int64_t epoch_ms);

// {"Invalidation": {"Id", "Status", "CreateTime", "InvalidationBatch": {"Paths": {"Quantity",
// "Items"}, "CallerReference"}, "ObjectsInvalidated" (edged)}}
std::string invalidationJson(const InvalidationRecord& r);

// {"InvalidationList": {"Marker": "", "MaxItems", "IsTruncated", "Quantity", "Items": [{"Id",
// "CreateTime", "Status", "ObjectsInvalidated" (edged)}, …]}}, newest first.
std::string invalidationListJson(const std::vector<const InvalidationRecord*>& items,
                                 size_t max_items, bool truncated);

// {"Error": {"Code", "Message", "Field" (edged; omitted when empty)}}. Message is
// ApiError::toString(), so it names the field too.
std::string errorJson(const ApiError& e);

// {"NowSeconds", "Now" (ISO time), "OffsetSeconds"}: the test clock after a change.
std::string clockJson(int64_t now_ms, int64_t offset_seconds);

// {"Cache": {name: value, …}} in the given order (GET /cache).
std::string cacheCountersJson(const std::vector<std::pair<std::string, uint64_t>>& counters);

// GET /stats (edged), what the dashboard polls: {"Stats": {"NowMs", "Workers", "Requests",
// "ResultTypes": {"Hit", "RefreshHit", "Miss", …} (every status class summed), "OriginFetches",
// "OriginFetchErrors" (fetches that did not complete), "BytesSent", "BytesReceived",
// "OpenConnections", "Cache": {the cache's counters, as GET /cache}}}. Counters are monotonic:
// rates come from differences between two polls.
std::string statsJson(const MetricsSnapshot& s,
                      const std::vector<std::pair<std::string, uint64_t>>& cache_counters,
                      int64_t now_ms);

// GET /cache/keys (edged): {"CacheKeys": {"Now", "MaxItems", "Quantity", "Items": [{"Key",
// "Path", "Hits", "Status", "BodyBytes", "Charge", "StoredAt", "AgeSeconds", "TtlSeconds",
// "TtlLeftSeconds" (negative once stale), "Freshness" ("fresh", "expired", …:
// policies::Usability)}, …]}}, in the given order. `now`: epoch seconds (the edge clock).
std::string cacheKeysJson(const std::vector<CacheEntrySummary>& entries, size_t max_items,
                          int64_t now);

// GET /explain (edged): {"Explanation": {"Request", "Behavior", "PathPattern", "TargetOriginId",
// "MethodAllowed", "CacheKey", "Cacheable", "Ttl", "OriginUrl", "Text"}}; Text is what
// `edged explain` prints.
std::string explanationJson(const policies::Explanation& e, const policies::ViewerRequest& viewer);

}  // namespace edge::engine
