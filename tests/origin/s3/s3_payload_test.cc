#include "origin/s3/s3_payload.h"

#include <gtest/gtest.h>

#include "origin/s3/s3_digest.h"

namespace edge::s3 {
namespace {

namespace sigv4 = policies::sigv4;

struct Collected {
  std::string bytes;
  PayloadReader::Sink sink() {
    return [this](std::string_view b) {
      bytes.append(b);
      return true;
    };
  }
};

TEST(S3Digest, KnownAnswers) {
  Digest md5(Digest::Kind::Md5);
  md5.update("hello\n");
  EXPECT_EQ(md5.finishHex(), "b1946ac92492d2347c6235b4d2611184");
  Digest sha(Digest::Kind::Sha256);
  EXPECT_EQ(sha.finishHex(), sigv4::kEmptySha256);
  EXPECT_EQ(base64Decode("1B2M2Y8AsgTpgAmY7PhCfg=="), std::string("\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09\x98\xec\xf8\x42\x7e", 16));
  EXPECT_EQ(base64Encode("ab"), "YWI=");
  EXPECT_EQ(base64Decode("YWI="), "ab");
  EXPECT_EQ(base64Decode("YQ=="), "a");
  EXPECT_FALSE(base64Decode("abc"));
  EXPECT_FALSE(base64Decode("a!c="));
}

TEST(S3Payload, AnonymousPassesThrough) {
  policies::HeaderList h{{"Content-Length", "5"}};
  Collected c;
  PayloadReader r(nullptr, h, c.sink());
  EXPECT_FALSE(r.start());
  EXPECT_FALSE(r.feed("ab"));
  EXPECT_FALSE(r.feed("cde"));
  EXPECT_FALSE(r.finish());
  EXPECT_EQ(c.bytes, "abcde");
}

TEST(S3Payload, Sha256Mismatch) {
  sigv4::Verified v;
  v.payload = sigv4::PayloadMode::Sha256;
  v.payload_sha256 = sigv4::sha256Hex("expected");
  policies::HeaderList h{{"Content-Length", "8"}};
  Collected c;
  PayloadReader good(&v, h, c.sink());
  EXPECT_FALSE(good.start());
  EXPECT_FALSE(good.feed("expected"));
  EXPECT_FALSE(good.finish());
  PayloadReader bad(&v, h, c.sink());
  EXPECT_FALSE(bad.feed("tampered"));
  auto f = bad.finish();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->code, "XAmzContentSHA256Mismatch");
  EXPECT_EQ(f->status, 400);
}

TEST(S3Payload, ShortBodyIsIncomplete) {
  policies::HeaderList h{{"Content-Length", "10"}};
  Collected c;
  PayloadReader r(nullptr, h, c.sink());
  EXPECT_FALSE(r.start());
  EXPECT_FALSE(r.feed("abc"));
  auto f = r.finish();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->code, "IncompleteBody");
}

TEST(S3Payload, TooLargeAnnounced) {
  policies::HeaderList h{{"Content-Length", std::to_string(kMaxSinglePutBytes + 1)}};
  Collected c;
  PayloadReader r(nullptr, h, c.sink());
  auto f = r.start();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->code, "EntityTooLarge");
}

sigv4::Verified streamingHead(uint64_t decoded_length) {
  sigv4::Verified v;
  v.payload = sigv4::PayloadMode::StreamingSigned;
  v.scope = sigv4::Scope{"20261129", "us-east-1", "s3"};
  v.amz_date = "20261129T120000Z";
  v.key = sigv4::signingKey("secret", v.scope);
  v.seed_signature = std::string(64, 'a');
  v.decoded_content_length = decoded_length;
  return v;
}

TEST(S3Payload, AwsChunkedSignedDecodes) {
  const std::string payload(100000, 'x');
  sigv4::Verified v = streamingHead(payload.size());
  sigv4::ChunkSigning cs{v.key, v.scope, v.amz_date, v.seed_signature};
  const std::string wire = sigv4::encodeAwsChunked(payload, 8192, &cs);
  policies::HeaderList h{{"Content-Encoding", "aws-chunked"},
                         {"x-amz-decoded-content-length", std::to_string(payload.size())}};
  Collected c;
  PayloadReader r(&v, h, c.sink());
  EXPECT_FALSE(r.start());
  for (size_t i = 0; i < wire.size(); i += 1000) EXPECT_FALSE(r.feed(std::string_view(wire).substr(i, 1000)));
  EXPECT_FALSE(r.finish());
  EXPECT_TRUE(r.chunked());
  EXPECT_EQ(c.bytes, payload);

  std::string tampered = wire;
  tampered[tampered.size() / 2] ^= 1;
  Collected c2;
  PayloadReader bad(&v, h, c2.sink());
  std::optional<Failure> f = bad.feed(tampered);
  if (!f) f = bad.finish();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->code, "SignatureDoesNotMatch");
}

TEST(S3Payload, AwsChunkedNeedsDecodedLength) {
  sigv4::Verified v = streamingHead(10);
  policies::HeaderList h{{"Content-Encoding", "aws-chunked"}};
  Collected c;
  PayloadReader r(&v, h, c.sink());
  auto f = r.start();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->code, "MissingContentLength");
}

TEST(S3Payload, StoredContentEncodingDropsAwsChunked) {
  EXPECT_EQ(storedContentEncoding("aws-chunked"), "");
  EXPECT_EQ(storedContentEncoding("aws-chunked,gzip"), "gzip");
  EXPECT_EQ(storedContentEncoding("gzip, AWS-CHUNKED"), "gzip");
  EXPECT_EQ(storedContentEncoding("br"), "br");
}

}  // namespace
}  // namespace edge::s3
