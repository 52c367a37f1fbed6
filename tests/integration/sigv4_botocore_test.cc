// SigV4 (policies/sigv4.h) against botocore (Debian's python3-botocore 1.29.27, through
// tests/interop/sigv4_botocore.py): what edged signs, botocore's S3SigV4Auth recomputes to the
// same signature; what botocore signs (header form and presigned), verifyRequest accepts, and
// refuses when botocore used another secret; botocore's aws-chunked trailer uploads
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER with x-amz-checksum-crc32/-sha1/-sha256) decode. botocore is
// a required test dependency: when /usr/bin/python3 or botocore is missing these tests fail (they
// never skip).
//
// botocore signs the path and query exactly as written in the URL (S3: no re-encoding), while
// sigv4.h canonicalises them (decode once, encode once). The two agree on URLs whose path and
// query are already in canonical form, which is what the cases below send on the wire; see
// Sigv4Botocore.CanonicalWirePathSignsLikeRawPath for why that is enough.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <random>

#include "policies/sigv4.h"
#include "support/botocore_sigv4.h"
#include "support/harness.h"

namespace edge::itest {
namespace {

using namespace edge::policies;
using namespace edge::policies::sigv4;
using json = nlohmann::json;

constexpr int64_t kNow = 1'700'000'000;  // 20231114T221320Z
constexpr const char* kAkid = "AKIDEDGETEST";
constexpr const char* kSecret = "edge/test+secret/0123456789abcdefEXAMPLE";
constexpr const char* kHost = "bucket.s3.example";

std::optional<std::string> lookup(std::string_view akid) {
  if (akid == kAkid) return std::string(kSecret);
  return std::nullopt;
}

json runBotocore(std::string_view mode, const json& cases) { return runBotocoreSigv4(mode, cases); }

json headersJson(const HeaderList& headers) {
  json a = json::array();
  for (const Header& h : headers) a.push_back({h.name, h.value});
  return a;
}

std::string url(std::string_view path, std::string_view query) {
  return "http://" + std::string(kHost) + std::string(path) +
         (query.empty() ? "" : "?" + std::string(query));
}

ViewerRequest fromUrl(std::string method, std::string_view u, HeaderList headers) {
  ViewerRequest r;
  r.method = parseMethod(method);
  r.method_name = std::move(method);
  const std::string_view target = u.substr(u.find('/', u.find("//") + 2));
  const size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  r.has_query = q != std::string_view::npos;
  if (r.has_query) r.query = std::string(target.substr(q + 1));
  r.headers = std::move(headers);
  return r;
}

// A request edged signs.
struct OurCase {
  std::string name;
  std::string method;
  std::string path;   // on the wire
  std::string query;  // on the wire
  HeaderList headers;
  SignOptions opts;
};

TEST(Sigv4Botocore, BotocoreAcceptsWhatWeSign) {
  SignOptions put;
  put.payload_hash = sha256Hex("hello world");
  put.extra_signed_headers = {"content-type"};
  SignOptions eu;
  eu.region = "eu-west-3";
  std::vector<OurCase> cases = {
      {"GET", "GET", "/bucket/key.txt", "", {{"Host", kHost}}, {}},
      {"HEAD", "HEAD", "/bucket/key.txt", "", {{"Host", kHost}, {"Range", "bytes=0-9"}}, {}},
      {"PUT hex payload",
       "PUT",
       "/bucket/new.txt",
       "",
       {{"Host", kHost}, {"Content-Type", "text/plain"}},
       put},
      {"spaces, UTF-8, plus",
       "GET",
       *canonicalUri("/bucket/my dir/caf\xc3\xa9+1 ~x.txt"),
       "",
       {{"Host", kHost}},
       {}},
      {"query to sort",
       "GET",
       "/bucket",
       "prefix=photos%2F2024%20a&delimiter=%2F&list-type=2&acl&max-keys=10",
       {{"Host", kHost}},
       eu},
      {"spaced header values",
       "GET",
       "/bucket/k",
       "",
       {{"Host", kHost}, {"X-Amz-Meta-A", "  two   spaces  "}, {"x-amz-meta-a", "again"}},
       [] {
         SignOptions o;
         o.extra_signed_headers = {"x-amz-meta-a"};
         return o;
       }()},
  };
  json batch = json::array();
  for (OurCase& c : cases) {
    ASSERT_TRUE(signRequest(c.method, c.path, c.query, c.headers, {kAkid, kSecret}, c.opts, kNow))
        << c.name;
    batch.push_back({{"method", c.method},
                     {"url", url(c.path, c.query)},
                     {"headers", headersJson(c.headers)},
                     {"secret_key", kSecret},
                     {"region", c.opts.region}});
  }
  // And a presigned URL.
  const std::string presigned = presignQuery("GET", kHost, "/bucket/caf%C3%A9.txt",
                                             "versionId=7&response-content-type=text%2Fplain",
                                             {kAkid, kSecret}, SignOptions{}, kNow, 600);
  batch.push_back({{"method", "GET"},
                   {"url", url("/bucket/caf%C3%A9.txt", presigned)},
                   {"headers", json::array({{"Host", kHost}})},
                   {"secret_key", kSecret},
                   {"region", "us-east-1"}});
  const json out = runBotocore("verify", batch);
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string name = i < cases.size() ? cases[i].name : "presigned";
    EXPECT_TRUE(out[i]["match"].get<bool>())
        << name << ": botocore computed " << out[i]["signature"] << ", we sent "
        << out[i]["claimed"] << "\n"
        << out[i]["canonical_request"].get<std::string>();
  }
  // The wrapper really compares: a signature we did not make does not match.
  HeaderList h{{"Host", kHost}};
  ASSERT_TRUE(
      signRequest("GET", "/bucket/k", "", h, {kAkid, "another secret"}, SignOptions{}, kNow));
  const json wrong = runBotocore("verify", json::array({{{"method", "GET"},
                                                         {"url", url("/bucket/k", "")},
                                                         {"headers", headersJson(h)},
                                                         {"secret_key", kSecret},
                                                         {"region", "us-east-1"}}}));
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_FALSE(wrong[0]["match"].get<bool>());
}

TEST(Sigv4Botocore, CanonicalWirePathSignsLikeRawPath) {
  // What makes the canonical-form wire paths above sufficient: sigv4.h signs a path and its
  // canonical form identically, so the edge may put canonicalUri(path) on the wire.
  for (const char* raw : {"/bucket/caf%c3%a9+1.txt", "/bucket/my dir/x", "/b/%7Ek%2fz"}) {
    HeaderList a{{"Host", kHost}}, b{{"Host", kHost}};
    ASSERT_TRUE(signRequest("GET", raw, "", a, {kAkid, kSecret}, SignOptions{}, kNow));
    ASSERT_TRUE(
        signRequest("GET", *canonicalUri(raw), "", b, {kAkid, kSecret}, SignOptions{}, kNow));
    EXPECT_EQ(a.get("authorization"), b.get("authorization")) << raw;
  }
}

// A request botocore signs.
struct TheirCase {
  std::string name;
  std::string method;
  std::string path, query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  bool unsigned_payload = false;
  std::optional<int64_t> presign_expires;
  std::string secret = kSecret;
};

json caseJson(const TheirCase& c) {
  json headers = json::array();
  for (const auto& [n, v] : c.headers) headers.push_back({n, v});
  json j = {{"method", c.method},
            {"url", url(c.path, c.query)},
            {"headers", headers},
            {"body", c.body ? json(*c.body) : json(nullptr)},
            {"unsigned", c.unsigned_payload},
            {"access_key", kAkid},
            {"secret_key", c.secret},
            {"region", "us-east-1"},
            {"time", kNow}};
  if (c.presign_expires) j["presign_expires"] = *c.presign_expires;
  return j;
}

ViewerRequest theirRequest(const TheirCase& c, const json& result) {
  if (c.presign_expires) {
    HeaderList h;
    for (const auto& [n, v] : c.headers) h.add(n, v);
    return fromUrl(c.method, result["url"].get<std::string>(), std::move(h));
  }
  HeaderList h;
  for (const auto& pair : result["headers"])
    h.add(pair[0].get<std::string>(), pair[1].get<std::string>());
  return fromUrl(c.method, url(c.path, c.query), std::move(h));
}

TEST(Sigv4Botocore, WeAcceptWhatBotocoreSigns) {
  const std::vector<TheirCase> cases = {
      {"GET range",
       "GET",
       "/bucket/key.txt",
       "",
       {{"Host", kHost}, {"Range", "bytes=0-9"}},
       std::nullopt},
      {"PUT signed body",
       "PUT",
       "/bucket/new.txt",
       "",
       {{"Host", kHost}, {"Content-Type", "text/plain"}},
       "hello world"},
      {"PUT unsigned body", "PUT", "/bucket/big.bin", "", {{"Host", kHost}}, "0123456789", true},
      {"DELETE encoded path",
       "DELETE",
       "/bucket/my%20dir/caf%C3%A9%2B1.txt",
       "",
       {{"Host", kHost}},
       std::nullopt},
      {"list with query",
       "GET",
       "/bucket",
       "prefix=a%2Fb&delimiter=%2F&list-type=2&acl",
       {{"Host", kHost}},
       std::nullopt},
      {"presigned GET",
       "GET",
       "/bucket/caf%C3%A9.txt",
       "versionId=3",
       {{"Host", kHost}},
       std::nullopt,
       false,
       900},
      {"wrong secret, header",
       "GET",
       "/bucket/key.txt",
       "",
       {{"Host", kHost}},
       std::nullopt,
       false,
       std::nullopt,
       "wrong"},
      {"wrong secret, presigned",
       "GET",
       "/bucket/key.txt",
       "",
       {{"Host", kHost}},
       std::nullopt,
       false,
       900,
       "wrong"},
  };
  json batch = json::array();
  for (const TheirCase& c : cases) batch.push_back(caseJson(c));
  const json out = runBotocore("sign", batch);
  ASSERT_EQ(out.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const TheirCase& c = cases[i];
    const ViewerRequest r = theirRequest(c, out[i]);
    const auto v = verifyRequest(r, lookup, kNow + 5);
    if (c.secret != kSecret) {
      ASSERT_FALSE(v) << c.name;
      EXPECT_EQ(v.error(), AuthError::SignatureDoesNotMatch) << c.name;
      continue;
    }
    ASSERT_TRUE(v) << c.name << ": " << v.error() << "\n" << out[i].dump();
    EXPECT_EQ(v->presigned, c.presign_expires.has_value()) << c.name;
    if (c.presign_expires) {
      EXPECT_EQ(verifyRequest(r, lookup, kNow + *c.presign_expires + 1).error(),
                AuthError::AccessDeniedExpired);
    } else if (c.body && !c.unsigned_payload) {
      EXPECT_EQ(v->payload, PayloadMode::Sha256) << c.name;
      EXPECT_EQ(v->payload_sha256, sha256Hex(*c.body)) << c.name;
    } else {
      EXPECT_EQ(v->payload, c.body ? PayloadMode::Unsigned : PayloadMode::Sha256) << c.name;
    }
  }
}


TEST(Sigv4Botocore, BotocoreAwsChunkedTrailerUploadsDecode) {
  std::string payload;
  for (int i = 0; i < 300; ++i) payload += "line " + std::to_string(i) + " of the upload\n";
  json batch = json::array();
  const std::vector<std::pair<std::string, int>> algorithms = {
      {"crc32", 1000}, {"sha1", 4096}, {"sha256", 777}};
  for (const auto& [algorithm, chunk] : algorithms) {
    batch.push_back({{"method", "PUT"},
                     {"url", url("/bucket/upload.txt", "")},
                     {"headers", json::array({{"Host", kHost}})},
                     {"body", payload},
                     {"access_key", kAkid},
                     {"secret_key", kSecret},
                     {"region", "us-east-1"},
                     {"time", kNow},
                     {"algorithm", algorithm},
                     {"chunk_size", chunk}});
  }
  const json out = runBotocore("chunked", batch);
  ASSERT_EQ(out.size(), algorithms.size());
  std::mt19937 rng(11);
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string& algorithm = algorithms[i].first;
    HeaderList h;
    for (const auto& pair : out[i]["headers"])
      h.add(pair[0].get<std::string>(), pair[1].get<std::string>());
    const auto v = verifyRequest(fromUrl("PUT", url("/bucket/upload.txt", ""), h), lookup, kNow);
    ASSERT_TRUE(v) << algorithm << ": " << v.error();
    EXPECT_EQ(v->payload, PayloadMode::StreamingUnsignedTrailer);
    EXPECT_EQ(v->trailer_header, "x-amz-checksum-" + algorithm);
    EXPECT_EQ(v->decoded_content_length, payload.size());
    const std::string wire = base64Decode(out[i]["wire_base64"].get<std::string>());
    ASSERT_NE(wire.find("\r\nx-amz-checksum-" + algorithm + ":"), std::string::npos)
        << wire.substr(wire.size() - 80);
    for (int round = 0; round < 5; ++round) {
      AwsChunkedDecoder d(*v);
      std::string decoded;
      std::optional<AuthError> e;
      for (size_t pos = 0; pos < wire.size() && !e;) {
        const size_t n = std::min(wire.size() - pos, size_t{1} + rng() % 700);
        e = d.feed(std::string_view(wire).substr(pos, n),
                   [&](std::string_view s) { decoded.append(s); });
        pos += n;
      }
      ASSERT_EQ(e, std::nullopt) << algorithm;
      EXPECT_EQ(d.finish(), std::nullopt) << algorithm;
      EXPECT_EQ(decoded, payload) << algorithm;
    }
    // One payload byte changed: botocore's checksum no longer matches.
    std::string bad = wire;
    bad[bad.find("line 7") + 5] = '8';
    AwsChunkedDecoder d(*v);
    EXPECT_EQ(d.feed(bad, [](std::string_view) {}), AuthError::BadDigest) << algorithm;
  }
}

}  // namespace
}  // namespace edge::itest
