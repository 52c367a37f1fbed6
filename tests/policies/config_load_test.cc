#include "policies/config_load.h"

#include <algorithm>
#include <filesystem>

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policies/config_load_test_util.h"

namespace edge::policies {
namespace {

using namespace testing_config;

std::filesystem::path sourceDir() { return std::filesystem::path(__FILE__).parent_path(); }

TEST(ConfigLoad, BaseConfigLoadsWithDefaults) {
  const auto r = load(base());
  ASSERT_TRUE(r) << r.error().toString();
  const Config& c = *r;
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(c.source_path, kFile);
  const Distribution& d = c.distribution;
  ASSERT_EQ(d.origins.size(), 2u);
  const Origin& web = d.origins[0];
  EXPECT_EQ(web.connection_attempts, 3);
  EXPECT_EQ(web.connection_timeout_s, 10);
  EXPECT_EQ(web.read_timeout_s, 30);
  EXPECT_EQ(web.keepalive_timeout_s, 5);
  EXPECT_FALSE(web.is_s3);
  EXPECT_EQ(d.origins[1].origin_path, "/v1");
  EXPECT_TRUE(d.default_behavior.is_default);
  EXPECT_EQ(d.default_behavior.path_pattern, "*");
  EXPECT_EQ(d.default_behavior.allowed_methods, (std::vector<Method>{Method::Get, Method::Head}));
  ASSERT_EQ(d.behaviors.size(), 2u);
  EXPECT_EQ(d.behaviors[0].path_pattern, "/api/*");
  EXPECT_EQ(d.behaviors[0].viewer_protocol_policy, ViewerProtocolPolicy::HttpsOnly);
  EXPECT_FALSE(d.behaviors[0].forwarded_values);
  ASSERT_TRUE(d.behaviors[1].forwarded_values);
  EXPECT_TRUE(d.behaviors[1].forwarded_values->query_string);
  EXPECT_EQ(d.behaviors[1].forwarded_values->cookie_forward, ForwardedValues::CookieForward::All);
  EXPECT_EQ(d.behaviors[1].default_ttl, 60);
  EXPECT_EQ(d.behaviors[1].max_ttl, 600);
  EXPECT_EQ(c.edge.listen, (std::vector<ListenAddress>{{"127.0.0.1", 8080}}));
}

// The export as `aws cloudfront get-distribution-config` prints it, with the one resource it
// references that is not built in beside it: its origin access control (as
// `aws cloudfront get-origin-access-control` prints it) and the credentials the edge signs with.
TEST(ConfigLoad, GetDistributionConfigExportLoadsAsIs) {
  const std::string path = (sourceDir() / "data" / "get-distribution-config.json").string();
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Alone, the export names an origin access control the edge cannot sign for.
  const auto bare = parseConfig(text, path);
  ASSERT_FALSE(bare);
  EXPECT_NE(bare.error().toString().find("OriginAccessControlId: unknown origin access control "
                                         "\"E1ABCDEF2GHIJK\" (not in OriginAccessControls)"),
            std::string::npos)
      << bare.error().toString();
  nlohmann::json j = nlohmann::json::parse(text);
  j["OriginAccessControls"] = nlohmann::json::parse(R"([{"OriginAccessControl": {
      "Id": "E1ABCDEF2GHIJK",
      "OriginAccessControlConfig": {"Name": "example-bucket", "Description": "",
        "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"}}, "ETag": "E3UN6WX5RRO2AG"}])");
  j["Edge"]["OriginAccessCredentials"] = {{"AccessKeyId", "AKIDEXAMPLE"}, {"SecretAccessKey", "x"}};
  const auto r = parseConfig(j.dump(), path);
  ASSERT_TRUE(r) << r.error().toString();
  const Config& c = *r;
  EXPECT_EQ(c.etag, "E2QWRUHAPOMQZL");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
  const Distribution& d = c.distribution;
  EXPECT_EQ(d.caller_reference, "cli-example-1700000000");
  EXPECT_EQ(d.aliases, (std::vector<std::string>{"www.example.com", "static.example.com"}));
  EXPECT_EQ(d.default_root_object, "index.html");
  ASSERT_EQ(d.origins.size(), 3u);
  EXPECT_TRUE(d.origins[0].is_s3);
  EXPECT_EQ(d.origins[0].origin_access_control_id, "E1ABCDEF2GHIJK");
  EXPECT_EQ(d.origins[1].protocol_policy, OriginProtocolPolicy::HttpsOnly);
  EXPECT_EQ(d.origins[1].read_timeout_s, 60);
  EXPECT_EQ(d.origins[1].keepalive_timeout_s, 15);
  EXPECT_EQ(d.origins[1].connection_attempts, 2);
  EXPECT_EQ(d.origins[1].custom_headers, (HeaderList{{"X-Origin-Verify", "s3cr3t"}}));
  EXPECT_EQ(d.origins[2].http_port, 8080);
  ASSERT_EQ(d.origin_groups.size(), 1u);
  EXPECT_EQ(d.origin_groups[0].member_origin_ids[0], "legacy-web");
  EXPECT_EQ(d.origin_groups[0].failover_status_codes, (std::vector<int>{500, 502, 503}));
  EXPECT_EQ(d.default_behavior.viewer_protocol_policy, ViewerProtocolPolicy::RedirectToHttps);
  EXPECT_TRUE(d.default_behavior.compress);
  EXPECT_EQ(d.default_behavior.response_headers_policy_id, "67f7725c-6f97-4210-82d7-5512b31e9d03");
  ASSERT_EQ(d.behaviors.size(), 3u);
  EXPECT_EQ(d.behaviors[0].allowed_methods.size(), 7u);
  EXPECT_EQ(d.behaviors[0].origin_request_policy_id, kAllViewerExceptHost);
  EXPECT_EQ(d.behaviors[1].target_origin_id, "web-failover");
  EXPECT_EQ(d.behaviors[1].cached_methods,
            (std::vector<Method>{Method::Get, Method::Head, Method::Options}));
  ASSERT_TRUE(d.behaviors[1].forwarded_values);
  EXPECT_EQ(d.behaviors[1].forwarded_values->cookie_names,
            (std::vector<std::string>{"session", "pref_*"}));
  EXPECT_EQ(d.behaviors[1].forwarded_values->query_string_cache_keys,
            (std::vector<std::string>{"page"}));
  ASSERT_EQ(d.custom_error_responses.size(), 2u);
  EXPECT_EQ(d.custom_error_responses[0].response_code, 404);
  EXPECT_EQ(d.custom_error_responses[0].response_page_path, "/errors/403.html");
  EXPECT_EQ(d.custom_error_responses[1].response_code, std::nullopt);  // "" = unset
  EXPECT_EQ(d.custom_error_responses[1].error_caching_min_ttl, 0);
  EXPECT_EQ(d.http_version, "http2and3");
  EXPECT_EQ(d.price_class, "PriceClass_100");
}

