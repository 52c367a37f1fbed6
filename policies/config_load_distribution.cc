// DistributionConfig: distribution-level fields, Origins, OriginGroups, CustomErrorResponses.
// Behaviours are read by config_load_behavior.cc after the origins they target.
#include <algorithm>
#include <set>

#include "policies/config_load_internal.h"

namespace edge::policies::config_detail {

namespace {

// §13.2: names an origin custom header cannot set.
bool isForbiddenCustomHeader(std::string_view name) {
  static constexpr std::string_view kForbidden[] = {
      "Cache-Control", "Connection",        "Content-Length",   "Cookie",
      "Host",          "If-Match",          "If-Modified-Since", "If-None-Match",
      "If-Range",      "If-Unmodified-Since", "Max-Forwards",    "Pragma",
      "Proxy-Authorization", "Proxy-Connection", "Range",        "Request-Range",
      "TE",            "Trailer",           "Transfer-Encoding", "Upgrade",
      "Via",           "X-Real-Ip"};
  for (std::string_view f : kForbidden) {
    if (iequals(name, f)) return true;
  }
  const std::string lower = toLower(name);
  return lower.starts_with("x-amz-") || lower.starts_with("x-edge-");
}

void readCustomHeaders(ObjectReader& r, Origin& o) {
  const Json* list = r.find("CustomHeaders");
  if (list == nullptr) return;
  const std::string path = r.field("CustomHeaders");
  size_t total = 0;
  const auto items = readList(r.ctx(), *list, path);
  if (items.size() > 10) {
    r.ctx().fail(path, "at most 10 custom headers allowed (got " + std::to_string(items.size()) + ")");
  }
  for (const ListItem& item : items) {
    ObjectReader h(r.ctx(), *item.json, item.path);
    std::string name = h.requireString("HeaderName");
    std::string value = h.string("HeaderValue");
    h.finish();
    if (isForbiddenCustomHeader(name)) {
      r.ctx().fail(h.field("HeaderName"), inQuotes(name) + " cannot be set as an origin custom header");
    }
    if (name.size() > 256) r.ctx().fail(h.field("HeaderName"), "must be at most 256 characters");
    if (value.size() > 1783) r.ctx().fail(h.field("HeaderValue"), "must be at most 1783 characters");
    total += name.size() + value.size();
    o.custom_headers.add(std::move(name), std::move(value));
  }
  if (total > 10240) r.ctx().fail(path, "names and values must total at most 10240 characters");
}

uint16_t readOriginPort(ObjectReader& c, std::string_view key, uint16_t fallback) {
  const int64_t port = c.integer(key, fallback, 1, 65535);
  if (port != 80 && port != 443 && port < 1024) {
    c.ctx().fail(c.field(key), "must be 80, 443 or 1024-65535 (got " + std::to_string(port) + ")");
  }
  return static_cast<uint16_t>(port);
}

Origin loadOrigin(LoadContext& ctx, const ListItem& item) {
  ObjectReader r(ctx, *item.json, item.path);
  Origin o;
  o.id = r.requireString("Id");
  o.domain_name = r.requireString("DomainName");
  o.origin_path = r.string("OriginPath");
  if (!o.origin_path.empty()) {
    if (o.origin_path.front() != '/') ctx.fail(r.field("OriginPath"), "must start with '/'");
    if (o.origin_path.back() == '/') ctx.fail(r.field("OriginPath"), "must not end with '/'");
  }
  readCustomHeaders(r, o);
  o.connection_attempts = static_cast<int>(r.integer("ConnectionAttempts", 3, 1, 3));
  o.connection_timeout_s = static_cast<int>(r.integer("ConnectionTimeout", 10, 1, 10));
  o.origin_access_control_id = r.string("OriginAccessControlId");
  if (!o.origin_access_control_id.empty()) {
    const auto& oacs = ctx.config().origin_access_controls;
    const auto it = oacs.find(o.origin_access_control_id);
    if (it == oacs.end()) {
      ctx.fail(r.field("OriginAccessControlId"), "unknown origin access control " +
                                                     inQuotes(o.origin_access_control_id) +
                                                     " (not in OriginAccessControls)");
    } else if (it->second.signing_behavior != SigningBehavior::Never &&
               !ctx.config().edge.origin_access_credentials) {
      ctx.fail(r.field("OriginAccessControlId"),
               "origin access control " + inQuotes(o.origin_access_control_id) + " signs (" +
                   std::string(toString(it->second.signing_behavior)) +
                   ") but Edge.OriginAccessCredentials is not set");
    }
  }
  r.ignore({"OriginShield", "VpcOriginConfig"});
  const bool s3 = r.object("S3OriginConfig", [&](ObjectReader& s) {
    s.ignore({"OriginAccessIdentity"});
    o.read_timeout_s = static_cast<int>(s.integer("OriginReadTimeout", 30, 1, 120));
  });
  const bool custom = r.object("CustomOriginConfig", [&](ObjectReader& c) {
    o.http_port = readOriginPort(c, "HTTPPort", 80);
    o.https_port = readOriginPort(c, "HTTPSPort", 443);
    const std::string policy = c.string("OriginProtocolPolicy", "http-only");
    o.protocol_policy = static_cast<OriginProtocolPolicy>(oneOf(
        ctx, policy, c.field("OriginProtocolPolicy"), {"http-only", "https-only", "match-viewer"}));
    if (const Json* ssl = c.find("OriginSslProtocols")) {
      const std::string path = c.field("OriginSslProtocols");
      for (const ListItem& p : readList(ctx, *ssl, path)) {
        oneOf(ctx, asString(ctx, *p.json, p.path), p.path, {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"});
      }
    }
    o.read_timeout_s = static_cast<int>(c.integer("OriginReadTimeout", 30, 1, 120));
    o.keepalive_timeout_s = static_cast<int>(c.integer("OriginKeepaliveTimeout", 5, 1, 120));
    c.ignore({"IpAddressType", "OriginMtlsConfig"});
  });
  if (s3 && custom) {
    ctx.fail(r.field("CustomOriginConfig"), "must not be set together with S3OriginConfig");
  }
  o.is_s3 = s3;
  if (auto t = r.optInteger("ResponseCompletionTimeout", 1, 3600 * 24)) {
    if (*t < o.read_timeout_s) {
      ctx.fail(r.field("ResponseCompletionTimeout"), "must be >= OriginReadTimeout");
    }
    o.response_completion_timeout_s = static_cast<int>(*t);
  }
  r.finish();
  return o;
}

OriginGroup loadOriginGroup(LoadContext& ctx, const ListItem& item) {
  ObjectReader r(ctx, *item.json, item.path);
  OriginGroup g;
  g.id = r.requireString("Id");
  r.ignore({"SelectionCriteria"});
  r.requireObject("FailoverCriteria", [&](ObjectReader& f) {
    const std::string path = f.field("StatusCodes");
    for (const ListItem& code : readList(ctx, f.require("StatusCodes"), path)) {
      const int64_t c = asInteger(ctx, *code.json, code.path, 100, 599);
      static constexpr int kAllowed[] = {400, 403, 404, 416, 500, 502, 503, 504};  // §7.2
      if (std::find(std::begin(kAllowed), std::end(kAllowed), c) == std::end(kAllowed)) {
        ctx.fail(code.path, "must be one of 400, 403, 404, 416, 500, 502, 503, 504 (got " +
                                std::to_string(c) + ")");
      }
      g.failover_status_codes.push_back(static_cast<int>(c));
    }
    if (g.failover_status_codes.empty()) ctx.fail(path, "must list at least one status code");
  });
  const std::string members_path = r.field("Members");
  const auto members = readList(ctx, r.require("Members"), members_path);
  if (members.size() != 2) ctx.fail(members_path, "must have exactly two members (primary, secondary)");
  for (const ListItem& m : members) {
    ObjectReader mr(ctx, *m.json, m.path);
    std::string id = mr.requireString("OriginId");
    mr.finish();
    if (ctx.config().findOrigin(id) == nullptr) {
      ctx.fail(mr.field("OriginId"), "references unknown origin " + inQuotes(id));
    }
    g.member_origin_ids.push_back(std::move(id));
  }
  r.finish();
  return g;
}

CustomErrorResponse loadErrorResponse(LoadContext& ctx, const ListItem& item) {
  static constexpr int kErrorCodes[] = {400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504};
  const std::string kErrorList = "400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504";
  ObjectReader r(ctx, *item.json, item.path);
  CustomErrorResponse e;
  e.error_code = static_cast<int>(r.requireInteger("ErrorCode", 0, 999));
  if (std::find(std::begin(kErrorCodes), std::end(kErrorCodes), e.error_code) ==
      std::end(kErrorCodes)) {
    ctx.fail(r.field("ErrorCode"), "must be one of " + kErrorList + " (got " +
                                       std::to_string(e.error_code) + ")");
  }
  e.response_page_path = r.string("ResponsePagePath");
  // The API models ResponseCode as a string ("" when unset); accept a number too.
  if (const Json* code = r.find("ResponseCode")) {
    const std::string path = r.field("ResponseCode");
    int value = 0;
    if (code->is_string()) {
      const std::string& s = code->get_ref<const std::string&>();
      if (!s.empty()) {
        if (s.size() != 3 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          ctx.fail(path, "must be a status code (got " + inQuotes(s) + ")");
        }
        value = std::stoi(s);
      }
    } else {
      value = static_cast<int>(asInteger(ctx, *code, path, 0, 999));
    }
    if (value != 0) {
      if (value != 200 && std::find(std::begin(kErrorCodes), std::end(kErrorCodes), value) ==
                              std::end(kErrorCodes)) {
        ctx.fail(path, "must be one of 200, " + kErrorList + " (got " + std::to_string(value) + ")");
      }
      e.response_code = value;
    }
  }
  if (!e.response_page_path.empty() && e.response_page_path.front() != '/') {
    ctx.fail(r.field("ResponsePagePath"), "must start with '/'");
  }
  if (!e.response_page_path.empty() && !e.response_code) {
    ctx.fail(r.field("ResponseCode"), "required when ResponsePagePath is set");
  }
  if (e.response_page_path.empty() && e.response_code) {
    ctx.fail(r.field("ResponsePagePath"), "required when ResponseCode is set");
  }
  e.error_caching_min_ttl = r.optInteger("ErrorCachingMinTTL", 0, 3153600000);
  r.finish();
  return e;
}

// §1.6: object name, no leading '/', ≤ 255 chars, A-Z a-z 0-9 _ - . * $ / ~ " ' &.
void checkDefaultRootObject(LoadContext& ctx, const std::string& v, const std::string& path) {
  if (v.empty()) return;
  if (v.front() == '/') ctx.fail(path, "must not start with '/'");
  if (v.size() > 255) ctx.fail(path, "must be at most 255 characters");
  for (char c : v) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("_-.*$/~\"'&").find(c) != std::string_view::npos;
    if (!ok) ctx.fail(path, "contains invalid character '" + std::string(1, c) + "'");
  }
}

}  // namespace

void loadDistribution(LoadContext& ctx, const Json& j, const std::string& path) {
  ObjectReader r(ctx, j, path);
  Distribution& d = ctx.config().distribution;
  d.caller_reference = r.string("CallerReference");
  d.comment = r.string("Comment");
  if (d.comment.size() > 128) ctx.fail(r.field("Comment"), "must be at most 128 characters");
  d.enabled = r.boolean("Enabled", true);
  if (const Json* aliases = r.find("Aliases")) {
    d.aliases = readStringList(ctx, *aliases, r.field("Aliases"));
  }
  d.default_root_object = r.string("DefaultRootObject");
  checkDefaultRootObject(ctx, d.default_root_object, r.field("DefaultRootObject"));

  const std::string origins_path = r.field("Origins");
  const auto origins = readList(ctx, r.require("Origins"), origins_path);
  if (origins.empty()) ctx.fail(origins_path, "must contain at least one origin");
  std::set<std::string> ids;
  for (const ListItem& item : origins) {
    Origin o = loadOrigin(ctx, item);
    if (!ids.insert(o.id).second) ctx.fail(joinPath(item.path, "Id"), "duplicate origin Id " + inQuotes(o.id));
    d.origins.push_back(std::move(o));
  }
  if (const Json* groups = r.find("OriginGroups")) {
    for (const ListItem& item : readList(ctx, *groups, r.field("OriginGroups"))) {
      OriginGroup g = loadOriginGroup(ctx, item);
      if (!ids.insert(g.id).second) {
        ctx.fail(joinPath(item.path, "Id"), "duplicate origin or origin group Id " + inQuotes(g.id));
      }
      d.origin_groups.push_back(std::move(g));
    }
  }

  r.requireObject("DefaultCacheBehavior",
                  [&](ObjectReader& b) { loadBehavior(b, d.default_behavior, true); });
  if (const Json* list = r.find("CacheBehaviors")) {
    for (const ListItem& item : readList(ctx, *list, r.field("CacheBehaviors"))) {
      ObjectReader b(ctx, *item.json, item.path);
      d.behaviors.emplace_back();
      loadBehavior(b, d.behaviors.back(), false);
      b.finish();
    }
  }
  if (const Json* list = r.find("CustomErrorResponses")) {
    std::set<int> codes;
    for (const ListItem& item : readList(ctx, *list, r.field("CustomErrorResponses"))) {
      CustomErrorResponse e = loadErrorResponse(ctx, item);
      if (!codes.insert(e.error_code).second) {
        ctx.fail(joinPath(item.path, "ErrorCode"), "duplicate ErrorCode " + std::to_string(e.error_code));
      }
      d.custom_error_responses.push_back(std::move(e));
    }
  }
  d.price_class = r.string("PriceClass");
  if (!d.price_class.empty()) {
    oneOf(ctx, d.price_class, r.field("PriceClass"),
          {"PriceClass_100", "PriceClass_200", "PriceClass_All", "None"});
  }
  d.http_version = r.string("HttpVersion", "http2");
  oneOf(ctx, d.http_version, r.field("HttpVersion"), {"http1.1", "http2", "http3", "http2and3"});
  r.ignore({"Logging", "ViewerCertificate", "Restrictions", "WebACLId", "IsIPV6Enabled",
            "ContinuousDeploymentPolicyId", "Staging", "AnycastIpListId", "TenantConfig",
            "ConnectionMode", "ViewerMtlsConfig", "ConnectionFunctionAssociation",
            "CacheTagConfig"});
  r.finish();

  for (const auto& entry : ctx.config().edge.origin_address_overrides) {
    const std::string& domain = entry.first;  // not a structured binding: clang 14 can't capture one
    const bool used = std::any_of(d.origins.begin(), d.origins.end(),
                                  [&](const Origin& o) { return o.domain_name == domain; });
    if (!used) ctx.warn(joinPath("Edge.OriginAddressOverrides", domain), "matches no origin DomainName");
  }
}

}  // namespace edge::policies::config_detail
