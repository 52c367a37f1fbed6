// Internal to the config loader (config_load*.cc): a load context that records warnings and a
// JSON object reader that tracks field paths and unknown members. Not for use outside policies/.
//
// Error handling: the loader throws LoadFailure (start-up only); parseConfig() catches it, and any
// nlohmann or std exception, and returns a ConfigError. Nothing escapes parseConfig().
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policies/config.h"

namespace edge::policies::config_detail {

using Json = nlohmann::json;

struct LoadFailure {
  std::string field;
  std::string message;
};

class LoadContext {
 public:
  LoadContext(std::string file, Config& config) : file_(std::move(file)), config_(config) {}
  [[noreturn]] void fail(std::string field, std::string message) const;
  // Records "file: field: message" in Config::warnings.
  void warn(std::string_view field, std::string_view message);
  const std::string& file() const { return file_; }
  Config& config() { return config_; }

 private:
  std::string file_;
  Config& config_;
};

// "a" + "b" → "a.b"; "" + "b" → "b".
std::string joinPath(std::string_view path, std::string_view key);
std::string indexPath(std::string_view path, size_t i);  // "a[3]"
std::string inQuotes(std::string_view s);                  // "\"s\""

// Reads members of one JSON object; members never asked for (by a getter or ignore()) are
// reported as unknown by finish(). A JSON null counts as absent.
class ObjectReader {
 public:
  ObjectReader(LoadContext& ctx, const Json& j, std::string path);  // fails unless j is an object
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  LoadContext& ctx() { return ctx_; }
  const std::string& path() const { return path_; }
  std::string field(std::string_view key) const { return joinPath(path_, key); }

  bool has(std::string_view key) const;
  const Json* find(std::string_view key);
  const Json& require(std::string_view key);
  std::optional<std::string> optString(std::string_view key);
  std::string string(std::string_view key, std::string fallback = "");
  std::string requireString(std::string_view key);  // present, a string, not empty
  bool boolean(std::string_view key, bool fallback);
  bool requireBool(std::string_view key);
  std::optional<int64_t> optInteger(std::string_view key, int64_t lo, int64_t hi);
  int64_t integer(std::string_view key, int64_t fallback, int64_t lo, int64_t hi);
  int64_t requireInteger(std::string_view key, int64_t lo, int64_t hi);
  // Reads a nested object (fails unless it is one); nullopt-like when absent → returns false.
  bool object(std::string_view key, const std::function<void(ObjectReader&)>& read);
  void requireObject(std::string_view key, const std::function<void(ObjectReader&)>& read);
  // Known API members that edged accepts but does not use.
  void ignore(std::initializer_list<std::string_view> keys);
  // Warns about every member not consumed. Call once, after reading.
  void finish();

 private:
  LoadContext& ctx_;
  const Json& j_;
  std::string path_;
  std::set<std::string, std::less<>> used_;
};

// Checks the JSON type of a value, failing with "must be a …".
const std::string& asString(LoadContext& ctx, const Json& j, const std::string& path);
int64_t asInteger(LoadContext& ctx, const Json& j, const std::string& path, int64_t lo, int64_t hi);
bool asBool(LoadContext& ctx, const Json& j, const std::string& path);

struct ListItem {
  const Json* json;
  std::string path;
};
// An API list: `{"Quantity": N, "Items": [...]}` (Items may be absent when N is 0) or a plain JSON
// array. `extra` reads other members of the object form (e.g. TrustedSigners.Enabled).
std::vector<ListItem> readList(LoadContext& ctx, const Json& j, const std::string& path,
                               const std::function<void(ObjectReader&)>& extra = {});
std::vector<std::string> readStringList(LoadContext& ctx, const Json& j, const std::string& path);

// One value of a fixed set, failing with "must be one of a, b, c (got "x")".
size_t oneOf(LoadContext& ctx, std::string_view value, const std::string& path,
             std::initializer_list<std::string_view> allowed);

// Legacy and cache-policy TTL defaults and ordering (§3.1). Reads MinTTL/DefaultTTL/MaxTTL from
// `r`; fails naming the offending field.
void readTtls(ObjectReader& r, bool min_required, int64_t& min_ttl, int64_t& default_ttl,
              int64_t& max_ttl);

// Per-file sections, in load order.
void loadResources(ObjectReader& root);  // CachePolicies … Functions (managed policies added first)
void loadEdge(LoadContext& ctx, const Json& j, const std::string& path);
void loadDistribution(LoadContext& ctx, const Json& j, const std::string& path);
void loadBehavior(ObjectReader& r, Behavior& b, bool is_default);

}  // namespace edge::policies::config_detail
