#include "origin/s3/s3_config.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "origin/s3/s3_request.h"
#include "policies/config.h"

namespace edge::s3 {

namespace {

using nlohmann::json;

struct Ctx {
  std::string_view origin;
  tl::unexpected<std::string> fail(const std::string& field, std::string_view what) const {
    return tl::make_unexpected(std::string(origin) + ": " + field + ": " + std::string(what));
  }
};

tl::expected<void, std::string> onlyKnown(const Ctx& c, const json& obj, const std::string& where,
                                          std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : obj.items()) {
    bool ok = false;
    for (const auto k : known) ok = ok || name == k;
    if (!ok) return c.fail(where.empty() ? name : where + "." + name, "unknown field");
  }
  return {};
}

tl::expected<std::string, std::string> stringField(const Ctx& c, const json& obj, const char* name,
                                                   const std::string& where, bool required) {
  const std::string field = where.empty() ? name : where + "." + name;
  auto it = obj.find(name);
  if (it == obj.end()) {
    if (required) return c.fail(field, "missing");
    return std::string();
  }
  if (!it->is_string()) return c.fail(field, "must be a string");
  std::string v = it->get<std::string>();
  if (required && v.empty()) return c.fail(field, "must not be empty");
  return v;
}

tl::expected<void, std::string> parseBuckets(const Ctx& c, const json& arr, S3Config& cfg) {
  if (!arr.is_array()) return c.fail("Buckets", "must be an array");
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string where = "Buckets[" + std::to_string(i) + "]";
    const json& b = arr[i];
    if (!b.is_object()) return c.fail(where, "must be an object");
    if (auto r = onlyKnown(c, b, where, {"Name", "Access", "Versioning"}); !r) return r;
    BucketConfig bc;
    auto name = stringField(c, b, "Name", where, true);
    if (!name) return tl::make_unexpected(name.error());
    if (!validBucketName(*name)) {
      return c.fail(where + ".Name", "\"" + *name + "\" is not a valid S3 bucket name (3-63 of a-z 0-9 . -)");
    }
    for (const auto& other : cfg.buckets) {
      if (other.name == *name) return c.fail(where + ".Name", "\"" + *name + "\" is listed twice");
    }
    bc.name = std::move(*name);
    auto access = stringField(c, b, "Access", where, false);
    if (!access) return tl::make_unexpected(access.error());
    if (*access == "public-read") bc.access = BucketAccess::PublicRead;
    else if (access->empty() || *access == "private") bc.access = BucketAccess::Private;
    else return c.fail(where + ".Access", "must be \"private\" or \"public-read\"");
    if (b.contains("Versioning")) {
      auto v = stringField(c, b, "Versioning", where, true);
      if (!v) return tl::make_unexpected(v.error());
      if (*v == "Enabled") bc.versioning = Versioning::Enabled;
      else if (*v == "Suspended") bc.versioning = Versioning::Suspended;
      else return c.fail(where + ".Versioning", "must be \"Enabled\" or \"Suspended\"");
    }
    cfg.buckets.push_back(std::move(bc));
  }
  return {};
}

tl::expected<void, std::string> parseCredentials(const Ctx& c, const json& arr, S3Config& cfg) {
  if (!arr.is_array() || arr.empty()) return c.fail("Credentials", "must be a non-empty array");
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string where = "Credentials[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) return c.fail(where, "must be an object");
    if (auto r = onlyKnown(c, arr[i], where, {"AccessKeyId", "SecretAccessKey"}); !r) return r;
    auto id = stringField(c, arr[i], "AccessKeyId", where, true);
    if (!id) return tl::make_unexpected(id.error());
    auto secret = stringField(c, arr[i], "SecretAccessKey", where, true);
    if (!secret) return tl::make_unexpected(secret.error());
    for (const auto& other : cfg.credentials) {
      if (other.access_key_id == *id) return c.fail(where + ".AccessKeyId", "listed twice");
    }
    cfg.credentials.push_back({std::move(*id), std::move(*secret)});
  }
  return {};
}

}  // namespace

std::string_view toString(BucketAccess a) { return a == BucketAccess::PublicRead ? "public-read" : "private"; }

tl::expected<S3Config, std::string> parseS3Config(std::string_view text, std::string_view origin) {
  const Ctx c{origin};
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return c.fail("(document)", "not valid JSON");
  if (!doc.is_object()) return c.fail("(document)", "must be a JSON object");
  if (auto r = onlyKnown(c, doc, "", {"Listen", "DataDir", "Region", "Domain", "Credentials", "Buckets"}); !r) {
    return tl::make_unexpected(r.error());
  }
  S3Config cfg;
  if (doc.contains("Listen")) {
    auto v = stringField(c, doc, "Listen", "", true);
    if (!v) return tl::make_unexpected(v.error());
    if (!policies::parseListenAddress(*v)) return c.fail("Listen", "\"" + *v + "\" is not host:port");
    cfg.listen = std::move(*v);
  }
  auto data_dir = stringField(c, doc, "DataDir", "", false);
  if (!data_dir) return tl::make_unexpected(data_dir.error());
  cfg.data_dir = std::move(*data_dir);
  if (doc.contains("Region")) {
    auto v = stringField(c, doc, "Region", "", true);
    if (!v) return tl::make_unexpected(v.error());
    cfg.region = std::move(*v);
  }
  if (doc.contains("Domain")) {
    auto v = stringField(c, doc, "Domain", "", false);
    if (!v) return tl::make_unexpected(v.error());
    cfg.domain = policies::toLower(*v);
  }
  if (!doc.contains("Credentials")) return c.fail("Credentials", "missing (at least one access key is needed)");
  if (auto r = parseCredentials(c, doc["Credentials"], cfg); !r) return tl::make_unexpected(r.error());
  if (doc.contains("Buckets")) {
    if (auto r = parseBuckets(c, doc["Buckets"], cfg); !r) return tl::make_unexpected(r.error());
  }
  return cfg;
}

tl::expected<S3Config, std::string> loadS3Config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::make_unexpected(path + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseS3Config(ss.str(), path);
}

}  // namespace edge::s3
