#include "origin/registration/registration_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace edge::registration {
namespace {

using nlohmann::json;

json validConfig() {
  return json::parse(R"({
    "Listen": "127.0.0.1:8082", "Database": "r.db",
    "AllowedOrigins": ["http://127.0.0.1:8080", "https://example.com"],
    "Conference": {"Name": "EdgeConf", "Sessions": [{"Id": "keynote", "Title": "Opening"}, {"Id": "b", "Title": "B"}]},
    "Certificates": {"Endpoint": "127.0.0.1:8081", "Bucket": "site", "AccessKeyId": "AK", "SecretAccessKey": "SK"},
    "SignedCookies": {"KeyPairId": "K1", "PrivateKeyFile": "k.pem", "TtlSeconds": 60},
    "OriginVerifyHeader": {"Name": "X-Origin-Verify", "Value": "v"}
  })");
}

std::string errorOf(const json& j) {
  auto r = parseRegistrationConfig(j.dump(), "cfg.json");
  return r ? std::string("(accepted)") : r.error();
}

TEST(RegistrationConfig, ParsesEveryFieldAndDefaults) {
  auto r = parseRegistrationConfig(validConfig().dump(), "cfg.json");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->listen, "127.0.0.1:8082");
  EXPECT_EQ(r->database, "r.db");
  EXPECT_EQ(r->allowed_origins.size(), 2u);
  EXPECT_EQ(r->conference_name, "EdgeConf");
  ASSERT_EQ(r->sessions.size(), 2u);
  EXPECT_EQ(r->sessions[0].title, "Opening");
  EXPECT_EQ(r->certificates.key_prefix, "certificates/");
  EXPECT_EQ(r->certificates.region, "us-east-1");
  EXPECT_EQ(r->certificates.url_prefix, "/certificates/");
  EXPECT_EQ(r->certificates.url("r_x"), "/certificates/r_x.svg");
  ASSERT_TRUE(r->signed_cookies);
  EXPECT_EQ(r->signed_cookies->ttl_seconds, 60);
  ASSERT_TRUE(r->origin_verify);
  EXPECT_EQ(r->origin_verify->name, "X-Origin-Verify");
}

TEST(RegistrationConfig, OptionalSectionsMayBeAbsent) {
  json j = validConfig();
  j.erase("SignedCookies");
  j.erase("OriginVerifyHeader");
  j.erase("AllowedOrigins");
  auto r = parseRegistrationConfig(j.dump(), "cfg.json");
  ASSERT_TRUE(r) << r.error();
  EXPECT_FALSE(r->signed_cookies);
  EXPECT_FALSE(r->origin_verify);
  EXPECT_TRUE(r->allowed_origins.empty());
}

struct BadCase {
  const char* pointer;  // JSON pointer to set
  json value;
  const char* expected;  // error text after "cfg.json: "
};

class RegistrationConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(RegistrationConfigErrors, NamesFileAndField) {
  json j = validConfig();
  j[json::json_pointer(GetParam().pointer)] = GetParam().value;
  EXPECT_EQ(errorOf(j).rfind(std::string("cfg.json: ") + GetParam().expected, 0), 0u) << errorOf(j);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, RegistrationConfigErrors,
    ::testing::Values(BadCase{"/Bogus", 1, "Bogus: unknown field"},
                      BadCase{"/Listen", "nope", "Listen: "},
                      BadCase{"/Database", 5, "Database: must be a string"},
                      BadCase{"/AllowedOrigins", json::array({"http://ok", "ftp://x"}), "AllowedOrigins[1]: "},
                      BadCase{"/AllowedOrigins/0", "http://a/path", "AllowedOrigins[0]: "},
                      BadCase{"/Conference/Extra", true, "Conference.Extra: unknown field"},
                      BadCase{"/Conference/Name", "", "Conference.Name: must not be empty"},
                      BadCase{"/Conference/Sessions", json::array(), "Conference.Sessions: must be a non-empty array"},
                      BadCase{"/Conference/Sessions/1/Id", "keynote", "Conference.Sessions[1].Id: "},
                      BadCase{"/Conference/Sessions/0/Color", "red", "Conference.Sessions[0].Color: unknown field"},
                      BadCase{"/Certificates/Endpoint", "no-port", "Certificates.Endpoint: "},
                      BadCase{"/Certificates/Bucket", 3, "Certificates.Bucket: must be a string"},
                      BadCase{"/Certificates/UrlPrefix", "certs/", "Certificates.UrlPrefix: must start with '/'"},
                      BadCase{"/Certificates/Secret", "x", "Certificates.Secret: unknown field"},
                      BadCase{"/SignedCookies/TtlSeconds", 0, "SignedCookies.TtlSeconds: must be 1..604800"},
                      BadCase{"/SignedCookies/TtlSeconds", 604801, "SignedCookies.TtlSeconds: must be 1..604800"},
                      BadCase{"/SignedCookies/KeyPairId", "", "SignedCookies.KeyPairId: must not be empty"},
                      BadCase{"/OriginVerifyHeader/Name", "Bad Name", "OriginVerifyHeader.Name: "},
                      BadCase{"/OriginVerifyHeader/Value", 1, "OriginVerifyHeader.Value: must be a string"}));

TEST(RegistrationConfig, MissingRequiredFieldsAreNamed) {
  for (const char* field : {"AccessKeyId", "SecretAccessKey", "Endpoint", "Bucket"}) {
    json j = validConfig();
    j["Certificates"].erase(field);
    EXPECT_EQ(errorOf(j), std::string("cfg.json: Certificates.") + field + ": missing");
  }
  json j = validConfig();
  j.erase("Conference");
  EXPECT_EQ(errorOf(j), "cfg.json: Conference: missing");
  j = validConfig();
  j["SignedCookies"].erase("PrivateKeyFile");
  EXPECT_EQ(errorOf(j), "cfg.json: SignedCookies.PrivateKeyFile: missing");
}

TEST(RegistrationConfig, BadDocumentAndUnreadableFile) {
  EXPECT_EQ(parseRegistrationConfig("{", "cfg.json").error(), "cfg.json: (document): not valid JSON");
  EXPECT_EQ(parseRegistrationConfig("[]", "cfg.json").error(), "cfg.json: (document): must be a JSON object");
  auto r = loadRegistrationConfig("/nonexistent/dir/cfg.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "/nonexistent/dir/cfg.json: cannot be read");
}

}  // namespace
}  // namespace edge::registration
