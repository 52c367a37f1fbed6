// Validation errors of the config loader: each names the file and the dotted field path.
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policies/config_load_test_util.h"

namespace edge::policies {
namespace {

using namespace testing_config;

struct ErrorCase {
  std::string name;
  std::function<void(Json&)> mutate;
  std::string expected;
};
std::ostream& operator<<(std::ostream& os, const ErrorCase& c) { return os << c.name; }

class ConfigErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrors, ExactMessage) {
  Json j = base();
  GetParam().mutate(j);
  EXPECT_EQ(errorOf(j), GetParam().expected);
}

// A PublicKeys list of one key with this EncodedKey.
Json publicKey(const std::string& encoded_key) {
  return Json::array({{{"Id", "K1"},
                       {"PublicKeyConfig", {{"Name", "k"}, {"EncodedKey", encoded_key}}}}});
}

const std::string kB1 = "conf/x.json: DistributionConfig.CacheBehaviors.Items[1].";
const std::string kB0 = "conf/x.json: DistributionConfig.CacheBehaviors.Items[0].";
const std::string kO0 = "conf/x.json: DistributionConfig.Origins.Items[0].";
const std::string kO1 = "conf/x.json: DistributionConfig.Origins.Items[1].";

std::vector<ErrorCase> errorCases() {
  return {
      {"NoDistributionConfig", [](Json& j) { j.erase("DistributionConfig"); },
       "conf/x.json: DistributionConfig: required field missing"},
      {"DistributionNotObject", [](Json& j) { j["DistributionConfig"] = 3; },
       "conf/x.json: DistributionConfig: must be an object"},
      {"NoOrigins", [](Json& j) { dist(j).erase("Origins"); },
       "conf/x.json: DistributionConfig.Origins: required field missing"},
      {"EmptyOrigins", [](Json& j) { dist(j)["Origins"] = Json::array(); },
       "conf/x.json: DistributionConfig.Origins: must contain at least one origin"},
      {"QuantityMismatch", [](Json& j) { dist(j)["Origins"]["Quantity"] = 3; },
       "conf/x.json: DistributionConfig.Origins.Quantity: is 3 but Items has 2 entries"},
      {"ItemsNotArray", [](Json& j) { dist(j)["CacheBehaviors"]["Items"] = "x"; },
       "conf/x.json: DistributionConfig.CacheBehaviors.Items: must be an array"},
      {"IdWrongType", [](Json& j) { origin(j, 0)["Id"] = 7; }, kO0 + "Id: must be a string"},
      {"DomainMissing", [](Json& j) { origin(j, 1).erase("DomainName"); },
       kO1 + "DomainName: required field missing"},
      {"DuplicateOriginId", [](Json& j) { origin(j, 1)["Id"] = "web"; },
       kO1 + "Id: duplicate origin Id \"web\""},
      {"PathPatternEmpty", [](Json& j) { behavior(j, 1)["PathPattern"] = ""; },
       kB1 + "PathPattern: must not be empty"},
      {"PathPatternMissing", [](Json& j) { behavior(j, 0).erase("PathPattern"); },
       kB0 + "PathPattern: required field missing"},
      {"PathPatternTooLong", [](Json& j) { behavior(j, 1)["PathPattern"] = "/" + std::string(255, 'a'); },
       kB1 + "PathPattern: must be at most 255 characters"},
      {"PathPatternBadChar", [](Json& j) { behavior(j, 1)["PathPattern"] = "/a b"; },
       kB1 + "PathPattern: contains invalid character ' '"},
      {"PathPatternPercent", [](Json& j) { behavior(j, 1)["PathPattern"] = "/a%20"; },
       kB1 + "PathPattern: contains invalid character '%'"},
      {"TargetUnknown", [](Json& j) { behavior(j, 0)["TargetOriginId"] = "nope"; },
       kB0 + "TargetOriginId: references unknown origin or origin group \"nope\""},
      {"DefaultTargetMissing", [](Json& j) { dist(j)["DefaultCacheBehavior"].erase("TargetOriginId"); },
       "conf/x.json: DistributionConfig.DefaultCacheBehavior.TargetOriginId: required field missing"},
      {"BothPolicyAndForwardedValues",
       [](Json& j) { behavior(j, 1)["CachePolicyId"] = kOptimized; },
       kB1 + "ForwardedValues: exactly one of CachePolicyId and ForwardedValues is required (found both)"},
      {"NeitherPolicyNorForwardedValues",
       [](Json& j) { dist(j)["DefaultCacheBehavior"].erase("CachePolicyId"); },
       "conf/x.json: DistributionConfig.DefaultCacheBehavior.CachePolicyId: exactly one of "
       "CachePolicyId and ForwardedValues is required (found neither)"},
      {"UnknownCachePolicy", [](Json& j) { behavior(j, 0)["CachePolicyId"] = "abc"; },
       kB0 + "CachePolicyId: unknown cache policy \"abc\" (not a managed policy and not in CachePolicies)"},
      {"UnknownOriginRequestPolicy", [](Json& j) { behavior(j, 0)["OriginRequestPolicyId"] = "x"; },
       kB0 + "OriginRequestPolicyId: unknown origin request policy \"x\" (not a managed policy and "
             "not in OriginRequestPolicies)"},
      {"OriginRequestPolicyWithLegacy",
       [](Json& j) { behavior(j, 1)["OriginRequestPolicyId"] = kAllViewerExceptHost; },
       kB1 + "OriginRequestPolicyId: requires CachePolicyId (not allowed with ForwardedValues)"},
      {"UnknownResponseHeadersPolicy", [](Json& j) { behavior(j, 0)["ResponseHeadersPolicyId"] = "r"; },
       kB0 + "ResponseHeadersPolicyId: unknown response headers policy \"r\" (not a managed policy "
             "and not in ResponseHeadersPolicies)"},
      {"AllowedMethodsNotASet",
       [](Json& j) { behavior(j, 0)["AllowedMethods"] = {{"Quantity", 2}, {"Items", {"GET", "POST"}}}; },
       kB0 + "AllowedMethods: must be one of [GET, HEAD], [GET, HEAD, OPTIONS], [GET, HEAD, OPTIONS, "
             "PUT, POST, PATCH, DELETE] (got [GET, POST])"},
      {"AllowedMethodsUnknownName",
       [](Json& j) { behavior(j, 0)["AllowedMethods"] = {"GET", "HEAD", "TRACE"}; },
       kB0 + "AllowedMethods[2]: unknown method \"TRACE\""},
      {"CachedMethodsNotSubset",
       [](Json& j) {
         behavior(j, 0)["AllowedMethods"] = {
             {"Quantity", 2}, {"Items", {"HEAD", "GET"}},
             {"CachedMethods", {{"Quantity", 3}, {"Items", {"GET", "HEAD", "OPTIONS"}}}}};
       },
       kB0 + "AllowedMethods.CachedMethods: must be a subset of AllowedMethods"},
      {"CachedMethodsBadSet",
       [](Json& j) {
         behavior(j, 0)["AllowedMethods"] = {
             {"Quantity", 3}, {"Items", {"HEAD", "GET", "OPTIONS"}},
             {"CachedMethods", {{"Quantity", 1}, {"Items", {"GET"}}}}};
       },
       kB0 + "AllowedMethods.CachedMethods: must be [GET, HEAD] or [GET, HEAD, OPTIONS] (got [GET])"},
      {"ViewerProtocolPolicy", [](Json& j) { behavior(j, 0)["ViewerProtocolPolicy"] = "https"; },
       kB0 + "ViewerProtocolPolicy: must be one of allow-all, redirect-to-https, https-only (got \"https\")"},
      {"ConnectionAttempts", [](Json& j) { origin(j, 0)["ConnectionAttempts"] = 4; },
       kO0 + "ConnectionAttempts: must be between 1 and 3 (got 4)"},
      {"ConnectionTimeout", [](Json& j) { origin(j, 0)["ConnectionTimeout"] = 0; },
       kO0 + "ConnectionTimeout: must be between 1 and 10 (got 0)"},
      {"ConnectionTimeoutFloat", [](Json& j) { origin(j, 0)["ConnectionTimeout"] = 2.5; },
       kO0 + "ConnectionTimeout: must be an integer"},
      {"OriginReadTimeout", [](Json& j) { origin(j, 0)["CustomOriginConfig"]["OriginReadTimeout"] = 121; },
       kO0 + "CustomOriginConfig.OriginReadTimeout: must be between 1 and 120 (got 121)"},
      {"OriginKeepaliveTimeout",
       [](Json& j) { origin(j, 0)["CustomOriginConfig"]["OriginKeepaliveTimeout"] = 0; },
       kO0 + "CustomOriginConfig.OriginKeepaliveTimeout: must be between 1 and 120 (got 0)"},
      {"OriginProtocolPolicy",
       [](Json& j) { origin(j, 0)["CustomOriginConfig"]["OriginProtocolPolicy"] = "tls"; },
       kO0 + "CustomOriginConfig.OriginProtocolPolicy: must be one of http-only, https-only, "
             "match-viewer (got \"tls\")"},
      {"HttpPort", [](Json& j) { origin(j, 0)["CustomOriginConfig"]["HTTPPort"] = 1000; },
       kO0 + "CustomOriginConfig.HTTPPort: must be 80, 443 or 1024-65535 (got 1000)"},
      {"OriginPathNoSlash", [](Json& j) { origin(j, 1)["OriginPath"] = "v1"; },
       kO1 + "OriginPath: must start with '/'"},
      {"OriginPathTrailingSlash", [](Json& j) { origin(j, 1)["OriginPath"] = "/v1/"; },
       kO1 + "OriginPath: must not end with '/'"},
      {"S3AndCustom", [](Json& j) { origin(j, 0)["S3OriginConfig"] = {{"OriginAccessIdentity", ""}}; },
       kO0 + "CustomOriginConfig: must not be set together with S3OriginConfig"},
      {"DefaultRootObjectSlash", [](Json& j) { dist(j)["DefaultRootObject"] = "/index.html"; },
       "conf/x.json: DistributionConfig.DefaultRootObject: must not start with '/'"},
      {"CustomHeaderForbidden",
       [](Json& j) {
         origin(j, 0)["CustomHeaders"] = {{"Quantity", 2},
                                          {"Items", {{{"HeaderName", "X-Ok"}, {"HeaderValue", "1"}},
                                                     {{"HeaderName", "host"}, {"HeaderValue", "x"}}}}};
       },
       kO0 + "CustomHeaders.Items[1].HeaderName: \"host\" cannot be set as an origin custom header"},
      {"CustomHeaderAmzPrefix",
       [](Json& j) {
         origin(j, 0)["CustomHeaders"] = Json::array({{{"HeaderName", "X-Amz-Date"}, {"HeaderValue", "1"}}});
       },
       kO0 + "CustomHeaders[0].HeaderName: \"X-Amz-Date\" cannot be set as an origin custom header"},
      {"TooManyCustomHeaders",
       [](Json& j) {
         Json items = Json::array();
         for (int i = 0; i < 11; ++i) items.push_back({{"HeaderName", "X-H" + std::to_string(i)}, {"HeaderValue", "v"}});
         origin(j, 0)["CustomHeaders"] = items;
       },
       kO0 + "CustomHeaders: at most 10 custom headers allowed (got 11)"},
      {"ErrorCodeNotAllowed",
       [](Json& j) { dist(j)["CustomErrorResponses"] = Json::array({{{"ErrorCode", 418}}}); },
       "conf/x.json: DistributionConfig.CustomErrorResponses[0].ErrorCode: must be one of 400, 403, "
       "404, 405, 414, 416, 500, 501, 502, 503, 504 (got 418)"},
      {"ResponseCodeNotAllowed",
       [](Json& j) {
         dist(j)["CustomErrorResponses"] = Json::parse(R"({"Quantity": 1, "Items": [
           {"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "302"}]})");
       },
       "conf/x.json: DistributionConfig.CustomErrorResponses.Items[0].ResponseCode: must be one of "
       "200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504 (got 302)"},
      {"PagePathWithoutCode",
       [](Json& j) {
         dist(j)["CustomErrorResponses"] = Json::array({{{"ErrorCode", 404}, {"ResponsePagePath", "/404.html"}}});
       },
       "conf/x.json: DistributionConfig.CustomErrorResponses[0].ResponseCode: required when "
       "ResponsePagePath is set"},
      {"CodeWithoutPagePath",
       [](Json& j) {
         dist(j)["CustomErrorResponses"] = Json::array({{{"ErrorCode", 404}, {"ResponseCode", "200"}}});
       },
       "conf/x.json: DistributionConfig.CustomErrorResponses[0].ResponsePagePath: required when "
       "ResponseCode is set"},
      {"PagePathNoSlash",
       [](Json& j) {
         dist(j)["CustomErrorResponses"] = Json::array(
             {{{"ErrorCode", 404}, {"ResponseCode", "200"}, {"ResponsePagePath", "404.html"}}});
       },
       "conf/x.json: DistributionConfig.CustomErrorResponses[0].ResponsePagePath: must start with '/'"},
      {"LegacyDefaultBelowMin",
       [](Json& j) { behavior(j, 1)["MinTTL"] = 100; },
       kB1 + "DefaultTTL: must be >= MinTTL (60 < 100)"},
      {"LegacyMaxBelowDefault",
       [](Json& j) { behavior(j, 1)["MaxTTL"] = 30; },
       kB1 + "MaxTTL: must be >= DefaultTTL (30 < 60)"},
      {"LegacyAllHeadersNeedsMinZero",
       [](Json& j) {
         behavior(j, 1)["MinTTL"] = 5;
         behavior(j, 1)["ForwardedValues"]["Headers"] = {{"Quantity", 1}, {"Items", {"*"}}};
       },
       kB1 + "MinTTL: must be 0 when ForwardedValues.Headers is [\"*\"] (§2.8)"},
      {"CookieForward",
       [](Json& j) { behavior(j, 1)["ForwardedValues"]["Cookies"]["Forward"] = "some"; },
       kB1 + "ForwardedValues.Cookies.Forward: must be one of none, whitelist, all (got \"some\")"},
      {"QueryStringRequired",
       [](Json& j) { behavior(j, 1)["ForwardedValues"].erase("QueryString"); },
       kB1 + "ForwardedValues.QueryString: required field missing"},
      {"ForwardCookieHeader",
       [](Json& j) { behavior(j, 1)["ForwardedValues"]["Headers"] = Json::array({"Accept", "Cookie"}); },
       kB1 + "ForwardedValues.Headers[1]: \"Cookie\" cannot be forwarded as a header"},
      {"EdgeListenBad", [](Json& j) { j["Edge"] = {{"Listen", {"127.0.0.1:80", "nowhere"}}}; },
       "conf/x.json: Edge.Listen[1]: must be \"host:port\" with a numeric IPv4 address, \"localhost\" "
       "or \"[IPv6]\" and a port 0-65535 (got \"nowhere\")"},
      {"EdgeListenType", [](Json& j) { j["Edge"] = {{"Listen", 8080}}; },
       "conf/x.json: Edge.Listen: must be a string or an array of strings"},
      {"EdgeAdminListen", [](Json& j) { j["Edge"] = {{"AdminListen", "1.2.3.4:99999"}}; },
       "conf/x.json: Edge.AdminListen: must be \"host:port\" with a numeric IPv4 address, \"localhost\" "
       "or \"[IPv6]\" and a port 0-65535 (got \"1.2.3.4:99999\")"},
      {"EdgeBrotliQuality", [](Json& j) { j["Edge"] = {{"BrotliQuality", 11}}; },
       "conf/x.json: Edge.BrotliQuality: must be between 0 and 9 (got 11)"},
      {"EdgeGzipLevel", [](Json& j) { j["Edge"] = {{"GzipLevel", 0}}; },
       "conf/x.json: Edge.GzipLevel: must be between 1 and 9 (got 0)"},
      {"EdgeWorkers", [](Json& j) { j["Edge"] = {{"Workers", -1}}; },
       "conf/x.json: Edge.Workers: must be between 0 and 1024 (got -1)"},
      {"EdgeTimeoutZero", [](Json& j) { j["Edge"] = {{"HeaderTimeoutMs", 0}}; },
       "conf/x.json: Edge.HeaderTimeoutMs: must be between 1 and 4294967295 (got 0)"},
      {"EdgeTestClockType", [](Json& j) { j["Edge"] = {{"TestClock", "yes"}}; },
       "conf/x.json: Edge.TestClock: must be a boolean"},
      {"EdgeOverride", [](Json& j) { j["Edge"] = {{"OriginAddressOverrides", {{"web.test", "web:80"}}}}; },
       "conf/x.json: Edge.OriginAddressOverrides.web.test: must be \"host:port\" with a numeric IPv4 "
       "address, \"localhost\" or \"[IPv6]\" and a port 0-65535 (got \"web:80\")"},
      {"CachePolicyHeaderBehavior",
       [](Json& j) {
         j["CachePolicies"] = Json::parse(R"([{"Id": "cp", "CachePolicyConfig": {"Name": "n", "MinTTL": 0,
           "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
             "HeadersConfig": {"HeaderBehavior": "allViewer"}}}}])");
       },
       "conf/x.json: CachePolicies[0].CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin."
       "HeadersConfig.HeaderBehavior: must be one of none, whitelist (got \"allViewer\")"},
      {"OriginRequestPolicyListsAuthorization",
       [](Json& j) {
         j["OriginRequestPolicies"] = Json::parse(R"({"Quantity": 1, "Items": [{"OriginRequestPolicy": {
           "Id": "orp", "OriginRequestPolicyConfig": {"Name": "n", "HeadersConfig": {
             "HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["authorization"]}}}}}]})");
       },
       "conf/x.json: OriginRequestPolicies.Items[0].OriginRequestPolicy.OriginRequestPolicyConfig."
       "HeadersConfig.Headers.Items[0]: \"authorization\" cannot be listed in this kind of policy's "
       "HeadersConfig"},
      {"PublicKeyNotPem",
       [](Json& j) { j["PublicKeys"] = publicKey("ssh-rsa AAAAB3NzaC1yc2E"); },
       "conf/x.json: PublicKeys[0].PublicKeyConfig.EncodedKey: must be a PEM public key "
       "(-----BEGIN PUBLIC KEY-----)"},
      {"PublicKeyUnreadable",
       [](Json& j) {
         j["PublicKeys"] = publicKey("-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----\n");
       },
       "conf/x.json: PublicKeys[0].PublicKeyConfig.EncodedKey: must be an RSA 2048 or ECDSA P-256 "
       "public key: not a PEM public key (-----BEGIN PUBLIC KEY-----) OpenSSL can read"},
      {"PublicKeyRsa1024",
       [](Json& j) {
         j["PublicKeys"] = publicKey(
             "-----BEGIN PUBLIC KEY-----\n"
             "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDL8cq9UbxqQ4Z931rAEeBLhgJt\n"
             "YeyXs8hxJvIJwXMoKdCY8RVTKwu2C3+GiiQMk84thYPlWBg9S2B7sQNTSx+4udiR\n"
             "xdIZkuRtecGIlBYwq9vFdPv8BFUN70U7vX9L4SEO7JkhORNYZH03r53FvO2WNCaP\n"
             "YLMf3W5TrGfkc090pQIDAQAB\n"
             "-----END PUBLIC KEY-----\n");
       },
       "conf/x.json: PublicKeys[0].PublicKeyConfig.EncodedKey: must be an RSA 2048 or ECDSA P-256 "
       "public key: RSA key has 1024 bits; CloudFront keys are RSA 2048 or ECDSA P-256"},
      {"PublicKeyP384",
       [](Json& j) {
         j["PublicKeys"] = publicKey(
             "-----BEGIN PUBLIC KEY-----\n"
             "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEAuTnyO1l9WzuWCdrUujIwGddxE72+lkt\n"
             "hiYilXDBC8bNrpt5bvzyLn7Ar/tdkbU4byMO9csRM4wTWID1YyvNCguHoIfWBzg8\n"
             "9+rJZnZu2KHAzQlHL/uD7kseX/aih1bc\n"
             "-----END PUBLIC KEY-----\n");
       },
       "conf/x.json: PublicKeys[0].PublicKeyConfig.EncodedKey: must be an RSA 2048 or ECDSA P-256 "
       "public key: EC key is not on the P-256 curve (got secp384r1)"},
      {"KeyGroupUnknownKey",
       [](Json& j) {
         j["KeyGroups"] = Json::parse(R"([{"Id": "kg", "KeyGroupConfig": {"Name": "g", "Items": ["K1"]}}])");
       },
       "conf/x.json: KeyGroups[0].KeyGroupConfig.Items[0]: unknown public key \"K1\" (not in PublicKeys)"},
      {"TrustedKeyGroupUnknown",
       [](Json& j) {
         behavior(j, 0)["TrustedKeyGroups"] = {{"Enabled", true}, {"Quantity", 1}, {"Items", {"kg"}}};
       },
       kB0 + "TrustedKeyGroups.Items[0]: unknown key group \"kg\" (not in KeyGroups)"},
      {"FunctionEventType",
       [](Json& j) {
         behavior(j, 0)["FunctionAssociations"] = Json::parse(R"({"Quantity": 1, "Items": [
           {"FunctionARN": "arn:aws:cloudfront::1:function/f", "EventType": "origin-request"}]})");
       },
       kB0 + "FunctionAssociations.Items[0].EventType: must be one of viewer-request, viewer-response "
             "(got \"origin-request\")"},
  };
}

