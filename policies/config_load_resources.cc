// Top-level resources referenced by Id from behaviours: CachePolicies, OriginRequestPolicies,
// ResponseHeadersPolicies, PublicKeys, KeyGroups, Functions, OriginAccessControls. Each item is accepted in the API's own
// shape, either bare ({"Id", "<Kind>Config"}) or wrapped as get-<kind> returns it ({"<Kind>": …}).
#include <algorithm>

#include "policies/config_load.h"
#include "policies/config_load_internal.h"
#include "policies/signed_keys.h"

namespace edge::policies::config_detail {

namespace {

constexpr int64_t kMaxNamesPerList = 10;  // §2.2 quotas

// Unwraps {"CachePolicy": {...}, "ETag": ..., "Type": ...} (get-cache-policy, list-cache-policies).
// Returns the object to read and its path.
ListItem unwrap(LoadContext& ctx, const ListItem& item, std::string_view wrapper) {
  if (!item.json->is_object()) ctx.fail(item.path, "must be an object");
  const auto it = item.json->find(wrapper);
  if (it == item.json->end()) return item;
  ObjectReader outer(ctx, *item.json, item.path);
  outer.find(wrapper);
  outer.ignore({"ETag", "Type"});
  outer.finish();
  return {&*it, joinPath(item.path, wrapper)};
}

// HeadersConfig / CookiesConfig / QueryStringsConfig: {"<X>Behavior": "...", "<Xs>": {Quantity,
// Items}}. `allowed` lists the API names of the behaviours this resource kind supports.
NameList readNameList(ObjectReader& parent, std::string_view key, std::string_view behavior_key,
                      std::string_view items_key, std::initializer_list<ListBehavior> allowed,
                      std::initializer_list<std::string_view> forbidden = {}) {
  NameList out;
  parent.object(key, [&](ObjectReader& r) {
    const std::string name = r.requireString(behavior_key);
    std::vector<std::string_view> names;
    for (ListBehavior b : allowed) names.push_back(toString(b));
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      std::string list;
      for (std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
      r.ctx().fail(r.field(behavior_key), "must be one of " + list + " (got " + inQuotes(name) + ")");
    }
    out.behavior = *(allowed.begin() + (it - names.begin()));
    if (const Json* items = r.find(items_key)) {
      for (const ListItem& item : readList(r.ctx(), *items, r.field(items_key))) {
        const std::string& n = asString(r.ctx(), *item.json, item.path);
        for (std::string_view f : forbidden) {
          if (out.behavior == ListBehavior::Whitelist && iequals(n, f)) {
            r.ctx().fail(item.path, inQuotes(n) + " cannot be listed in this kind of policy's " +
                                       std::string(key));
          }
        }
        out.names.push_back(n);
      }
    }
    const bool needs_names = out.behavior == ListBehavior::Whitelist ||
                             out.behavior == ListBehavior::AllExcept;
    if (needs_names && out.names.empty()) {
      r.ctx().fail(r.field(items_key), "must list at least one name when " +
                                           std::string(behavior_key) + " is " + name);
    }
    if (static_cast<int64_t>(out.names.size()) > kMaxNamesPerList) {
      r.ctx().fail(r.field(items_key), "at most 10 names allowed (got " +
                                           std::to_string(out.names.size()) + ")");
    }
  });
  return out;
}

void loadCachePolicy(LoadContext& ctx, const ListItem& raw) {
  const ListItem item = unwrap(ctx, raw, "CachePolicy");
  ObjectReader r(ctx, *item.json, item.path);
  CachePolicy p;
  p.id = r.requireString("Id");
  r.ignore({"LastModifiedTime"});
  r.requireObject("CachePolicyConfig", [&](ObjectReader& c) {
    p.name = c.requireString("Name");
    c.ignore({"Comment"});
    readTtls(c, /*min_required=*/true, p.min_ttl, p.default_ttl, p.max_ttl);
    c.requireObject("ParametersInCacheKeyAndForwardedToOrigin", [&](ObjectReader& k) {
      p.enable_accept_encoding_gzip = k.requireBool("EnableAcceptEncodingGzip");
      p.enable_accept_encoding_brotli = k.boolean("EnableAcceptEncodingBrotli", false);
      using LB = ListBehavior;
      // §2.2: these CloudFront headers may be in an origin request policy but not in a key.
      p.headers = readNameList(k, "HeadersConfig", "HeaderBehavior", "Headers",
                               {LB::None, LB::Whitelist},
                               {"CloudFront-Viewer-Address", "CloudFront-Viewer-ASN",
                                "CloudFront-Viewer-JA3-Fingerprint", "CloudFront-Viewer-TLS"});
      p.cookies = readNameList(k, "CookiesConfig", "CookieBehavior", "Cookies",
                               {LB::None, LB::Whitelist, LB::AllExcept, LB::All});
      p.query_strings = readNameList(k, "QueryStringsConfig", "QueryStringBehavior",
                                     "QueryStrings",
                                     {LB::None, LB::Whitelist, LB::AllExcept, LB::All});
    });
  });
  r.finish();
  ctx.config().cache_policies[p.id] = std::move(p);
}

void loadOriginRequestPolicy(LoadContext& ctx, const ListItem& raw) {
  const ListItem item = unwrap(ctx, raw, "OriginRequestPolicy");
  ObjectReader r(ctx, *item.json, item.path);
  OriginRequestPolicy p;
  p.id = r.requireString("Id");
  r.ignore({"LastModifiedTime"});
  r.requireObject("OriginRequestPolicyConfig", [&](ObjectReader& c) {
    p.name = c.requireString("Name");
    c.ignore({"Comment"});
    using LB = ListBehavior;
    // §2.3, §2.5: Authorization / Accept-Encoding reach the origin only through the cache key
    // or an all-viewer-headers policy.
    p.headers = readNameList(c, "HeadersConfig", "HeaderBehavior", "Headers",
                             {LB::None, LB::Whitelist, LB::AllViewer,
                              LB::AllViewerAndWhitelistCloudFront, LB::AllExcept},
                             {"Authorization", "Accept-Encoding"});
    p.cookies = readNameList(c, "CookiesConfig", "CookieBehavior", "Cookies",
                             {LB::None, LB::Whitelist, LB::All, LB::AllExcept});
    p.query_strings = readNameList(c, "QueryStringsConfig", "QueryStringBehavior", "QueryStrings",
                                   {LB::None, LB::Whitelist, LB::All, LB::AllExcept});
  });
  r.finish();
  ctx.config().origin_request_policies[p.id] = std::move(p);
}

void loadResponseHeadersPolicy(LoadContext& ctx, const ListItem& raw) {
  const ListItem item = unwrap(ctx, raw, "ResponseHeadersPolicy");
  ObjectReader r(ctx, *item.json, item.path);
  ResponseHeadersPolicy p;
  p.id = r.requireString("Id");
  r.ignore({"LastModifiedTime"});
  const Json& config = r.require("ResponseHeadersPolicyConfig");
  ObjectReader c(ctx, config, r.field("ResponseHeadersPolicyConfig"));
  p.name = c.requireString("Name");
  // Members are validated by the issue that applies response headers policies.
  c.ignore({"Comment", "CorsConfig", "SecurityHeadersConfig", "ServerTimingHeadersConfig",
            "CustomHeadersConfig", "RemoveHeadersConfig"});
  c.finish();
  p.config_json = config.dump();
  r.finish();
  ctx.config().response_headers_policies[p.id] = std::move(p);
}

void loadPublicKey(LoadContext& ctx, const ListItem& raw) {
  const ListItem item = unwrap(ctx, raw, "PublicKey");
  ObjectReader r(ctx, *item.json, item.path);
  PublicKey k;
  k.id = r.requireString("Id");
  r.ignore({"CreatedTime"});
  r.requireObject("PublicKeyConfig", [&](ObjectReader& c) {
    k.name = c.requireString("Name");
    c.ignore({"CallerReference", "Comment"});
    k.encoded_key = c.requireString("EncodedKey");
    if (k.encoded_key.find("-----BEGIN PUBLIC KEY-----") == std::string::npos) {
      ctx.fail(c.field("EncodedKey"), "must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
    }
    // §5.1: what CloudFront accepts, and what signed-request verification can use.
    if (auto parsed = parsePublicKeyPem(k.encoded_key); !parsed) {
      ctx.fail(c.field("EncodedKey"), "must be an RSA 2048 or ECDSA P-256 public key: " + parsed.error());
    }
  });
  r.finish();
  if (ctx.config().public_keys.count(k.id) != 0) {
    ctx.fail(joinPath(item.path, "Id"), "duplicate public key Id " + inQuotes(k.id));
  }
  ctx.config().public_keys[k.id] = std::move(k);
}

void loadKeyGroup(LoadContext& ctx, const ListItem& raw) {
  const ListItem item = unwrap(ctx, raw, "KeyGroup");
  ObjectReader r(ctx, *item.json, item.path);
  KeyGroup g;
  g.id = r.requireString("Id");
  r.ignore({"LastModifiedTime"});
  r.requireObject("KeyGroupConfig", [&](ObjectReader& c) {
    g.name = c.requireString("Name");
    c.ignore({"Comment"});
    const std::string items_path = c.field("Items");
    g.public_key_ids = readStringList(ctx, c.require("Items"), items_path);
    if (g.public_key_ids.empty() || g.public_key_ids.size() > 5) {
      ctx.fail(items_path, "must list 1 to 5 public key Ids (§14)");
    }
    for (size_t i = 0; i < g.public_key_ids.size(); ++i) {
      if (ctx.config().public_keys.count(g.public_key_ids[i]) == 0) {
        ctx.fail(indexPath(items_path, i),
                 "unknown public key " + inQuotes(g.public_key_ids[i]) + " (not in PublicKeys)");
      }
    }
  });
  r.finish();
  ctx.config().key_groups[g.id] = std::move(g);
}

void loadFunction(LoadContext& ctx, const ListItem& raw) {
  ObjectReader r(ctx, *raw.json, raw.path);
  EdgeFunction f;
  auto readConfig = [&](ObjectReader& c) {
    c.ignore({"Comment", "KeyValueStoreAssociations"});
    f.runtime = c.requireString("Runtime");
    oneOf(ctx, f.runtime, c.field("Runtime"), {"cloudfront-js-1.0", "cloudfront-js-2.0"});
  };
  if (r.has("FunctionSummary")) {  // describe-function output plus the code
    r.requireObject("FunctionSummary", [&](ObjectReader& s) {
      f.name = s.requireString("Name");
      s.ignore({"Status", "FunctionMetadata"});
      s.requireObject("FunctionConfig", readConfig);
    });
    r.ignore({"ETag"});
  } else {
    f.name = r.requireString("Name");
    r.ignore({"Status", "FunctionMetadata"});
    r.requireObject("FunctionConfig", readConfig);
  }
  f.code = r.requireString("FunctionCode");
  if (f.code.size() > 10240) ctx.fail(r.field("FunctionCode"), "must be at most 10 KB (§14)");
  r.finish();
  if (ctx.config().functions.count(f.name) != 0) {
    ctx.fail(r.field("Name"), "duplicate function Name " + inQuotes(f.name));
  }
  ctx.config().functions[f.name] = std::move(f);
}

// [API:OriginAccessControl] as `aws cloudfront get-origin-access-control` prints it (with or
// without the OriginAccessControl wrapper): {"Id", "OriginAccessControlConfig": {…}} (§12).
void loadOriginAccessControl(LoadContext& ctx, const ListItem& raw) {
  const ListItem item = unwrap(ctx, raw, "OriginAccessControl");
  ObjectReader r(ctx, *item.json, item.path);
  OriginAccessControl oac;
  oac.id = r.requireString("Id");
  r.requireObject("OriginAccessControlConfig", [&](ObjectReader& c) {
    oac.name = c.requireString("Name");
    if (oac.name.empty() || oac.name.size() > 64) ctx.fail(c.field("Name"), "must be 1 to 64 characters");
    c.ignore({"Description"});
    oneOf(ctx, c.requireString("SigningProtocol"), c.field("SigningProtocol"), {"sigv4"});
    oac.signing_behavior = static_cast<SigningBehavior>(
        oneOf(ctx, c.requireString("SigningBehavior"), c.field("SigningBehavior"),
              {"always", "never", "no-override"}));
    oac.origin_type = c.requireString("OriginAccessControlOriginType");
    oneOf(ctx, oac.origin_type, c.field("OriginAccessControlOriginType"),
          {"s3", "mediastore", "mediapackagev2", "lambda"});
  });
  r.finish();
  if (ctx.config().origin_access_controls.count(oac.id) != 0) {
    ctx.fail(joinPath(item.path, "Id"), "duplicate origin access control Id " + inQuotes(oac.id));
  }
  ctx.config().origin_access_controls[oac.id] = std::move(oac);
}

}  // namespace

void loadResources(ObjectReader& root) {
  LoadContext& ctx = root.ctx();
  Config& config = ctx.config();
  config.cache_policies = managedCachePolicies();
  config.origin_request_policies = managedOriginRequestPolicies();
  config.response_headers_policies = managedResponseHeadersPolicies();
  struct Section {
    std::string_view key;
    void (*load)(LoadContext&, const ListItem&);
  };
  // PublicKeys before KeyGroups: groups refer to keys.
  static constexpr Section kSections[] = {
      {"CachePolicies", loadCachePolicy},
      {"OriginRequestPolicies", loadOriginRequestPolicy},
      {"ResponseHeadersPolicies", loadResponseHeadersPolicy},
      {"PublicKeys", loadPublicKey},
      {"KeyGroups", loadKeyGroup},
      {"Functions", loadFunction},
      {"OriginAccessControls", loadOriginAccessControl},
  };
  for (const Section& s : kSections) {
    if (const Json* list = root.find(s.key)) {
      for (const ListItem& item : readList(ctx, *list, std::string(s.key))) s.load(ctx, item);
    }
  }
}

}  // namespace edge::policies::config_detail