// conf/example.json holds a placeholder where the demo's public key goes: the key pair is made at
// set-up and scripts/demo_render.py puts the PEM in (conf/README.md). The committed file alone is
// refused for that field; with a key in the placeholder's place it loads without warnings.
TEST(ConfigLoad, ExampleConfigLoadsOnceItsKeyIsRendered) {
  const std::string path = (sourceDir() / ".." / ".." / "conf" / "example.json").string();
  const auto committed = loadConfigFile(path);
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().field, "PublicKeys[0].PublicKeyConfig.EncodedKey");

  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in);
  nlohmann::json& encoded = j["PublicKeys"][0]["PublicKeyConfig"]["EncodedKey"];
  ASSERT_EQ(encoded, "@DEMO_PUBLIC_KEY_PEM@");
  encoded =
      "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZmTeIf18GBlcFU4APjknJQpo8SR7\n"
      "mvv56MRy/OMYge5ugUTbKcNG2H8+yPUnbkO5FfgfaG1/HZTCZIJ6CFuTCw==\n-----END PUBLIC KEY-----\n";
  const auto r = parseConfig(j.dump(), path);
  ASSERT_TRUE(r) << r.error().toString();
  const Config& c = *r;
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(c.edge.listen, (std::vector<ListenAddress>{{"127.0.0.1", 8080}}));
  EXPECT_EQ(c.edge.admin_listen, (ListenAddress{"127.0.0.1", 8090}));
  EXPECT_EQ(c.edge.pop_name, "EMU50-C1");
  EXPECT_EQ(c.edge.origin_address_overrides.at("site.s3.us-east-1.amazonaws.com"),
            (ListenAddress{"127.0.0.1", 8081}));
  const Origin* site = c.findOrigin("site");
  ASSERT_NE(site, nullptr);
  EXPECT_TRUE(site->is_s3);
  EXPECT_EQ(c.origin_access_controls.at(site->origin_access_control_id).signing_behavior,
            SigningBehavior::Always);
  ASSERT_TRUE(c.edge.origin_access_credentials);  // the demo key of conf/s3-origin.json
  EXPECT_EQ(c.edge.origin_address_overrides.at("api.origin.test"), (ListenAddress{"127.0.0.1", 8082}));
  EXPECT_EQ(c.distribution.default_root_object, "index.html");
  EXPECT_EQ(c.distribution.default_behavior.cache_policy_id, kOptimized);
  EXPECT_TRUE(c.distribution.default_behavior.compress);
  ASSERT_EQ(c.distribution.behaviors.size(), 2u);

  // /api/*: the registration API, uncached, with what it reads forwarded.
  const Behavior& api = c.distribution.behaviors[0];
  EXPECT_EQ(api.path_pattern, "/api/*");
  EXPECT_EQ(c.findOrigin(api.target_origin_id)->domain_name, "api.origin.test");
  EXPECT_EQ(api.cache_policy_id, kDisabled);
  EXPECT_TRUE(api.allows(Method::Delete));
  const OriginRequestPolicy& orp = c.origin_request_policies.at(api.origin_request_policy_id);
  EXPECT_FALSE(orp.managed);
  EXPECT_EQ(orp.headers.behavior, ListBehavior::Whitelist);
  for (const char* h : {"Origin", "Content-Type", "Accept"}) {
    EXPECT_NE(std::find(orp.headers.names.begin(), orp.headers.names.end(), h), orp.headers.names.end()) << h;
  }
  EXPECT_EQ(orp.query_strings.behavior, ListBehavior::All);
  // Cookies forwarded: the edge passes the API's Set-Cookie (the certificate's signed cookies)
  // to the viewer only then (§3.10).
  EXPECT_EQ(orp.cookies.behavior, ListBehavior::All);

  // /certificates/*: the bucket, behind the key group holding the API's cookie key.
  const Behavior& certs = c.distribution.behaviors[1];
  EXPECT_EQ(certs.path_pattern, "/certificates/*");
  EXPECT_EQ(certs.target_origin_id, "site");
  EXPECT_EQ(certs.cache_policy_id, kOptimized);
  EXPECT_TRUE(certs.compress);
  EXPECT_TRUE(certs.trusted_key_groups_enabled);
  ASSERT_EQ(certs.trusted_key_groups, (std::vector<std::string>{"edged-demo-certificates"}));
  EXPECT_EQ(c.key_groups.at("edged-demo-certificates").public_key_ids,
            (std::vector<std::string>{"K2EDGEDDEMOKEY"}));
  EXPECT_EQ(c.public_keys.count("K2EDGEDDEMOKEY"), 1u);
}

