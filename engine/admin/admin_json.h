// JSON bodies of the admin API, in CloudFront's response shapes ([API:Invalidation],
// [API:InvalidationList]) plus edged's own small extensions (named below). No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/admin/invalidation_batch.h"
#include "engine/admin/invalidation_registry.h"

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

}  // namespace edge::engine
