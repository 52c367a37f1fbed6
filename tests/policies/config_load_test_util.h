// Shared by the config loader tests: a small valid configuration to mutate, and accessors.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "policies/config_load.h"

namespace edge::policies::testing_config {

using Json = nlohmann::json;

inline constexpr const char* kOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6";
inline constexpr const char* kDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
inline constexpr const char* kAllViewerExceptHost = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
inline constexpr const char* kFile = "conf/x.json";

// A valid config with two origins, one extra behaviour (Items[0]) and a legacy one (Items[1]).
inline Json base() {
  return Json::parse(R"({
    "DistributionConfig": {
      "CallerReference": "ref", "Comment": "", "Enabled": true,
      "Origins": {"Quantity": 2, "Items": [
        {"Id": "web", "DomainName": "web.test",
         "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}},
        {"Id": "api", "DomainName": "api.test", "OriginPath": "/v1"}]},
      "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all",
                               "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
      "CacheBehaviors": {"Quantity": 2, "Items": [
        {"PathPattern": "/api/*", "TargetOriginId": "api", "ViewerProtocolPolicy": "https-only",
         "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
        {"PathPattern": "*.php", "TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all",
         "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "all"}},
         "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 600}]}
    }
  })");
}

inline tl::expected<Config, ConfigError> load(const Json& j) { return parseConfig(j.dump(), kFile); }

inline std::string errorOf(const Json& j) {
  const auto r = load(j);
  if (r) return "<loaded>";
  return r.error().toString();
}

inline Json& dist(Json& j) { return j["DistributionConfig"]; }
inline Json& origin(Json& j, int i) { return dist(j)["Origins"]["Items"][i]; }
inline Json& behavior(Json& j, int i) { return dist(j)["CacheBehaviors"]["Items"][i]; }

}  // namespace edge::policies::testing_config