TEST(ConfigLoad, MissingFileIsAnError) {
  const auto r = loadConfigFile("/nonexistent/edged.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().toString(), "/nonexistent/edged.json: cannot open file");
}

TEST(ConfigLoad, SyntaxErrorsHaveNoField) {
  const auto r = parseConfig("{\"DistributionConfig\": ", kFile);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "");
  EXPECT_EQ(r.error().toString().rfind("conf/x.json: invalid JSON: ", 0), 0u) << r.error().toString();
  EXPECT_EQ(parseConfig("[1]", kFile).error().toString(),
            "conf/x.json: top level must be a JSON object");
}

TEST(ConfigLoad, UnknownFieldsAreWarningsNotErrors) {
  Json j = base();
  j["Frobnicate"] = 1;
  origin(j, 0)["Bogus"] = {{"x", 1}};
  dist(j)["DefaultCacheBehavior"]["PathPattern"] = "*";  // not an API field of the default
  const auto r = load(j);
  ASSERT_TRUE(r) << r.error().toString();
  EXPECT_EQ(r->warnings,
            (std::vector<std::string>{
                "conf/x.json: DistributionConfig.Origins.Items[0].Bogus: unknown field, ignored",
                "conf/x.json: DistributionConfig.DefaultCacheBehavior.PathPattern: unknown field, ignored",
                "conf/x.json: Frobnicate: unknown field, ignored"}));
}

