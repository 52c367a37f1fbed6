// The managed policies of §2.6, §2.7 and §6.3.6, by their real IDs. Names are the API's
// ("Managed-" prefix except the two UseOriginCacheControlHeaders policies, §2.6).
#include "policies/config_load.h"

#include <nlohmann/json.hpp>

namespace edge::policies {

namespace {

NameList none() { return {}; }
NameList all() { return {ListBehavior::All, {}}; }
NameList whitelist(std::vector<std::string> names) {
  return {ListBehavior::Whitelist, std::move(names)};
}

CachePolicy cachePolicy(std::string id, std::string name, int64_t min, int64_t def, int64_t max,
                        bool gzip, bool br, NameList headers, NameList cookies, NameList qs) {
  CachePolicy p;
  p.id = std::move(id);
  p.name = std::move(name);
  p.managed = true;
  p.min_ttl = min;
  p.default_ttl = def;
  p.max_ttl = max;
  p.enable_accept_encoding_gzip = gzip;
  p.enable_accept_encoding_brotli = br;
  p.headers = std::move(headers);
  p.cookies = std::move(cookies);
  p.query_strings = std::move(qs);
  return p;
}

OriginRequestPolicy originRequestPolicy(std::string id, std::string name, NameList headers,
                                        NameList cookies, NameList qs) {
  OriginRequestPolicy p;
  p.id = std::move(id);
  p.name = std::move(name);
  p.managed = true;
  p.headers = std::move(headers);
  p.cookies = std::move(cookies);
  p.query_strings = std::move(qs);
  return p;
}

template <typename T>
std::map<std::string, T> byId(std::initializer_list<T> items) {
  std::map<std::string, T> out;
  for (const T& item : items) out.emplace(item.id, item);
  return out;
}

// The CloudFront-generated headers released by June 2022 (§2.7, §13.3): 21 names.
std::vector<std::string> cloudFrontHeaders2022() {
  return {"CloudFront-Forwarded-Proto",      "CloudFront-Is-Android-Viewer",
          "CloudFront-Is-Desktop-Viewer",    "CloudFront-Is-IOS-Viewer",
          "CloudFront-Is-Mobile-Viewer",     "CloudFront-Is-SmartTV-Viewer",
          "CloudFront-Is-Tablet-Viewer",     "CloudFront-Viewer-Address",
          "CloudFront-Viewer-ASN",           "CloudFront-Viewer-City",
          "CloudFront-Viewer-Country",       "CloudFront-Viewer-Country-Name",
          "CloudFront-Viewer-Country-Region", "CloudFront-Viewer-Country-Region-Name",
          "CloudFront-Viewer-Http-Version",  "CloudFront-Viewer-Latitude",
          "CloudFront-Viewer-Longitude",     "CloudFront-Viewer-Metro-Code",
          "CloudFront-Viewer-Postal-Code",   "CloudFront-Viewer-Time-Zone",
          "CloudFront-Viewer-TLS"};
}

using Json = nlohmann::json;

Json apiList(std::vector<std::string> items) {
  return Json{{"Quantity", items.size()}, {"Items", std::move(items)}};
}

// ResponseHeadersPolicyConfig members in the API's shape (§6.3.6).
Json simpleCors() {
  return Json{{"AccessControlAllowOrigins", apiList({"*"})},
              {"AccessControlAllowHeaders", apiList({"*"})},
              {"AccessControlAllowMethods", apiList({"ALL"})},
              {"AccessControlAllowCredentials", false},
              {"OriginOverride", false}};
}

Json preflightCors() {
  return Json{
      {"AccessControlAllowOrigins", apiList({"*"})},
      {"AccessControlAllowHeaders", apiList({"*"})},
      {"AccessControlAllowMethods",
       apiList({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})},
      {"AccessControlExposeHeaders", apiList({"*"})},
      {"AccessControlAllowCredentials", false},
      {"OriginOverride", false}};
}

Json securityHeaders() {
  return Json{
      {"ReferrerPolicy",
       {{"Override", false}, {"ReferrerPolicy", "strict-origin-when-cross-origin"}}},
      {"StrictTransportSecurity",
       {{"Override", false},
        {"IncludeSubdomains", false},
        {"Preload", false},
        {"AccessControlMaxAgeSec", 31536000}}},
      {"ContentTypeOptions", {{"Override", true}}},
      {"FrameOptions", {{"Override", false}, {"FrameOption", "SAMEORIGIN"}}},
      {"XSSProtection", {{"Override", false}, {"Protection", true}, {"ModeBlock", true}}}};
}

ResponseHeadersPolicy responseHeadersPolicy(std::string id, std::string name,
                                            std::optional<Json> cors,
                                            std::optional<Json> security) {
  Json config{{"Name", name}};
  if (cors) config["CorsConfig"] = std::move(*cors);
  if (security) config["SecurityHeadersConfig"] = std::move(*security);
  return {std::move(id), std::move(name), config.dump()};
}

constexpr int64_t kDay = 86400;
constexpr int64_t kYear = 31536000;

}  // namespace

const std::map<std::string, CachePolicy>& managedCachePolicies() {
  static const auto* const policies = new std::map<std::string, CachePolicy>(byId({
      cachePolicy("658327ea-f89d-4fab-a63d-7e88639e58f6", "Managed-CachingOptimized", 1, kDay,
                  kYear, true, true, none(), none(), none()),
      cachePolicy("b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
                  "Managed-CachingOptimizedForUncompressedObjects", 1, kDay, kYear, false, false,
                  none(), none(), none()),
      cachePolicy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "Managed-CachingDisabled", 0, 0, 0,
                  false, false, none(), none(), none()),
      cachePolicy("08627262-05a9-4f76-9ded-b50ca2e3a84f", "Managed-Elemental-MediaPackage", 0,
                  kDay, kYear, true, false, whitelist({"Origin"}), none(),
                  whitelist({"aws.manifestfilter", "start", "end", "m"})),
      cachePolicy("2e54312d-136d-493c-8eb9-b001f22f67d2", "Managed-Amplify", 2, 2, 600, true, true,
                  whitelist({"Authorization", "CloudFront-Viewer-Country", "Host"}), all(), all()),
      cachePolicy("83da9c7e-98b4-4e11-a168-04f0df8e2c65", "UseOriginCacheControlHeaders", 0, 0,
                  kYear, true, true,
                  whitelist({"Host", "Origin", "X-HTTP-Method-Override", "X-HTTP-Method",
                             "X-Method-Override"}),
                  all(), none()),
      cachePolicy("4cc15a8a-d715-48a4-82b8-cc0b614638fe",
                  "UseOriginCacheControlHeaders-QueryStrings", 0, 0, kYear, true, true,
                  whitelist({"Host", "Origin", "X-HTTP-Method-Override", "X-HTTP-Method",
                             "X-Method-Override"}),
                  all(), all()),
  }));
  return *policies;
}

