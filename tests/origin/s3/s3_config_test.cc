#include "origin/s3/s3_config.h"

#include <gtest/gtest.h>

namespace edge::s3 {
namespace {

constexpr std::string_view kGood = R"({
  "Listen": "127.0.0.1:9100", "DataDir": "/tmp/d", "Region": "eu-west-1", "Domain": "S3.Example.Test",
  "Credentials": [{"AccessKeyId": "AKID", "SecretAccessKey": "secret"}],
  "Buckets": [{"Name": "site", "Access": "public-read", "Versioning": "Enabled"},
              {"Name": "logs"}]
})";

TEST(S3Config, ParsesEveryField) {
  auto c = parseS3Config(kGood, "conf.json");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->listen, "127.0.0.1:9100");
  EXPECT_EQ(c->data_dir, "/tmp/d");
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->domain, "s3.example.test");
  ASSERT_EQ(c->credentials.size(), 1u);
  EXPECT_EQ(c->credentials[0].access_key_id, "AKID");
  EXPECT_EQ(c->credentials[0].secret_access_key, "secret");
  ASSERT_EQ(c->buckets.size(), 2u);
  EXPECT_EQ(c->buckets[0], (BucketConfig{"site", BucketAccess::PublicRead, Versioning::Enabled}));
  EXPECT_EQ(c->buckets[1], (BucketConfig{"logs", BucketAccess::Private, std::nullopt}));
}

TEST(S3Config, Defaults) {
  auto c = parseS3Config(R"({"Credentials":[{"AccessKeyId":"a","SecretAccessKey":"b"}]})", "x");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->listen, "127.0.0.1:9000");
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->domain, "s3.localhost");
  EXPECT_TRUE(c->data_dir.empty());
  EXPECT_TRUE(c->buckets.empty());
}

struct BadCase {
  std::string json;
  std::string expected;  // substring of the error
};

class S3ConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(S3ConfigErrors, NamesFileAndField) {
  auto c = parseS3Config(GetParam().json, "/etc/s3.json");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().rfind("/etc/s3.json: ", 0), 0u) << c.error();
  EXPECT_NE(c.error().find(GetParam().expected), std::string::npos) << c.error();
}

#define CREDS R"("Credentials":[{"AccessKeyId":"a","SecretAccessKey":"b"}])"
INSTANTIATE_TEST_SUITE_P(
    Table, S3ConfigErrors,
    ::testing::Values(BadCase{"{", "not valid JSON"}, BadCase{"[]", "must be a JSON object"},
                      BadCase{"{}", "Credentials: missing"},
                      BadCase{R"({"Credentials":[]})", "Credentials: must be a non-empty array"},
                      BadCase{R"({"Credentials":[{"AccessKeyId":"a"}]})", "Credentials[0].SecretAccessKey: missing"},
                      BadCase{R"({"Credentials":[{"AccessKeyId":"","SecretAccessKey":"b"}]})",
                              "Credentials[0].AccessKeyId: must not be empty"},
                      BadCase{"{" CREDS R"(,"Listen":"nowhere"})", "Listen: \"nowhere\" is not host:port"},
                      BadCase{"{" CREDS R"(,"Listen":9000})", "Listen: must be a string"},
                      BadCase{"{" CREDS R"(,"Bucket":[]})", "Bucket: unknown field"},
                      BadCase{"{" CREDS R"(,"Buckets":{}})", "Buckets: must be an array"},
                      BadCase{"{" CREDS R"(,"Buckets":[{"Name":"ok-name"},{"Name":"Bad_Name"}]})",
                              "Buckets[1].Name: \"Bad_Name\" is not a valid S3 bucket name"},
                      BadCase{"{" CREDS R"(,"Buckets":[{"Name":"ab"}]})", "Buckets[0].Name"},
                      BadCase{"{" CREDS R"(,"Buckets":[{"Name":"abc"},{"Name":"abc"}]})",
                              "Buckets[1].Name: \"abc\" is listed twice"},
                      BadCase{"{" CREDS R"(,"Buckets":[{"Name":"abc","Access":"public"}]})",
                              "Buckets[0].Access: must be \"private\" or \"public-read\""},
                      BadCase{"{" CREDS R"(,"Buckets":[{"Name":"abc","Versioning":"On"}]})",
                              "Buckets[0].Versioning: must be \"Enabled\" or \"Suspended\""},
                      BadCase{"{" CREDS R"(,"Buckets":[{"Name":"abc","Acess":"private"}]})",
                              "Buckets[0].Acess: unknown field"}));

TEST(S3Config, LoadNamesMissingFile) {
  auto c = loadS3Config("/nonexistent/dir/s3.json");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(), "/nonexistent/dir/s3.json: cannot be read");
}

}  // namespace
}  // namespace edge::s3
