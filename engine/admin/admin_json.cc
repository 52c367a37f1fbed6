#include "engine/admin/admin_json.h"

#include <cstdio>
#include <ctime>

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

}  // namespace edge::engine
