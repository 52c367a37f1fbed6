#include "policies/origin_access.h"

#include <vector>

namespace edge::policies {

namespace {

// A region-shaped label: letters, digits and '-', with a digit somewhere ("us-east-1").
bool looksLikeRegion(std::string_view s) {
  if (s.empty()) return false;
  bool digit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') digit = true;
    else if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
  }
  return digit;
}

}  // namespace

std::optional<std::string> regionFromDomain(std::string_view domain_name) {
  const std::string name = toLower(domain_name);
  std::vector<std::string_view> labels;
  for (std::string_view d = name; !d.empty();) {
    const size_t dot = d.find('.');
    labels.push_back(d.substr(0, dot));
    d = dot == std::string_view::npos ? std::string_view() : d.substr(dot + 1);
  }
  const size_t n = labels.size();
  const bool aws = n >= 3 && labels[n - 2] == "amazonaws" && labels[n - 1] == "com";
  const bool on_aws = n >= 3 && labels[n - 2] == "on" && labels[n - 1] == "aws";
  if (!aws && !on_aws) return std::nullopt;
  const size_t suffix = n - 2;  // index of "amazonaws" / "on"
  for (size_t i = 0; i < suffix; ++i) {
    const std::string_view l = labels[i];
    if (l.starts_with("s3-") && looksLikeRegion(l.substr(3))) return std::string(l.substr(3));
    if (l != "s3" && l != "lambda-url" && l != "mediastore" && l != "mediapackagev2") continue;
    size_t next = i + 1;
    if (next < suffix && labels[next] == "dualstack") ++next;
    if (next < suffix && looksLikeRegion(labels[next])) return std::string(labels[next]);
    if (l == "s3" && next == suffix) return std::string("us-east-1");  // bucket.s3.amazonaws.com
  }
  return std::nullopt;
}

std::optional<OriginSigner> originSigner(const Origin& origin, const Config& config) {
  if (origin.origin_access_control_id.empty()) return std::nullopt;
  const auto it = config.origin_access_controls.find(origin.origin_access_control_id);
  if (it == config.origin_access_controls.end()) return std::nullopt;
  const OriginAccessControl& oac = it->second;
  if (oac.signing_behavior == SigningBehavior::Never) return std::nullopt;
  if (!config.edge.origin_access_credentials) return std::nullopt;
  const OriginAccessCredentials& creds = *config.edge.origin_access_credentials;
  OriginSigner s;
  s.behavior = oac.signing_behavior;
  s.credentials = {creds.access_key_id, creds.secret_access_key};
  s.region = regionFromDomain(origin.domain_name).value_or(creds.region);
  s.service = oac.origin_type;
  return s;
}

bool signOriginRequest(const OriginSigner& signer, std::string_view method,
                       std::string_view path_and_query, HeaderList& headers, int64_t now) {
  if (signer.behavior == SigningBehavior::NoOverride && headers.has("authorization")) return false;
  const size_t q = path_and_query.find('?');
  const std::string_view path = path_and_query.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view() : path_and_query.substr(q + 1);
  sigv4::SignOptions opts;
  opts.region = signer.region;
  opts.service = signer.service;
  if (auto viewer_hash = headers.get("x-amz-content-sha256"); viewer_hash && !viewer_hash->empty()) {
    opts.payload_hash = std::string(*viewer_hash);
  }
  return sigv4::signRequest(method, path, query, headers, signer.credentials, opts, now);
}

}  // namespace edge::policies