INSTANTIATE_TEST_SUITE_P(ConfigLoad, ConfigErrors, testing::ValuesIn(errorCases()),
                         [](const testing::TestParamInfo<ErrorCase>& i) { return i.param.name; });

TEST(ConfigLoad, ErrorCarriesFileFieldAndMessageSeparately) {
  Json j = base();
  behavior(j, 1)["PathPattern"] = "";
  const auto r = load(j);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, "conf/x.json");
  EXPECT_EQ(r.error().field, "DistributionConfig.CacheBehaviors.Items[1].PathPattern");
  EXPECT_EQ(r.error().message, "must not be empty");
}

// Robustness: replacing any value of a real export with any other JSON type, or truncating the
// text anywhere, yields a ConfigError (or a config), never an exception or a crash.
TEST(ConfigLoad, NeverThrowsOnMutatedExport) {
  std::ifstream in(std::filesystem::path(__FILE__).parent_path() / "data" / "get-distribution-config.json");
  std::stringstream text;
  text << in.rdbuf();
  const Json doc = Json::parse(text.str());
  const Json flat = doc.flatten();
  const Json replacements[] = {nullptr, -1, 1.5, "x", Json::array({1, "a"})};
  size_t errors = 0;
  size_t leaf = 0;
  for (auto it = flat.begin(); it != flat.end(); ++it, ++leaf) {
    // Two of the replacement types per leaf, rotating, keeps this fast under ASan.
    for (const Json& r : {replacements[leaf % 5], replacements[(leaf + 2) % 5]}) {
      Json mutated = doc;
      mutated[Json::json_pointer(it.key())] = r;
      tl::expected<Config, ConfigError> result;
      ASSERT_NO_THROW(result = parseConfig(mutated.dump(), "m.json")) << it.key();
      if (!result) {
        ++errors;
        EXPECT_FALSE(result.error().message.empty()) << it.key();
        EXPECT_EQ(result.error().file, "m.json");
      }
    }
  }
  EXPECT_GT(errors, flat.size());  // most of the 2 * leaves type changes are rejected
  const std::string s = text.str();
  for (size_t n = 0; n < s.size(); n += 97) {
    ASSERT_NO_THROW((void)parseConfig(std::string_view(s).substr(0, n), "t.json"));
  }
}

}  // namespace
}  // namespace edge::policies
