#include "origin/s3/s3_request.h"

#include <gtest/gtest.h>

namespace edge::s3 {
namespace {

struct AddrCase {
  std::string host, path;
  S3Address expected;
};
class S3Addressing : public ::testing::TestWithParam<AddrCase> {};

TEST_P(S3Addressing, Resolves) {
  auto a = resolveAddress(GetParam().host, GetParam().path, "s3.localhost");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(*a, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, S3Addressing,
    ::testing::Values(
        AddrCase{"127.0.0.1:9000", "/", {AddressStyle::Path, "", ""}},
        AddrCase{"127.0.0.1:9000", "/site", {AddressStyle::Path, "site", ""}},
        AddrCase{"127.0.0.1:9000", "/site/", {AddressStyle::Path, "site", ""}},
        AddrCase{"127.0.0.1", "/site/dir1/test.txt", {AddressStyle::Path, "site", "dir1/test.txt"}},
        AddrCase{"localhost:1", "/site/a%20b+c%2Fd", {AddressStyle::Path, "site", "a b+c/d"}},
        AddrCase{"localhost", "/site//x", {AddressStyle::Path, "site", "/x"}},
        AddrCase{"s3.localhost:9000", "/site/k", {AddressStyle::Path, "site", "k"}},
        AddrCase{"site.s3.localhost:9000", "/dir/k", {AddressStyle::VirtualHost, "site", "dir/k"}},
        AddrCase{"My.Site.S3.LOCALHOST", "/", {AddressStyle::VirtualHost, "my.site", ""}},
        AddrCase{"site.s3.amazonaws.com", "/k", {AddressStyle::VirtualHost, "site", "k"}},
        AddrCase{"site.s3.eu-west-1.amazonaws.com", "/k", {AddressStyle::VirtualHost, "site", "k"}},
        AddrCase{"site.s3-eu-west-1.amazonaws.com", "/k", {AddressStyle::VirtualHost, "site", "k"}},
        AddrCase{"a.b.s3.us-east-1.amazonaws.com:443", "/k", {AddressStyle::VirtualHost, "a.b", "k"}},
        AddrCase{"s3.amazonaws.com", "/site/k", {AddressStyle::Path, "site", "k"}},
        AddrCase{"s3.eu-west-1.amazonaws.com", "/site/k", {AddressStyle::Path, "site", "k"}},
        AddrCase{"example.com", "/site/k", {AddressStyle::Path, "site", "k"}},
        AddrCase{"[::1]:9000", "/site/k", {AddressStyle::Path, "site", "k"}},
        AddrCase{"", "/site/k%E2%82%AC", {AddressStyle::Path, "site", "k\xE2\x82\xAC"}}));

TEST(S3Addressing, RejectsBadPaths) {
  EXPECT_FALSE(resolveAddress("h", "/site/%zz", "s3.localhost"));
  EXPECT_FALSE(resolveAddress("h", "/site/a%00b", "s3.localhost"));
  EXPECT_FALSE(resolveAddress("h", "site", "s3.localhost"));
}

TEST(S3BucketName, Rules) {
  EXPECT_TRUE(validBucketName("site"));
  EXPECT_TRUE(validBucketName("my-bucket.v2"));
  EXPECT_TRUE(validBucketName(std::string(63, 'a')));
  EXPECT_FALSE(validBucketName(std::string(64, 'a')));
  EXPECT_FALSE(validBucketName("ab"));
  EXPECT_FALSE(validBucketName("Site"));
  EXPECT_FALSE(validBucketName("-site"));
  EXPECT_FALSE(validBucketName("site-"));
  EXPECT_FALSE(validBucketName("my..bucket"));
  EXPECT_FALSE(validBucketName("my_bucket"));
  EXPECT_FALSE(validBucketName("192.168.1.1"));
}

TEST(S3Query, ParsesKnownParameters) {
  auto q = parseQuery("list-type=2&prefix=dir%2F&delimiter=%2F&max-keys=2&continuation-token=abc%3D&"
                      "encoding-type=url&start-after=a+b&fetch-owner=false&versionId=v1&x-id=GetObject");
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ(q->list_type, "2");
  EXPECT_EQ(q->prefix, "dir/");
  EXPECT_EQ(q->delimiter, "/");
  EXPECT_EQ(q->max_keys, "2");
  EXPECT_EQ(q->continuation_token, "abc=");
  EXPECT_EQ(q->encoding_type, "url");
  EXPECT_EQ(q->start_after, "a b");
  EXPECT_EQ(q->version_id, "v1");
  EXPECT_TRUE(q->unsupported.empty());
}

TEST(S3Query, SubresourcesAndOverrides) {
  auto q = parseQuery("versioning");
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->versioning);
  q = parseQuery("delete=");
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->del);
  q = parseQuery("response-content-type=text%2Fplain&X-Amz-Signature=abc");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->response_overrides.size(), 1u);
  EXPECT_EQ(q->response_overrides[0].first, "Content-Type");
  EXPECT_EQ(q->response_overrides[0].second, "text/plain");
  q = parseQuery("acl&uploads");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->unsupported, (std::vector<std::string>{"acl", "uploads"}));
  EXPECT_FALSE(parseQuery("prefix=%4"));
}

