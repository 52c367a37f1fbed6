// edged-s3 against requests signed by botocore (Debian's python3-botocore 1.29.27, through
// tests/interop/sigv4_botocore.py; no one here wrote its signing code): header-signed PUT / GET /
// HEAD / ListObjectsV2 and a presigned GET are accepted; the same requests signed with another
// secret are refused with S3's SignatureDoesNotMatch; a body that is not the one whose SHA-256 was
// signed is refused with XAmzContentSHA256Mismatch; and botocore's aws-chunked uploads with a
// checksum trailer (what newer AWS CLIs send) store the decoded body. botocore is a required test
// dependency: the tests fail, never skip, without it.
#include <ctime>

#include <gtest/gtest.h>

#include "support/botocore_sigv4.h"
#include "support/harness.h"
#include "support/s3_server.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

std::vector<std::string> headerLines(const Json& headers) {
  std::vector<std::string> out;
  for (const auto& h : headers) out.push_back(h[0].get<std::string>() + ": " + h[1].get<std::string>());
  return out;
}

class S3Botocore : public ::testing::Test {
 protected:
  // A botocore sign case for `method` on `path_and_query` of the server.
  Json signCase(const std::string& method, const std::string& path_and_query, const Json& headers,
                const std::optional<std::string>& body, const std::string& secret) const {
    return {{"method", method},
            {"url", s3_.url(path_and_query)},
            {"headers", headers},
            {"body", body ? Json(*body) : Json(nullptr)},
            {"unsigned", false},
            {"access_key", s3_.options().access_key_id},
            {"secret_key", secret},
            {"region", s3_.options().region},
            {"time", static_cast<int64_t>(std::time(nullptr))}};
  }
  HttpResponse send(const std::string& method, const std::string& path_and_query, const Json& signed_out,
                    const std::string* body) {
    return http_.request(method, s3_.url(path_and_query), headerLines(signed_out["headers"]), body);
  }

  S3Server s3_;
  Http http_;
};

TEST_F(S3Botocore, SignedRequestsAcceptedWrongSecretRefused) {
  const std::string secret = s3_.options().secret_access_key;
  const std::string body = "signed by botocore\n";
  const Json type = Json::array({Json::array({"Content-Type", "text/plain"})});
  Json cases = Json::array({
      signCase("PUT", "/site/dir/b%20c.txt", type, body, secret),
      signCase("GET", "/site/dir/b%20c.txt", Json::array(), std::nullopt, secret),
      signCase("HEAD", "/site/dir/b%20c.txt", Json::array(), std::nullopt, secret),
      signCase("GET", "/site?list-type=2&prefix=dir%2F", Json::array(), std::nullopt, secret),
      signCase("PUT", "/site/dir/wrong.txt", type, body, "not-the-secret"),
      signCase("GET", "/site/dir/b%20c.txt", Json::array(), std::nullopt, "not-the-secret"),
  });
  Json presign = signCase("GET", "/site/dir/b%20c.txt", Json::array(), std::nullopt, secret);
  presign["presign_expires"] = 300;
  Json presign_wrong = signCase("GET", "/site/dir/b%20c.txt", Json::array(), std::nullopt, "nope");
  presign_wrong["presign_expires"] = 300;
  cases.push_back(presign);
  cases.push_back(presign_wrong);
  const Json out = runBotocoreSigv4("sign", cases);
  ASSERT_EQ(out.size(), cases.size());

  HttpResponse put = send("PUT", "/site/dir/b%20c.txt", out[0], &body);
  ASSERT_EQ(put.status, 200) << put << s3_.stderrText();
  HttpResponse get = send("GET", "/site/dir/b%20c.txt", out[1], nullptr);
  ASSERT_EQ(get.status, 200) << get;
  EXPECT_EQ(get.body, body);
  EXPECT_EQ(get.headers.get("content-type"), "text/plain");
  EXPECT_EQ(get.headers.get("etag"), put.headers.get("etag"));
  HttpResponse head = send("HEAD", "/site/dir/b%20c.txt", out[2], nullptr);
  EXPECT_EQ(head.status, 200) << head;
  EXPECT_EQ(head.headers.get("content-length"), std::to_string(body.size()));
  HttpResponse list = send("GET", "/site?list-type=2&prefix=dir%2F", out[3], nullptr);
  ASSERT_EQ(list.status, 200) << list;
  EXPECT_NE(list.body.find("<Key>dir/b c.txt</Key>"), std::string::npos) << list.body;

  HttpResponse wrong_put = send("PUT", "/site/dir/wrong.txt", out[4], &body);
  EXPECT_EQ(wrong_put.status, 403) << wrong_put;
  EXPECT_NE(wrong_put.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos) << wrong_put.body;
  HttpResponse wrong_get = send("GET", "/site/dir/b%20c.txt", out[5], nullptr);
  EXPECT_EQ(wrong_get.status, 403) << wrong_get;
  EXPECT_NE(wrong_get.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos);
  EXPECT_EQ(wrong_get.body.find(body), std::string::npos);

  HttpResponse presigned = http_.get(out[6]["url"].get<std::string>());
  EXPECT_EQ(presigned.status, 200) << presigned;
  EXPECT_EQ(presigned.body, body);
  HttpResponse presigned_wrong = http_.get(out[7]["url"].get<std::string>());
  EXPECT_EQ(presigned_wrong.status, 403) << presigned_wrong;
  EXPECT_NE(presigned_wrong.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos);
  // Nothing was stored by the refused PUT.
  HttpResponse absent = http_.get(s3_.url("/site/dir/wrong.txt"),
                                  s3_.signedHeaders("GET", "/site/dir/wrong.txt", "", ""));
  EXPECT_EQ(absent.status, 404) << absent;
}