const std::map<std::string, OriginRequestPolicy>& managedOriginRequestPolicies() {
  static const auto* const policies = new std::map<std::string, OriginRequestPolicy>(byId({
      originRequestPolicy("216adef6-5c7f-47e4-b989-5492eafa07d3", "Managed-AllViewer",
                          {ListBehavior::AllViewer, {}}, all(), all()),
      originRequestPolicy("33f36d7e-f396-46d9-90e0-52428a34d9dc",
                          "Managed-AllViewerAndCloudFrontHeaders-2022-06",
                          {ListBehavior::AllViewerAndWhitelistCloudFront, cloudFrontHeaders2022()},
                          all(), all()),
      originRequestPolicy("b689b0a8-53d0-40ab-baf2-68738e2966ac",
                          "Managed-AllViewerExceptHostHeader", {ListBehavior::AllExcept, {"Host"}},
                          all(), all()),
      originRequestPolicy("59781a5b-3903-41f3-afcb-af62929ccde1", "Managed-CORS-CustomOrigin",
                          whitelist({"Origin"}), none(), none()),
      originRequestPolicy("88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", "Managed-CORS-S3Origin",
                          whitelist({"Origin", "Access-Control-Request-Headers",
                                     "Access-Control-Request-Method"}),
                          none(), none()),
      originRequestPolicy("775133bc-15f2-49f9-abea-afb2e0bf67d2",
                          "Managed-Elemental-MediaTailor-PersonalizedManifests",
                          whitelist({"Origin", "Access-Control-Request-Headers",
                                     "Access-Control-Request-Method", "User-Agent",
                                     "X-Forwarded-For"}),
                          none(), all()),
      originRequestPolicy("acba4595-bd28-49b8-b9fe-13317c0390fa",
                          "Managed-UserAgentRefererHeaders", whitelist({"User-Agent", "Referer"}),
                          none(), none()),
      originRequestPolicy("bf0718e1-ba1e-49d1-88b1-f726733018ae", "Managed-HostHeaderOnly",
                          whitelist({"Host"}), none(), none()),
  }));
  return *policies;
}

const std::map<std::string, ResponseHeadersPolicy>& managedResponseHeadersPolicies() {
  static const auto* const policies = new std::map<std::string, ResponseHeadersPolicy>(byId({
      responseHeadersPolicy("60669652-455b-4ae9-85a4-c4c02393f86c", "Managed-SimpleCORS",
                            simpleCors(), std::nullopt),
      responseHeadersPolicy("5cc3b908-e619-4b99-88e5-2cf7f45965bd", "Managed-CORS-With-Preflight",
                            preflightCors(), std::nullopt),
      responseHeadersPolicy("67f7725c-6f97-4210-82d7-5512b31e9d03",
                            "Managed-SecurityHeadersPolicy", std::nullopt, securityHeaders()),
      responseHeadersPolicy("e61eb60c-9c35-4d20-a928-2b84e02af89c",
                            "Managed-CORS-and-SecurityHeadersPolicy", simpleCors(),
                            securityHeaders()),
      responseHeadersPolicy("eaab4381-ed33-4a86-88ca-d9558dc6cd63",
                            "Managed-CORS-with-preflight-and-SecurityHeadersPolicy",
                            preflightCors(), securityHeaders()),
  }));
  return *policies;
}

}  // namespace edge::policies
