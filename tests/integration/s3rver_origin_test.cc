// The edge in front of npm's s3rver (tests/support/s3rver.h), a third-party S3 implementation:
// the same distribution shape as in front of the project's own S3 server (an S3 origin by its
// REST endpoint name, origin access control signing, CachingOptimized, Compress on), to show
// the edge is not tuned to our own origin. s3rver does not check SigV4 signatures; the
// signatures themselves are checked against botocore elsewhere (origin_access_test.cc).
#include <gtest/gtest.h>

#include "support/content_decoding.h"
#include "support/harness.h"
#include "support/s3_distribution.h"
#include "support/s3rver.h"

namespace edge::itest {
namespace {

class EdgeBeforeS3rver : public ::testing::Test {
 protected:
  EdgeBeforeS3rver()
      : s3_("tb"),
        edged_(s3DistributionConfig({.domain = "tb.s3.amazonaws.com",
                                     .address = "127.0.0.1:" + std::to_string(s3_.port()),
                                     .signing_behavior = "always",
                                     .access_key_id = S3rver::kAccessKeyId,
                                     .secret_access_key = S3rver::kSecretAccessKey}),
               s3_.port()) {}

  // Uploads straight to s3rver (path-style; it takes unsigned PUTs).
  void put(const std::string& key, const std::string& body, const std::vector<std::string>& headers) {
    HttpResponse r = http_.put(s3_.endpoint() + "/tb/" + key, headers, body);
    ASSERT_EQ(r.status, 200) << r;
  }
  HttpResponse direct(const std::string& key) { return http_.get(s3_.endpoint() + "/tb/" + key); }

  S3rver s3_;
  Edged edged_;
  Http http_;
};

TEST_F(EdgeBeforeS3rver, ObjectsMissThenHitWithS3sHeaders) {
  std::string page = "<!doctype html><title>t</title>";
  while (page.size() < 4000) page += "<p>CloudFront in front of a bucket</p>\n";
  put("index.html", page, {"Content-Type: text/html", "Cache-Control: max-age=300"});
  const HttpResponse origin = direct("index.html");
  ASSERT_EQ(origin.status, 200) << origin;

  // DefaultRootObject: "/" is /index.html.
  HttpResponse miss = http_.get(edged_.url("/"));
  ASSERT_EQ(miss.status, 200) << miss;
  EXPECT_EQ(miss.body, page);
  EXPECT_EQ(miss.headers.get("x-cache"), "Miss from cloudfront");
  EXPECT_EQ(miss.headers.get("etag"), origin.headers.get("etag"));
  EXPECT_EQ(miss.headers.get("content-type"), "text/html");
  EXPECT_EQ(miss.headers.get("cache-control"), "max-age=300");
  EXPECT_EQ(miss.headers.get("last-modified"), origin.headers.get("last-modified"));
  HttpResponse hit = http_.get(edged_.url("/index.html"));
  ASSERT_EQ(hit.status, 200) << hit;
  EXPECT_EQ(hit.headers.get("x-cache"), "Hit from cloudfront");
  EXPECT_EQ(hit.body, page);

  // Compressed at the edge (s3rver sends identity): a gzip variant, fetched once.
  HttpResponse gz = http_.get(edged_.url("/index.html"), {"Accept-Encoding: gzip"});
  ASSERT_EQ(gz.status, 200) << gz;
  EXPECT_EQ(gz.headers.get("content-encoding"), "gzip");
  EXPECT_EQ(testing_decode::gunzip(gz.body), page);
  EXPECT_EQ(gz.headers.get("etag"), "W/" + origin.headers.get("etag").value_or("?"));

  // A conditional request against the cached object.
  HttpResponse not_modified =
      http_.get(edged_.url("/index.html"), {"If-None-Match: " + origin.headers.get("etag").value_or("")});
  EXPECT_EQ(not_modified.status, 304) << not_modified;
}

TEST_F(EdgeBeforeS3rver, RangeAndMissingKeysAndNestedKeys) {
  std::string blob(300000, '\0');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>((i * 7919) >> 3);
  put("media/clip.bin", blob, {"Content-Type: application/octet-stream"});
  put("dir1/dir2/a%20b.txt", "spaced key", {"Content-Type: text/plain"});

  HttpResponse range = http_.get(edged_.url("/media/clip.bin"), {"Range: bytes=1000-1999"});
  ASSERT_EQ(range.status, 206) << range;
  EXPECT_EQ(range.body, blob.substr(1000, 1000));
  EXPECT_EQ(range.headers.get("content-range"), "bytes 1000-1999/300000");
  HttpResponse whole = http_.get(edged_.url("/media/clip.bin"));
  ASSERT_EQ(whole.status, 200) << whole;
  EXPECT_EQ(sha256Hex(whole.body), sha256Hex(blob));

  HttpResponse spaced = http_.get(edged_.url("/dir1/dir2/a%20b.txt"));
  ASSERT_EQ(spaced.status, 200) << spaced;
  EXPECT_EQ(spaced.body, "spaced key");

  // s3rver's NoSuchKey passes through; CloudFront caches a 404 (ErrorCachingMinTTL 10 s, §3.3).
  HttpResponse missing = http_.get(edged_.url("/nope.html"));
  EXPECT_EQ(missing.status, 404) << missing;
  EXPECT_NE(missing.body.find("<Code>NoSuchKey</Code>"), std::string::npos) << missing.body;
  EXPECT_EQ(missing.headers.get("x-cache"), "Error from cloudfront");
  put("nope.html", "now here", {"Content-Type: text/html"});
  HttpResponse still = http_.get(edged_.url("/nope.html"));
  EXPECT_EQ(still.status, 404) << "the 404 is served from the cache for ErrorCachingMinTTL";
}

}  // namespace
}  // namespace edge::itest
