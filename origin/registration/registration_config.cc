// The config file's checks (README.md, "Config"). Every error names the file and the field path
// ("Conference.Sessions[1].Id"), so a wrong file is fixed in one look.
#include "origin/registration/registration_config.h"

#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policies/config.h"

namespace edge::registration {

namespace {

using nlohmann::json;
using Fail = tl::unexpected<std::string>;

struct Ctx {
  std::string origin;
  Fail fail(const std::string& field, std::string_view what) const {
    return tl::make_unexpected(origin + ": " + field + ": " + std::string(what));
  }
};

std::string join(const std::string& where, std::string_view name) {
  return where.empty() ? std::string(name) : where + "." + std::string(name);
}

tl::expected<void, std::string> onlyKnown(const Ctx& c, const json& obj, const std::string& where,
                                          std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : obj.items()) {
    bool ok = false;
    for (const auto k : known) ok = ok || name == k;
    if (!ok) return c.fail(join(where, name), "unknown field");
  }
  return {};
}

tl::expected<const json*, std::string> objectField(const Ctx& c, const json& obj, const char* name,
                                                   const std::string& where, bool required) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    if (required) return c.fail(join(where, name), "missing");
    return nullptr;
  }
  if (!it->is_object()) return c.fail(join(where, name), "must be an object");
  return &*it;
}

// A string field; absent → `fallback` unless required. Present strings must not be empty.
tl::expected<std::string, std::string> stringField(const Ctx& c, const json& obj, const char* name,
                                                   const std::string& where, bool required,
                                                   const std::string& fallback = {}) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    if (required) return c.fail(join(where, name), "missing");
    return fallback;
  }
  if (!it->is_string()) return c.fail(join(where, name), "must be a string");
  std::string v = it->get<std::string>();
  if (v.empty()) return c.fail(join(where, name), "must not be empty");
  return v;
}

// "scheme://host[:port]" with scheme http or https, no path, query or userinfo.
bool validOrigin(const std::string& o) {
  size_t rest;
  if (o.rfind("http://", 0) == 0) rest = 7;
  else if (o.rfind("https://", 0) == 0) rest = 8;
  else return false;
  const std::string hostport = o.substr(rest);
  if (hostport.empty()) return false;
  for (char ch : hostport) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '-' || ch == ':' || ch == '[' || ch == ']';
    if (!ok) return false;
  }
  if (hostport.front() == ':') return false;
  const size_t colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.back() != ']') {
    const std::string port = hostport.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char ch : port)
      if (ch < '0' || ch > '9') return false;
    if (std::stoi(port) > 65535) return false;
  }
  return true;
}

tl::expected<void, std::string> parseConference(const Ctx& c, const json& conf, RegistrationConfig& cfg) {
  if (auto r = onlyKnown(c, conf, "Conference", {"Name", "Sessions"}); !r) return r;
  auto name = stringField(c, conf, "Name", "Conference", true);
  if (!name) return Fail(name.error());
  cfg.conference_name = std::move(*name);
  auto it = conf.find("Sessions");
  if (it == conf.end()) return c.fail("Conference.Sessions", "missing");
  if (!it->is_array() || it->empty()) return c.fail("Conference.Sessions", "must be a non-empty array");
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string where = "Conference.Sessions[" + std::to_string(i) + "]";
    const json& s = (*it)[i];
    if (!s.is_object()) return c.fail(where, "must be an object");
    if (auto r = onlyKnown(c, s, where, {"Id", "Title"}); !r) return r;
    auto id = stringField(c, s, "Id", where, true);
    if (!id) return Fail(id.error());
    if (cfg.findSession(*id)) return c.fail(where + ".Id", "\"" + *id + "\" is listed twice");
    auto title = stringField(c, s, "Title", where, true);
    if (!title) return Fail(title.error());
    cfg.sessions.push_back({std::move(*id), std::move(*title)});
  }
  return {};
}

tl::expected<void, std::string> parseCertificates(const Ctx& c, const json& o, CertificateTarget& t) {
  const std::string w = "Certificates";
  if (auto r = onlyKnown(c, o, w,
                         {"Endpoint", "Bucket", "KeyPrefix", "Region", "AccessKeyId", "SecretAccessKey", "UrlPrefix"});
      !r) {
    return r;
  }
  auto endpoint = stringField(c, o, "Endpoint", w, true);
  if (!endpoint) return Fail(endpoint.error());
  if (!policies::parseListenAddress(*endpoint)) return c.fail(w + ".Endpoint", "\"" + *endpoint + "\" is not host:port");
  t.endpoint = std::move(*endpoint);
  auto bucket = stringField(c, o, "Bucket", w, true);
  if (!bucket) return Fail(bucket.error());
  t.bucket = std::move(*bucket);
  auto prefix = stringField(c, o, "KeyPrefix", w, false, t.key_prefix);
  if (!prefix) return Fail(prefix.error());
  if (prefix->front() == '/') return c.fail(w + ".KeyPrefix", "must not start with '/'");
  t.key_prefix = std::move(*prefix);
  auto region = stringField(c, o, "Region", w, false, t.region);
  if (!region) return Fail(region.error());
  t.region = std::move(*region);
  auto akid = stringField(c, o, "AccessKeyId", w, true);
  if (!akid) return Fail(akid.error());
  t.access_key_id = std::move(*akid);
  auto secret = stringField(c, o, "SecretAccessKey", w, true);
  if (!secret) return Fail(secret.error());
  t.secret_access_key = std::move(*secret);
  auto url_prefix = stringField(c, o, "UrlPrefix", w, false, t.url_prefix);
  if (!url_prefix) return Fail(url_prefix.error());
  if (url_prefix->front() != '/') return c.fail(w + ".UrlPrefix", "must start with '/'");
  t.url_prefix = std::move(*url_prefix);
  return {};
}

