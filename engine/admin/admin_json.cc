#include "engine/admin/admin_json.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <variant>

#include <nlohmann/json.hpp>

namespace edge::engine {

namespace {

using Json = nlohmann::json;

// Never throws: submitted strings were valid UTF-8 when parsed, and anything else is replaced.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json summary(const InvalidationRecord& r) {
  return Json{{"Id", r.id},
              {"CreateTime", formatIsoTime(r.create_time_ms)},
              {"Status", InvalidationRecord::kStatus},
              {"ObjectsInvalidated", r.objects_invalidated}};
}

}  // namespace

std::string formatIsoTime(int64_t epoch_ms) {
  const std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string invalidationJson(const InvalidationRecord& r) {
  Json inv = summary(r);
  inv["InvalidationBatch"] =
      Json{{"Paths", Json{{"Quantity", r.batch.paths.size()}, {"Items", r.batch.paths}}},
           {"CallerReference", r.batch.caller_reference}};
  return dump(Json{{"Invalidation", std::move(inv)}});
}

std::string invalidationListJson(const std::vector<const InvalidationRecord*>& items,
                                 size_t max_items, bool truncated) {
  Json list = Json::array();
  for (const InvalidationRecord* r : items) list.push_back(summary(*r));
  return dump(Json{{"InvalidationList", Json{{"Marker", ""},
                                             {"MaxItems", max_items},
                                             {"IsTruncated", truncated},
                                             {"Quantity", items.size()},
                                             {"Items", std::move(list)}}}});
}

std::string errorJson(const ApiError& e) {
  Json err{{"Code", e.code}, {"Message", e.toString()}};
  if (!e.field.empty()) err["Field"] = e.field;
  return dump(Json{{"Error", std::move(err)}});
}

std::string clockJson(int64_t now_ms, int64_t offset_seconds) {
  return dump(Json{{"NowSeconds", now_ms / 1000},
                   {"Now", formatIsoTime(now_ms)},
                   {"OffsetSeconds", offset_seconds}});
}

std::string cacheCountersJson(const std::vector<std::pair<std::string, uint64_t>>& counters) {
  // ordered_json keeps the order the cache gave (nlohmann's json sorts keys).
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const auto& [name, value] : counters) fields[name] = value;
  return nlohmann::ordered_json{{"Cache", fields}}.dump();
}

std::string statsJson(const MetricsSnapshot& s,
                      const std::vector<std::pair<std::string, uint64_t>>& cache_counters,
                      int64_t now_ms) {
  using Ordered = nlohmann::ordered_json;
  Ordered by_type = Ordered::object();
  uint64_t requests = 0;
  for (size_t t = 0; t < policies::kResultTypeCount; ++t) {
    uint64_t n = 0;
    for (uint64_t v : s.requests[t]) n += v;
    by_type[std::string(toString(static_cast<policies::ResultType>(t)))] = n;
    requests += n;
  }
  uint64_t fetches = 0;
  for (uint64_t v : s.origin_fetches) fetches += v;
  const uint64_t completed = s.origin_fetches[static_cast<size_t>(origin::FetchOutcome::Complete)];
  Ordered cache = Ordered::object();
  for (const auto& [name, value] : cache_counters) cache[name] = value;
  Ordered stats{{"NowMs", now_ms},
                {"Workers", s.workers},
                {"Requests", requests},
                {"ResultTypes", std::move(by_type)},
                {"OriginFetches", fetches},
                {"OriginFetchErrors", fetches - completed},
                {"BytesSent", s.bytes_sent},
                {"BytesReceived", s.bytes_received},
                {"OpenConnections",
                 s.connections_opened - std::min(s.connections_closed, s.connections_opened)},
                {"Cache", std::move(cache)}};
  return Ordered{{"Stats", std::move(stats)}}.dump();
}

std::string cacheKeysJson(const std::vector<CacheEntrySummary>& entries, size_t max_items,
                          int64_t now) {
  Json items = Json::array();
  for (const CacheEntrySummary& e : entries) {
    const policies::StoredFreshness& f = e.freshness;
    items.push_back(
        Json{{"Key", e.key},
             {"Path", e.path},
             {"Hits", e.hits},
             {"Status", e.status},
             {"BodyBytes", e.body_bytes},
             {"Charge", e.charge},
             {"StoredAt", formatIsoTime(f.stored_at * 1000)},
             {"AgeSeconds", policies::currentAge(f, now)},
             {"TtlSeconds", f.ttl},
             // Fresh while now − stored_at < ttl (policies/freshness.h).
             {"TtlLeftSeconds", f.stored_at + f.ttl - now},
             {"Freshness", std::string(toString(policies::evaluateFreshness(f, now).status))}});
  }
  return dump(Json{{"CacheKeys", Json{{"Now", formatIsoTime(now * 1000)},
                                      {"MaxItems", max_items},
                                      {"Quantity", entries.size()},
                                      {"Items", std::move(items)}}}});
}

std::string explanationJson(const policies::Explanation& e, const policies::ViewerRequest& viewer) {
  const std::string behavior =
      e.behavior_index ? "CacheBehaviors.Items[" + std::to_string(*e.behavior_index) + "]"
                       : std::string("DefaultCacheBehavior");
  return dump(Json{
      {"Explanation", Json{{"Request", viewer.method_name + " " + policies::requestTarget(viewer)},
                           {"Behavior", behavior},
                           {"PathPattern", e.path_pattern},
                           {"TargetOriginId", e.target_origin_id},
                           {"MethodAllowed", e.method_allowed},
                           {"CacheKey", e.key.text},
                           {"Cacheable", std::holds_alternative<policies::Cacheable>(e.ttl)},
                           {"Ttl", policies::describeTtlDecision(e.ttl)},
                           {"OriginUrl", e.origin_url},
                           {"Text", policies::formatExplanation(e, viewer)}}}});
}

}  // namespace edge::engine