TEST(ConfigLoad, KnownButUnusedApiFieldsAreSilent) {
  Json j = base();
  dist(j)["Logging"] = {{"Enabled", false}, {"IncludeCookies", false}, {"Bucket", ""}, {"Prefix", ""}};
  dist(j)["WebACLId"] = "";
  dist(j)["Staging"] = false;
  dist(j)["CacheTagConfig"] = {{"HeaderName", "x"}};
  dist(j)["DefaultCacheBehavior"]["SmoothStreaming"] = false;
  dist(j)["DefaultCacheBehavior"]["FieldLevelEncryptionId"] = "";
  origin(j, 0)["OriginShield"] = {{"Enabled", false}};
  const auto r = load(j);
  ASSERT_TRUE(r) << r.error().toString();
  EXPECT_TRUE(r->warnings.empty()) << r->warnings.front();
}

TEST(ConfigLoad, EdgeSettings) {
  Json j = base();
  j["Edge"] = Json::parse(R"({
    "Listen": ["127.0.0.1:0", "[::1]:8443"], "AdminListen": "localhost:9000", "Workers": 3,
    "DomainName": "D123.cloudfront.net", "PopName": "IAD89-C1", "CacheMemoryBytes": 1048576,
    "OriginAddressOverrides": {"web.test": "127.0.0.1:9001"}, "AccessLog": "/tmp/a.log",
    "AccessLogMaxBytes": 1048576, "AccessLogMaxFiles": 9, "TestClock": true, "MaxRequestHeaderBytes": 1000, "MaxUrlBytes": 500, "MaxHeaderCount": 20,
    "MaxRequestBodyBytes": 0, "HeaderTimeoutMs": 1, "IdleTimeoutMs": 2, "BodyTimeoutMs": 3,
    "SendTimeoutMs": 4, "ShutdownGraceMs": 5, "MaxConnectionsPerWorker": 6,
    "MaxConnectionBufferBytes": 65536, "MaxOriginFetchesPerWorker": 7})");
  const auto r = load(j);
  ASSERT_TRUE(r) << r.error().toString();
  const EdgeSettings& e = r->edge;
  EXPECT_EQ(e.listen, (std::vector<ListenAddress>{{"127.0.0.1", 0}, {"::1", 8443}}));
  EXPECT_EQ(e.admin_listen, (ListenAddress{"localhost", 9000}));
  EXPECT_EQ(e.workers, 3);
  EXPECT_EQ(e.domain_name, "d123.cloudfront.net");
  EXPECT_EQ(e.pop_name, "IAD89-C1");
  EXPECT_EQ(e.cache_memory_bytes, 1048576u);
  EXPECT_EQ(e.origin_address_overrides.at("web.test"), (ListenAddress{"127.0.0.1", 9001}));
  EXPECT_EQ(e.access_log, "/tmp/a.log");
  EXPECT_EQ(e.access_log_max_bytes, 1048576u);
  EXPECT_EQ(e.access_log_max_files, 9u);
  EXPECT_TRUE(e.test_clock);
  EXPECT_EQ(e.max_request_header_bytes, 1000u);
  EXPECT_EQ(e.max_url_bytes, 500u);
  EXPECT_EQ(e.max_header_count, 20u);
  EXPECT_EQ(e.max_request_body_bytes, 0u);
  EXPECT_EQ(e.header_timeout_ms, 1u);
  EXPECT_EQ(e.idle_timeout_ms, 2u);
  EXPECT_EQ(e.body_timeout_ms, 3u);
  EXPECT_EQ(e.send_timeout_ms, 4u);
  EXPECT_EQ(e.shutdown_grace_ms, 5u);
  EXPECT_EQ(e.max_connections_per_worker, 6u);
  EXPECT_EQ(e.max_connection_buffer_bytes, 65536u);
  EXPECT_EQ(e.max_origin_fetches_per_worker, 7u);
  EXPECT_TRUE(r->warnings.empty());
}

