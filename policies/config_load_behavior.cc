// DefaultCacheBehavior and CacheBehaviors.Items[i]: path pattern, target origin, methods,
// viewer protocol policy, policy references or legacy ForwardedValues + TTLs, signers, functions.
#include <algorithm>

#include "policies/config_load_internal.h"

namespace edge::policies::config_detail {

namespace {

using M = Method;

std::string methodList(const std::vector<Method>& methods) {
  std::string out = "[";
  for (Method m : methods) {
    if (out.size() > 1) out += ", ";
    out += toString(m);
  }
  return out + "]";
}

// §1.2: ≤ 255 chars of A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + & and the wildcard '?'. The API
// passes '&' as "&amp;"; decode it so matching sees the real character.
std::string readPathPattern(ObjectReader& r) {
  std::string p = r.requireString("PathPattern");
  for (size_t at = p.find("&amp;"); at != std::string::npos; at = p.find("&amp;", at + 1)) {
    p.replace(at, 5, "&");
  }
  if (p.size() > 255) r.ctx().fail(r.field("PathPattern"), "must be at most 255 characters");
  for (char c : p) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("_-.*$/~\"'@:+&?").find(c) != std::string_view::npos;
    if (!ok) {
      r.ctx().fail(r.field("PathPattern"), "contains invalid character '" + std::string(1, c) + "'");
    }
  }
  return p;
}

std::vector<Method> readMethods(LoadContext& ctx, const std::vector<ListItem>& items) {
  std::vector<Method> out;
  for (const ListItem& item : items) {
    const std::string& name = asString(ctx, *item.json, item.path);
    const Method m = parseMethod(name);
    if (m == Method::Other) ctx.fail(item.path, "unknown method " + inQuotes(name));
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// §1.3: exactly the three allowed sets and two cached sets; stored in canonical order.
void readAllowedMethods(ObjectReader& r, Behavior& b) {
  const Json* j = r.find("AllowedMethods");
  if (j == nullptr) return;
  const std::string path = r.field("AllowedMethods");
  LoadContext& ctx = r.ctx();
  std::optional<std::vector<Method>> cached;
  std::string cached_path = joinPath(path, "CachedMethods");
  const auto items = readList(ctx, *j, path, [&](ObjectReader& a) {
    if (const Json* c = a.find("CachedMethods")) cached = readMethods(ctx, readList(ctx, *c, cached_path));
  });
  const std::vector<Method> allowed = readMethods(ctx, items);
  const std::vector<std::vector<Method>> kAllowedSets = {
      {M::Get, M::Head},
      {M::Get, M::Head, M::Options},
      {M::Get, M::Head, M::Options, M::Put, M::Post, M::Patch, M::Delete}};
  bool matched = false;
  for (const auto& set : kAllowedSets) {
    auto sorted = set;
    std::sort(sorted.begin(), sorted.end());
    if (sorted == allowed) {
      b.allowed_methods = set;
      matched = true;
    }
  }
  if (!matched) {
    ctx.fail(path, "must be one of [GET, HEAD], [GET, HEAD, OPTIONS], [GET, HEAD, OPTIONS, PUT, "
                   "POST, PATCH, DELETE] (got " + methodList(allowed) + ")");
  }
  if (!cached) return;
  const std::vector<Method> two = {M::Get, M::Head};
  std::vector<Method> three = {M::Get, M::Head, M::Options};
  std::sort(three.begin(), three.end());
  if (*cached != two && *cached != three) {
    ctx.fail(cached_path, "must be [GET, HEAD] or [GET, HEAD, OPTIONS] (got " + methodList(*cached) + ")");
  }
  if (cached->size() == 3 && !b.allows(Method::Options)) {
    ctx.fail(cached_path, "must be a subset of AllowedMethods");
  }
  b.cached_methods = cached->size() == 3 ? std::vector<Method>{M::Get, M::Head, M::Options} : two;
}

void readForwardedValues(ObjectReader& fv, ForwardedValues& out, const Origin* target) {
  LoadContext& ctx = fv.ctx();
  out.query_string = fv.requireBool("QueryString");
  fv.requireObject("Cookies", [&](ObjectReader& c) {
    const std::string forward = c.requireString("Forward");
    out.cookie_forward = static_cast<ForwardedValues::CookieForward>(
        oneOf(ctx, forward, c.field("Forward"), {"none", "whitelist", "all"}));
    if (const Json* names = c.find("WhitelistedNames")) {
      out.cookie_names = readStringList(ctx, *names, c.field("WhitelistedNames"));
    }
    size_t bytes = 0;
    for (const auto& n : out.cookie_names) bytes += n.size();
    if (!out.cookie_names.empty() && bytes > 512 - out.cookie_names.size()) {
      ctx.fail(c.field("WhitelistedNames"), "names total too long (§2.8: 512 minus the count)");
    }
    if (out.cookie_forward == ForwardedValues::CookieForward::Whitelist && out.cookie_names.empty()) {
      ctx.fail(c.field("WhitelistedNames"), "must list at least one name when Forward is whitelist");
    }
  });
  if (const Json* headers = fv.find("Headers")) {
    const std::string path = fv.field("Headers");
    for (const ListItem& item : readList(ctx, *headers, path)) {
      const std::string& name = asString(ctx, *item.json, item.path);
      // §2.8: headers that cannot be forwarded/keyed.
      for (std::string_view bad : {"Connection", "Cookie", "Proxy-Authorization", "TE", "Upgrade"}) {
        if (iequals(name, bad)) ctx.fail(item.path, inQuotes(name) + " cannot be forwarded as a header");
      }
      if (target != nullptr && target->is_s3 && iequals(name, "Host")) {
        ctx.fail(item.path, "\"Host\" cannot be forwarded to an S3 origin");
      }
      out.headers.push_back(name);
    }
    const bool star = std::find(out.headers.begin(), out.headers.end(), "*") != out.headers.end();
    if (star && out.headers.size() != 1) ctx.fail(path, "\"*\" must be the only entry");
    if (out.headers.size() > 10) ctx.fail(path, "at most 10 headers allowed");
  }
  if (const Json* keys = fv.find("QueryStringCacheKeys")) {
    const std::string path = fv.field("QueryStringCacheKeys");
    out.query_string_cache_keys = readStringList(ctx, *keys, path);
    if (out.query_string_cache_keys.size() > 10) ctx.fail(path, "at most 10 names allowed");
  }
}

// {Enabled, Quantity, Items} lists of TrustedKeyGroups / TrustedSigners.
bool readTrusted(ObjectReader& r, std::string_view key, std::vector<std::string>& ids,
                 std::vector<std::string>& paths) {
  const Json* j = r.find(key);
  if (j == nullptr) return false;
  bool enabled = false;
  for (const ListItem& item : readList(r.ctx(), *j, r.field(key), [&](ObjectReader& t) {
         enabled = t.requireBool("Enabled");
       })) {
    ids.push_back(asString(r.ctx(), *item.json, item.path));
    paths.push_back(item.path);
  }
  if (enabled && ids.empty()) r.ctx().fail(r.field(key), "must list at least one entry when Enabled");
  return enabled;
}

void readFunctions(ObjectReader& r, Behavior& b) {
  LoadContext& ctx = r.ctx();
  if (const Json* j = r.find("FunctionAssociations")) {
    for (const ListItem& item : readList(ctx, *j, r.field("FunctionAssociations"))) {
      ObjectReader f(ctx, *item.json, item.path);
      FunctionAssociation a;
      a.arn = f.requireString("FunctionARN");
      a.event_type = f.requireString("EventType");
      oneOf(ctx, a.event_type, f.field("EventType"), {"viewer-request", "viewer-response"});
      f.finish();
      const size_t slash = a.arn.rfind("function/");
      const std::string name = slash == std::string::npos ? a.arn : a.arn.substr(slash + 9);
      if (ctx.config().functions.count(name) == 0) {
        ctx.warn(f.field("FunctionARN"), "function " + inQuotes(name) + " is not defined in Functions");
      }
      b.functions.push_back(std::move(a));
    }
  }
  if (const Json* j = r.find("LambdaFunctionAssociations")) {
    for (const ListItem& item : readList(ctx, *j, r.field("LambdaFunctionAssociations"))) {
      ObjectReader f(ctx, *item.json, item.path);
      FunctionAssociation a;
      a.is_lambda = true;
      a.arn = f.requireString("LambdaFunctionARN");
      a.event_type = f.requireString("EventType");
      oneOf(ctx, a.event_type, f.field("EventType"),
            {"viewer-request", "viewer-response", "origin-request", "origin-response"});
      a.include_body = f.boolean("IncludeBody", false);
      f.finish();
      b.functions.push_back(std::move(a));
    }
  }
  for (size_t i = 0; i < b.functions.size(); ++i) {
    for (size_t k = 0; k < i; ++k) {
      if (b.functions[k].event_type == b.functions[i].event_type) {
        ctx.fail(r.field(b.functions[i].is_lambda ? "LambdaFunctionAssociations" : "FunctionAssociations"),
                 "more than one function for event type " + b.functions[i].event_type);
      }
    }
  }
}

void readPolicies(ObjectReader& r, Behavior& b) {
  LoadContext& ctx = r.ctx();
  const Config& config = ctx.config();
  b.cache_policy_id = r.string("CachePolicyId");
  b.origin_request_policy_id = r.string("OriginRequestPolicyId");
  b.response_headers_policy_id = r.string("ResponseHeadersPolicyId");
  const bool has_fv = r.has("ForwardedValues");
  if (b.cache_policy_id.empty() == !has_fv) {
    ctx.fail(has_fv ? r.field("ForwardedValues") : r.field("CachePolicyId"),
             std::string("exactly one of CachePolicyId and ForwardedValues is required (found ") +
                 (has_fv ? "both)" : "neither)"));
  }
  if (!b.cache_policy_id.empty() && config.findCachePolicy(b.cache_policy_id) == nullptr) {
    ctx.fail(r.field("CachePolicyId"), "unknown cache policy " + inQuotes(b.cache_policy_id) +
                                           " (not a managed policy and not in CachePolicies)");
  }
  if (!b.origin_request_policy_id.empty()) {
    if (b.cache_policy_id.empty()) {
      ctx.fail(r.field("OriginRequestPolicyId"), "requires CachePolicyId (not allowed with ForwardedValues)");
    }
    if (config.findOriginRequestPolicy(b.origin_request_policy_id) == nullptr) {
      ctx.fail(r.field("OriginRequestPolicyId"),
               "unknown origin request policy " + inQuotes(b.origin_request_policy_id) +
                   " (not a managed policy and not in OriginRequestPolicies)");
    }
  }
  if (!b.response_headers_policy_id.empty() &&
      config.response_headers_policies.count(b.response_headers_policy_id) == 0) {
    ctx.fail(r.field("ResponseHeadersPolicyId"),
             "unknown response headers policy " + inQuotes(b.response_headers_policy_id) +
                 " (not a managed policy and not in ResponseHeadersPolicies)");
  }
  if (!has_fv) {
    r.ignore({"MinTTL", "DefaultTTL", "MaxTTL"});  // the cache policy's TTLs apply
    return;
  }
  const Origin* target = config.findOrigin(b.target_origin_id);
  ForwardedValues fv;
  r.requireObject("ForwardedValues", [&](ObjectReader& f) { readForwardedValues(f, fv, target); });
  readTtls(r, /*min_required=*/false, b.min_ttl, b.default_ttl, b.max_ttl);
  if (fv.headers.size() == 1 && fv.headers[0] == "*" && b.min_ttl != 0) {
    ctx.fail(r.field("MinTTL"), "must be 0 when ForwardedValues.Headers is [\"*\"] (§2.8)");
  }
  b.forwarded_values = std::move(fv);
}

}  // namespace

void loadBehavior(ObjectReader& r, Behavior& b, bool is_default) {
  LoadContext& ctx = r.ctx();
  const Config& config = ctx.config();
  b.is_default = is_default;
  b.path_pattern = is_default ? "*" : readPathPattern(r);
  b.target_origin_id = r.requireString("TargetOriginId");
  const auto& groups = config.distribution.origin_groups;
  const bool is_group = std::any_of(groups.begin(), groups.end(),
                                    [&](const OriginGroup& g) { return g.id == b.target_origin_id; });
  if (config.findOrigin(b.target_origin_id) == nullptr && !is_group) {
    ctx.fail(r.field("TargetOriginId"),
             "references unknown origin or origin group " + inQuotes(b.target_origin_id));
  }
  const std::string vpp = r.string("ViewerProtocolPolicy", "allow-all");
  b.viewer_protocol_policy = static_cast<ViewerProtocolPolicy>(
      oneOf(ctx, vpp, r.field("ViewerProtocolPolicy"), {"allow-all", "redirect-to-https", "https-only"}));
  readAllowedMethods(r, b);
  b.compress = r.boolean("Compress", false);
  std::vector<std::string> paths;
  b.trusted_key_groups_enabled = readTrusted(r, "TrustedKeyGroups", b.trusted_key_groups, paths);
  if (b.trusted_key_groups.size() > 4) ctx.fail(r.field("TrustedKeyGroups"), "at most 4 key groups (§14)");
  for (size_t i = 0; i < b.trusted_key_groups.size(); ++i) {
    if (config.key_groups.count(b.trusted_key_groups[i]) == 0) {
      ctx.fail(paths[i], "unknown key group " + inQuotes(b.trusted_key_groups[i]) + " (not in KeyGroups)");
    }
  }
  paths.clear();
  b.trusted_signers_enabled = readTrusted(r, "TrustedSigners", b.trusted_signers, paths);
  readFunctions(r, b);
  readPolicies(r, b);
  r.ignore({"SmoothStreaming", "FieldLevelEncryptionId", "RealtimeLogConfigArn", "GrpcConfig"});
}

}  // namespace edge::policies::config_detail
