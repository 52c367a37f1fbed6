#include "support/s3_distribution.h"

namespace edge::itest {

nlohmann::json s3DistributionConfig(const S3DistributionOptions& o) {
  using Json = nlohmann::json;
  Json origin = {{"Id", "s3"},
                 {"DomainName", o.domain},
                 {"OriginPath", o.origin_path},
                 {"S3OriginConfig", {{"OriginAccessIdentity", ""}}},
                 {"ConnectionAttempts", 1},
                 {"ConnectionTimeout", 2}};
  Json cfg = {
      {"DistributionConfig",
       {{"CallerReference", "t"},
        {"Comment", ""},
        {"Enabled", true},
        {"Origins", {{"Quantity", 1}, {"Items", Json::array({origin})}}},
        {"DefaultCacheBehavior",
         {{"TargetOriginId", "s3"},
          {"ViewerProtocolPolicy", "allow-all"},
          {"Compress", true},
          {"CachePolicyId", kCachingOptimized}}},
        {"DefaultRootObject", "index.html"}}},
      {"Edge",
       {{"PopName", "TST50-C1"},
        {"OriginAddressOverrides", {{o.domain, o.address}}},
        {"AdminListen", "127.0.0.1:0"},
        {"HeaderTimeoutMs", 2000},
        {"IdleTimeoutMs", 5000},
        {"ShutdownGraceMs", 5000}}}};
  if (!o.signing_behavior.empty()) {
    cfg["OriginAccessControls"] = Json::array(
        {{{"Id", "oac-s3"},
          {"OriginAccessControlConfig",
           {{"Name", "s3"},
            {"SigningProtocol", "sigv4"},
            {"SigningBehavior", o.signing_behavior},
            {"OriginAccessControlOriginType", "s3"}}}}});
    cfg["DistributionConfig"]["Origins"]["Items"][0]["OriginAccessControlId"] = "oac-s3";
    cfg["Edge"]["OriginAccessCredentials"] = {{"AccessKeyId", o.access_key_id},
                                              {"SecretAccessKey", o.secret_access_key}};
  }
  return cfg;
}

}  // namespace edge::itest
