// JSON reading helpers for the config loader: typed getters that know their dotted field path.
#include <limits>

#include "policies/config_load_internal.h"

namespace edge::policies::config_detail {

void LoadContext::fail(std::string field, std::string message) const {
  throw LoadFailure{std::move(field), std::move(message)};
}

void LoadContext::warn(std::string_view field, std::string_view message) {
  std::string w = file_;
  w += ": ";
  if (!field.empty()) {
    w += field;
    w += ": ";
  }
  w += message;
  config_.warnings.push_back(std::move(w));
}

std::string joinPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string indexPath(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::string inQuotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

const std::string& asString(LoadContext& ctx, const Json& j, const std::string& path) {
  if (!j.is_string()) ctx.fail(path, "must be a string");
  return j.get_ref<const std::string&>();
}

int64_t asInteger(LoadContext& ctx, const Json& j, const std::string& path, int64_t lo,
                  int64_t hi) {
  if (!j.is_number_integer()) ctx.fail(path, "must be an integer");
  int64_t v = 0;
  if (j.is_number_unsigned()) {
    const uint64_t u = j.get<uint64_t>();
    v = u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
            ? std::numeric_limits<int64_t>::max()
            : static_cast<int64_t>(u);
  } else {
    v = j.get<int64_t>();
  }
  if (v < lo || v > hi) {
    if (hi == std::numeric_limits<int64_t>::max()) {
      ctx.fail(path, "must be at least " + std::to_string(lo) + " (got " + j.dump() + ")");
    }
    ctx.fail(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                       " (got " + j.dump() + ")");
  }
  return v;
}

bool asBool(LoadContext& ctx, const Json& j, const std::string& path) {
  if (!j.is_boolean()) ctx.fail(path, "must be a boolean");
  return j.get<bool>();
}

ObjectReader::ObjectReader(LoadContext& ctx, const Json& j, std::string path)
    : ctx_(ctx), j_(j), path_(std::move(path)) {
  if (!j_.is_object()) ctx_.fail(path_, "must be an object");
}

bool ObjectReader::has(std::string_view key) const {
  const auto it = j_.find(key);
  return it != j_.end() && !it->is_null();
}

const Json* ObjectReader::find(std::string_view key) {
  used_.emplace(key);
  const auto it = j_.find(key);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json& ObjectReader::require(std::string_view key) {
  const Json* j = find(key);
  if (j == nullptr) ctx_.fail(field(key), "required field missing");
  return *j;
}

std::optional<std::string> ObjectReader::optString(std::string_view key) {
  const Json* j = find(key);
  if (j == nullptr) return std::nullopt;
  return asString(ctx_, *j, field(key));
}

std::string ObjectReader::string(std::string_view key, std::string fallback) {
  auto v = optString(key);
  return v ? std::move(*v) : std::move(fallback);
}

std::string ObjectReader::requireString(std::string_view key) {
  const std::string& v = asString(ctx_, require(key), field(key));
  if (v.empty()) ctx_.fail(field(key), "must not be empty");
  return v;
}

bool ObjectReader::boolean(std::string_view key, bool fallback) {
  const Json* j = find(key);
  return j == nullptr ? fallback : asBool(ctx_, *j, field(key));
}

bool ObjectReader::requireBool(std::string_view key) {
  return asBool(ctx_, require(key), field(key));
}

std::optional<int64_t> ObjectReader::optInteger(std::string_view key, int64_t lo, int64_t hi) {
  const Json* j = find(key);
  if (j == nullptr) return std::nullopt;
  return asInteger(ctx_, *j, field(key), lo, hi);
}

int64_t ObjectReader::integer(std::string_view key, int64_t fallback, int64_t lo, int64_t hi) {
  return optInteger(key, lo, hi).value_or(fallback);
}

int64_t ObjectReader::requireInteger(std::string_view key, int64_t lo, int64_t hi) {
  return asInteger(ctx_, require(key), field(key), lo, hi);
}

bool ObjectReader::object(std::string_view key, const std::function<void(ObjectReader&)>& read) {
  const Json* j = find(key);
  if (j == nullptr) return false;
  ObjectReader sub(ctx_, *j, field(key));
  read(sub);
  sub.finish();
  return true;
}

void ObjectReader::requireObject(std::string_view key,
                                 const std::function<void(ObjectReader&)>& read) {
  if (!object(key, read)) ctx_.fail(field(key), "required field missing");
}

void ObjectReader::ignore(std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) used_.emplace(k);
}

void ObjectReader::finish() {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (used_.find(it.key()) == used_.end()) ctx_.warn(field(it.key()), "unknown field, ignored");
  }
}

std::vector<ListItem> readList(LoadContext& ctx, const Json& j, const std::string& path,
                               const std::function<void(ObjectReader&)>& extra) {
  std::vector<ListItem> out;
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) out.push_back({&j[i], indexPath(path, i)});
    return out;
  }
  if (!j.is_object()) ctx.fail(path, "must be an array or {\"Quantity\", \"Items\"}");
  ObjectReader r(ctx, j, path);
  const int64_t quantity = r.requireInteger("Quantity", 0, std::numeric_limits<int32_t>::max());
  const std::string items_path = r.field("Items");
  if (const Json* items = r.find("Items")) {
    if (!items->is_array()) ctx.fail(items_path, "must be an array");
    for (size_t i = 0; i < items->size(); ++i) {
      out.push_back({&(*items)[i], indexPath(items_path, i)});
    }
  }
  if (static_cast<size_t>(quantity) != out.size()) {
    ctx.fail(r.field("Quantity"), "is " + std::to_string(quantity) + " but Items has " +
                                      std::to_string(out.size()) + " entries");
  }
  if (extra) extra(r);
  r.finish();
  return out;
}