TEST(ConfigLoad, EdgeLimitsOutOfRangeNameTheField) {
  const std::pair<const char*, Json> cases[] = {
      {"MaxConnectionBufferBytes", 1024},
      {"MaxOriginFetchesPerWorker", 0},
      {"MaxConnectionsPerWorker", 0},
      {"MaxOriginFetchesPerWorker", "many"},
      {"AccessLogMaxBytes", 100},
      {"AccessLogMaxBytes", -1},
      {"AccessLogMaxFiles", 0},
      {"AccessLog", 5},
  };
  for (const auto& [field, value] : cases) {
    Json j = base();
    j["Edge"] = {{field, value}};
    const auto r = load(j);
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().field, std::string("Edge.") + field) << r.error().toString();
    EXPECT_NE(r.error().toString().find("conf/x.json"), std::string::npos) << r.error().toString();
  }
}

TEST(ConfigLoad, OverrideForNoOriginWarns) {
  Json j = base();
  j["Edge"] = {{"OriginAddressOverrides", {{"typo.test", "127.0.0.1:1"}}}};
  const auto r = load(j);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->warnings, (std::vector<std::string>{
                             "conf/x.json: Edge.OriginAddressOverrides.typo.test: matches no origin DomainName"}));
}

TEST(ConfigLoad, EveryManagedPolicyIdResolves) {
  for (const auto& [id, policy] : managedCachePolicies()) {
    Json j = base();
    behavior(j, 0)["CachePolicyId"] = id;
    const auto r = load(j);
    ASSERT_TRUE(r) << id << ": " << r.error().toString();
    EXPECT_EQ(r->findCachePolicy(r->distribution.behaviors[0].cache_policy_id)->name, policy.name);
  }
  for (const auto& [id, policy] : managedOriginRequestPolicies()) {
    Json j = base();
    behavior(j, 0)["OriginRequestPolicyId"] = id;
    const auto r = load(j);
    ASSERT_TRUE(r) << id << ": " << r.error().toString();
  }
  EXPECT_EQ(managedCachePolicies().size(), 7u);
  EXPECT_EQ(managedOriginRequestPolicies().size(), 8u);
  EXPECT_EQ(managedResponseHeadersPolicies().size(), 5u);
}

TEST(ConfigLoad, ManagedPolicySettings) {
  const CachePolicy& optimized = managedCachePolicies().at(kOptimized);
  EXPECT_EQ(optimized.min_ttl, 1);
  EXPECT_EQ(optimized.default_ttl, 86400);
  EXPECT_TRUE(optimized.enable_accept_encoding_gzip);
  EXPECT_TRUE(optimized.enable_accept_encoding_brotli);
  EXPECT_EQ(optimized.query_strings.behavior, ListBehavior::None);
  const CachePolicy& disabled = managedCachePolicies().at(kDisabled);
  EXPECT_EQ(disabled.max_ttl, 0);
  EXPECT_FALSE(disabled.enable_accept_encoding_gzip);
  const OriginRequestPolicy& except_host = managedOriginRequestPolicies().at(kAllViewerExceptHost);
  EXPECT_EQ(except_host.headers, (NameList{ListBehavior::AllExcept, {"Host"}}));
  EXPECT_EQ(except_host.cookies.behavior, ListBehavior::All);
  const OriginRequestPolicy& cf =
      managedOriginRequestPolicies().at("33f36d7e-f396-46d9-90e0-52428a34d9dc");
  EXPECT_EQ(cf.headers.behavior, ListBehavior::AllViewerAndWhitelistCloudFront);
  EXPECT_EQ(cf.headers.names.size(), 21u);
  const auto rhp = Json::parse(
      managedResponseHeadersPolicies().at("67f7725c-6f97-4210-82d7-5512b31e9d03").config_json);
  EXPECT_EQ(rhp["SecurityHeadersConfig"]["ContentTypeOptions"]["Override"], true);
}

