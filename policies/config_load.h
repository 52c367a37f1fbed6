// Loading and validating the configuration file. Start-up only: may allocate freely and uses
// nlohmann::json internally, but reports every problem as a ConfigError value naming the file and
// the field path (e.g. `DistributionConfig.CacheBehaviors.Items[1].PathPattern`).
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "policies/config.h"

namespace edge::policies {

struct ConfigError {
  std::string file;
  std::string field;  // dotted path with [i] indices; "" for whole-file problems (JSON syntax)
  std::string message;
  // "file: field: message" (or "file: message" when field is empty).
  std::string toString() const;
};

// Parses and validates `json_text`. `file_name` is used only in messages. Accepts either
// `{"DistributionConfig": {...}, ...}` or the whole output of `aws cloudfront
// get-distribution-config` (which adds `ETag`). Unknown fields become warnings in Config::warnings.
tl::expected<Config, ConfigError> parseConfig(std::string_view json_text, std::string_view file_name);

// Reads `path` and calls parseConfig.
tl::expected<Config, ConfigError> loadConfigFile(const std::string& path);

// Human-readable listing of the behaviours in evaluation order (default last) and the origins
// they target, as printed by `edged check-config`.
std::string describeConfig(const Config& config);

// The managed cache policies and origin request policies, by their real IDs (§2.6, §2.7).
const std::map<std::string, CachePolicy>& managedCachePolicies();
const std::map<std::string, OriginRequestPolicy>& managedOriginRequestPolicies();
// The managed response headers policies (§6.3.6), config_json in the API's
// ResponseHeadersPolicyConfig shape. Config::response_headers_policies includes them.
const std::map<std::string, ResponseHeadersPolicy>& managedResponseHeadersPolicies();

}  // namespace edge::policies