struct RouteCase {
  std::string method, bucket, key, query;
  bool copy;
  Operation expected;
};
class S3Routing : public ::testing::TestWithParam<RouteCase> {};

TEST_P(S3Routing, Routes) {
  const auto& c = GetParam();
  auto q = parseQuery(c.query);
  ASSERT_TRUE(q);
  EXPECT_EQ(routeOperation(c.method, S3Address{AddressStyle::Path, c.bucket, c.key}, *q, c.copy), c.expected)
      << c.method << " " << c.bucket << "/" << c.key << "?" << c.query;
}

INSTANTIATE_TEST_SUITE_P(
    Table, S3Routing,
    ::testing::Values(RouteCase{"GET", "", "", "", false, Operation::ListBuckets},
                      RouteCase{"PUT", "", "", "", false, Operation::MethodNotAllowed},
                      RouteCase{"PUT", "b", "", "", false, Operation::CreateBucket},
                      RouteCase{"DELETE", "b", "", "", false, Operation::DeleteBucket},
                      RouteCase{"HEAD", "b", "", "", false, Operation::HeadBucket},
                      RouteCase{"GET", "b", "", "location", false, Operation::GetBucketLocation},
                      RouteCase{"GET", "b", "", "versioning", false, Operation::GetBucketVersioning},
                      RouteCase{"PUT", "b", "", "versioning", false, Operation::PutBucketVersioning},
                      RouteCase{"GET", "b", "", "", false, Operation::ListObjects},
                      RouteCase{"GET", "b", "", "list-type=2&prefix=a", false, Operation::ListObjectsV2},
                      RouteCase{"GET", "b", "", "versions&prefix=a", false, Operation::ListObjectVersions},
                      RouteCase{"POST", "b", "", "delete", false, Operation::DeleteObjects},
                      RouteCase{"POST", "b", "", "", false, Operation::MethodNotAllowed},
                      RouteCase{"GET", "b", "", "acl", false, Operation::NotImplemented},
                      RouteCase{"PUT", "b", "k", "", false, Operation::PutObject},
                      RouteCase{"PUT", "b", "k", "", true, Operation::CopyObject},
                      RouteCase{"PUT", "b", "k", "tagging", false, Operation::NotImplemented},
                      RouteCase{"POST", "b", "k", "uploads", false, Operation::NotImplemented},
                      RouteCase{"GET", "b", "k", "versionId=x", false, Operation::GetObject},
                      RouteCase{"HEAD", "b", "k", "", false, Operation::HeadObject},
                      RouteCase{"DELETE", "b", "k", "versionId=x", false, Operation::DeleteObject},
                      RouteCase{"POST", "b", "k", "", false, Operation::MethodNotAllowed},
                      RouteCase{"PATCH", "b", "k", "", false, Operation::MethodNotAllowed},
                      RouteCase{"OPTIONS", "b", "k", "", false, Operation::MethodNotAllowed}));

TEST(S3ListingEncoding, UrlEncodesLikeS3) {
  EXPECT_EQ(urlEncodeForListing("dir/a b+c&d.txt"), "dir/a%20b%2Bc%26d.txt");
  EXPECT_EQ(urlEncodeForListing("\xE2\x82\xAC~_-"), "%E2%82%AC~_-");
  EXPECT_EQ(urlEncodeForListing("<x>"), "%3Cx%3E");
}

}  // namespace
}  // namespace edge::s3