TEST(ConfigLoad, ResourcesInApiShapes) {
  Json j = base();
  j["CachePolicies"] = Json::parse(R"({"Quantity": 2, "Items": [
    {"Id": "cp-bare", "CachePolicyConfig": {"Name": "Bare", "MinTTL": 5, "DefaultTTL": 10, "MaxTTL": 20,
      "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": true,
        "EnableAcceptEncodingBrotli": false,
        "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["X-Ver"]}},
        "CookiesConfig": {"CookieBehavior": "allExcept", "Cookies": {"Quantity": 1, "Items": ["tracking"]}},
        "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": {"Quantity": 2, "Items": ["a", "b"]}}}}},
    {"ETag": "E1", "CachePolicy": {"Id": "cp-wrapped", "LastModifiedTime": "2024-01-01T00:00:00Z",
      "CachePolicyConfig": {"Name": "Wrapped", "MinTTL": 0,
        "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
          "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
          "QueryStringsConfig": {"QueryStringBehavior": "all"}}}}}]})");
  j["OriginRequestPolicies"] = Json::parse(R"([{"Id": "orp", "OriginRequestPolicyConfig": {"Name": "O",
    "HeadersConfig": {"HeaderBehavior": "allViewerAndWhitelistCloudFront",
                      "Headers": {"Quantity": 1, "Items": ["CloudFront-Viewer-Address"]}},
    "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}}])");
  j["ResponseHeadersPolicies"] = Json::parse(R"([{"ResponseHeadersPolicy": {"Id": "rhp",
    "ResponseHeadersPolicyConfig": {"Name": "R", "CustomHeadersConfig": {"Quantity": 0}}}}])");
  j["PublicKeys"] = Json::parse(R"([{"PublicKey": {"Id": "K1", "PublicKeyConfig": {"CallerReference": "c",
    "Name": "k", "EncodedKey": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZmTeIf18GBlcFU4APjknJQpo8SR7\nmvv56MRy/OMYge5ugUTbKcNG2H8+yPUnbkO5FfgfaG1/HZTCZIJ6CFuTCw==\n-----END PUBLIC KEY-----\n"}}}])");
  j["KeyGroups"] = Json::parse(R"([{"KeyGroup": {"Id": "KG", "KeyGroupConfig": {"Name": "g", "Items": ["K1"]}}}])");
  j["Functions"] = Json::parse(R"([{"Name": "rewrite", "FunctionConfig": {"Comment": "", "Runtime": "cloudfront-js-2.0"},
    "FunctionCode": "function handler(event) { return event.request; }"}])");
  behavior(j, 0)["CachePolicyId"] = "cp-bare";
  behavior(j, 0)["OriginRequestPolicyId"] = "orp";
  behavior(j, 0)["ResponseHeadersPolicyId"] = "rhp";
  behavior(j, 0)["TrustedKeyGroups"] = {{"Enabled", true}, {"Quantity", 1}, {"Items", {"KG"}}};
  behavior(j, 0)["FunctionAssociations"] = Json::parse(R"({"Quantity": 1, "Items": [
    {"FunctionARN": "arn:aws:cloudfront::123456789012:function/rewrite", "EventType": "viewer-request"}]})");
  dist(j)["DefaultCacheBehavior"]["CachePolicyId"] = "cp-wrapped";
  const auto r = load(j);
  ASSERT_TRUE(r) << r.error().toString();
  EXPECT_TRUE(r->warnings.empty()) << r->warnings.front();
  const CachePolicy* bare = r->findCachePolicy("cp-bare");
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(bare->min_ttl, 5);
  EXPECT_EQ(bare->max_ttl, 20);
  EXPECT_FALSE(bare->managed);
  EXPECT_EQ(bare->headers, (NameList{ListBehavior::Whitelist, {"X-Ver"}}));
  EXPECT_EQ(bare->cookies, (NameList{ListBehavior::AllExcept, {"tracking"}}));
  EXPECT_EQ(bare->query_strings, (NameList{ListBehavior::Whitelist, {"a", "b"}}));
  EXPECT_EQ(r->findCachePolicy("cp-wrapped")->query_strings.behavior, ListBehavior::All);
  EXPECT_EQ(r->findCachePolicy("cp-wrapped")->default_ttl, 86400);  // API default
  EXPECT_EQ(r->findOriginRequestPolicy("orp")->headers.behavior,
            ListBehavior::AllViewerAndWhitelistCloudFront);
  EXPECT_EQ(r->response_headers_policies.at("rhp").name, "R");
  EXPECT_EQ(r->key_groups.at("KG").public_key_ids, (std::vector<std::string>{"K1"}));
  EXPECT_EQ(r->functions.at("rewrite").runtime, "cloudfront-js-2.0");
  const Behavior& b = r->distribution.behaviors[0];
  EXPECT_TRUE(b.trusted_key_groups_enabled);
  ASSERT_EQ(b.functions.size(), 1u);
  EXPECT_EQ(b.functions[0].event_type, "viewer-request");
  EXPECT_FALSE(b.functions[0].is_lambda);
}