TEST_F(S3Botocore, BodyOtherThanTheSignedOneIsRefused) {
  const std::string signed_body = "the body botocore hashed";
  const std::string sent_body = "another body, same length!";
  const Json out = runBotocoreSigv4(
      "sign", Json::array({signCase("PUT", "/site/swapped.txt",
                                    Json::array({Json::array({"Content-Type", "text/plain"})}),
                                    signed_body, s3_.options().secret_access_key)}));
  ASSERT_EQ(out.size(), 1u);
  HttpResponse r = send("PUT", "/site/swapped.txt", out[0], &sent_body);
  EXPECT_EQ(r.status, 400) << r;
  EXPECT_NE(r.body.find("<Code>XAmzContentSHA256Mismatch</Code>"), std::string::npos) << r.body;
  HttpResponse absent = http_.get(s3_.url("/site/swapped.txt"),
                                  s3_.signedHeaders("GET", "/site/swapped.txt", "", ""));
  EXPECT_EQ(absent.status, 404) << absent;
}

TEST_F(S3Botocore, AwsChunkedTrailerUploadsStoreTheDecodedBody) {
  std::string body;
  for (int i = 0; body.size() < 200000; ++i) body += "line " + std::to_string(i) + " of a chunked upload\n";
  Json cases = Json::array();
  for (const char* algorithm : {"crc32", "sha256"}) {
    Json c = signCase("PUT", std::string("/site/chunked-") + algorithm + ".txt",
                      Json::array({Json::array({"Content-Type", "text/plain"})}), body,
                      s3_.options().secret_access_key);
    c.erase("unsigned");
    c["algorithm"] = algorithm;
    c["chunk_size"] = 65536;
    cases.push_back(c);
  }
  const Json out = runBotocoreSigv4("chunked", cases);
  ASSERT_EQ(out.size(), cases.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string path = cases[i]["url"].get<std::string>().substr(s3_.endpoint().size());
    const std::string wire = base64Decode(out[i]["wire_base64"].get<std::string>());
    HttpResponse put = http_.request("PUT", s3_.url(path), headerLines(out[i]["headers"]), &wire);
    ASSERT_EQ(put.status, 200) << path << "\n" << put << s3_.stderrText();
    HttpResponse get = http_.get(s3_.url(path), s3_.signedHeaders("GET", path, "", ""));
    ASSERT_EQ(get.status, 200) << get;
    EXPECT_EQ(get.body.size(), body.size());
    EXPECT_TRUE(get.body == body) << path;
    EXPECT_FALSE(get.headers.has("content-encoding")) << "aws-chunked is not a stored encoding";
  }
}

}  // namespace
}  // namespace edge::itest