std::vector<std::string> readStringList(LoadContext& ctx, const Json& j, const std::string& path) {
  std::vector<std::string> out;
  for (const ListItem& item : readList(ctx, j, path)) {
    out.push_back(asString(ctx, *item.json, item.path));
  }
  return out;
}

size_t oneOf(LoadContext& ctx, std::string_view value, const std::string& path,
             std::initializer_list<std::string_view> allowed) {
  size_t i = 0;
  std::string list;
  for (std::string_view a : allowed) {
    if (a == value) return i;
    if (!list.empty()) list += ", ";
    list += a;
    ++i;
  }
  ctx.fail(path, "must be one of " + list + " (got " + inQuotes(value) + ")");
}

void readTtls(ObjectReader& r, bool min_required, int64_t& min_ttl, int64_t& default_ttl,
              int64_t& max_ttl) {
  constexpr int64_t kMaxTtl = 3153600000;  // 100 years (§3.1)
  min_ttl = min_required ? r.requireInteger("MinTTL", 0, kMaxTtl) : r.integer("MinTTL", 0, 0, kMaxTtl);
  // The API's defaults: DefaultTTL = max(86400, MinTTL), MaxTTL = max(31536000, DefaultTTL).
  default_ttl = r.integer("DefaultTTL", std::max<int64_t>(86400, min_ttl), 0, kMaxTtl);
  max_ttl = r.integer("MaxTTL", std::max<int64_t>(31536000, default_ttl), 0, kMaxTtl);
  if (default_ttl < min_ttl) {
    r.ctx().fail(r.field("DefaultTTL"),
                 "must be >= MinTTL (" + std::to_string(default_ttl) + " < " +
                     std::to_string(min_ttl) + ")");
  }
  if (max_ttl < default_ttl) {
    r.ctx().fail(r.field("MaxTTL"),
                 "must be >= DefaultTTL (" + std::to_string(max_ttl) + " < " +
                     std::to_string(default_ttl) + ")");
  }
}

}  // namespace edge::policies::config_detail