tl::expected<void, std::string> parseSignedCookies(const Ctx& c, const json& o, RegistrationConfig& cfg) {
  const std::string w = "SignedCookies";
  if (auto r = onlyKnown(c, o, w, {"KeyPairId", "PrivateKeyFile", "TtlSeconds"}); !r) return r;
  SignedCookieSettings s;
  auto id = stringField(c, o, "KeyPairId", w, true);
  if (!id) return Fail(id.error());
  s.key_pair_id = std::move(*id);
  auto file = stringField(c, o, "PrivateKeyFile", w, true);
  if (!file) return Fail(file.error());
  s.private_key_file = std::move(*file);
  if (auto it = o.find("TtlSeconds"); it != o.end()) {
    if (!it->is_number_integer()) return c.fail(w + ".TtlSeconds", "must be an integer");
    const int64_t ttl = it->get<int64_t>();
    if (ttl < 1 || ttl > 604800) return c.fail(w + ".TtlSeconds", "must be 1..604800 (seconds)");
    s.ttl_seconds = ttl;
  }
  cfg.signed_cookies = std::move(s);
  return {};
}

tl::expected<void, std::string> parseOriginVerify(const Ctx& c, const json& o, RegistrationConfig& cfg) {
  const std::string w = "OriginVerifyHeader";
  if (auto r = onlyKnown(c, o, w, {"Name", "Value"}); !r) return r;
  auto name = stringField(c, o, "Name", w, true);
  if (!name) return Fail(name.error());
  for (char ch : *name) {
    const bool tchar = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                       std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
    if (!tchar) return c.fail(w + ".Name", "\"" + *name + "\" is not a header name");
  }
  auto value = stringField(c, o, "Value", w, true);
  if (!value) return Fail(value.error());
  cfg.origin_verify = OriginVerifyHeader{std::move(*name), std::move(*value)};
  return {};
}

}  // namespace

tl::expected<RegistrationConfig, std::string> parseRegistrationConfig(const std::string& json_text,
                                                                      const std::string& origin) {
  const Ctx c{origin};
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return c.fail("(document)", "not valid JSON");
  if (!doc.is_object()) return c.fail("(document)", "must be a JSON object");
  if (auto r = onlyKnown(c, doc, "",
                         {"Listen", "Database", "AllowedOrigins", "Conference", "Certificates", "SignedCookies",
                          "OriginVerifyHeader"});
      !r) {
    return Fail(r.error());
  }
  RegistrationConfig cfg;
  auto listen = stringField(c, doc, "Listen", "", false, cfg.listen);
  if (!listen) return Fail(listen.error());
  if (!policies::parseListenAddress(*listen)) return c.fail("Listen", "\"" + *listen + "\" is not host:port");
  cfg.listen = std::move(*listen);
  auto database = stringField(c, doc, "Database", "", false);
  if (!database) return Fail(database.error());
  cfg.database = std::move(*database);

  if (auto it = doc.find("AllowedOrigins"); it != doc.end()) {
    if (!it->is_array()) return c.fail("AllowedOrigins", "must be an array of \"scheme://host[:port]\"");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string where = "AllowedOrigins[" + std::to_string(i) + "]";
      const json& o = (*it)[i];
      if (!o.is_string()) return c.fail(where, "must be a string");
      const std::string v = o.get<std::string>();
      if (!validOrigin(v)) return c.fail(where, "\"" + v + "\" is not scheme://host[:port] (http or https)");
      cfg.allowed_origins.push_back(v);
    }
  }

  auto conf = objectField(c, doc, "Conference", "", true);
  if (!conf) return Fail(conf.error());
  if (auto r = parseConference(c, **conf, cfg); !r) return Fail(r.error());
  auto certs = objectField(c, doc, "Certificates", "", true);
  if (!certs) return Fail(certs.error());
  if (auto r = parseCertificates(c, **certs, cfg.certificates); !r) return Fail(r.error());
  auto cookies = objectField(c, doc, "SignedCookies", "", false);
  if (!cookies) return Fail(cookies.error());
  if (*cookies) {
    if (auto r = parseSignedCookies(c, **cookies, cfg); !r) return Fail(r.error());
  }
  auto verify = objectField(c, doc, "OriginVerifyHeader", "", false);
  if (!verify) return Fail(verify.error());
  if (*verify) {
    if (auto r = parseOriginVerify(c, **verify, cfg); !r) return Fail(r.error());
  }
  return cfg;
}

tl::expected<RegistrationConfig, std::string> loadRegistrationConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::make_unexpected(path + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseRegistrationConfig(ss.str(), path);
}

}  // namespace edge::registration