TEST(ConfigLoad, LegacyTtlDefaultsFollowMinTtl) {
  Json j = base();
  behavior(j, 1).erase("DefaultTTL");
  behavior(j, 1).erase("MaxTTL");
  behavior(j, 1)["MinTTL"] = 100000;
  const auto r = load(j);
  ASSERT_TRUE(r) << r.error().toString();
  EXPECT_EQ(r->distribution.behaviors[1].min_ttl, 100000);
  EXPECT_EQ(r->distribution.behaviors[1].default_ttl, 100000);  // §3.1: DefaultTTL becomes MinTTL
  EXPECT_EQ(r->distribution.behaviors[1].max_ttl, 31536000);
}

TEST(ConfigLoad, PathPatternAmpersandEntityIsDecoded) {
  Json j = base();
  behavior(j, 0)["PathPattern"] = "/a&amp;b/*";
  const auto r = load(j);
  ASSERT_TRUE(r) << r.error().toString();
  EXPECT_EQ(r->distribution.behaviors[0].path_pattern, "/a&b/*");
}

TEST(ConfigLoad, DescribeListsBehaviorsInEvaluationOrderDefaultLast) {
  Json j = base();
  j["Edge"] = {{"OriginAddressOverrides", {{"web.test", "127.0.0.1:8081"}}}};
  const auto r = load(j);
  ASSERT_TRUE(r);
  const std::string text = describeConfig(*r);
  const size_t api = text.find("1. /api/*");
  const size_t php = text.find("2. *.php");
  const size_t def = text.find("3. *  (default)");
  ASSERT_NE(api, std::string::npos) << text;
  ASSERT_NE(php, std::string::npos) << text;
  ASSERT_NE(def, std::string::npos) << text;
  EXPECT_LT(api, php);
  EXPECT_LT(php, def);
  EXPECT_NE(text.find("web.test -> 127.0.0.1:8081"), std::string::npos) << text;
  EXPECT_NE(text.find("Managed-CachingDisabled (4135ea2d-6df8-44a3-9df3-4b5a84be39ad)"), std::string::npos);
  EXPECT_NE(text.find("legacy ForwardedValues"), std::string::npos);
  EXPECT_NE(text.find("TTL min/default/max=0/60/600"), std::string::npos);
  EXPECT_NE(text.find("viewer protocol policy: https-only"), std::string::npos);
  EXPECT_NE(text.find("Warnings: 0"), std::string::npos);
}

}  // namespace
}  // namespace edge::policies
