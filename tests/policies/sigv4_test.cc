// SigV4 (policies/sigv4.h): AWS's published known-answer examples, signing round trips,
// tampering, clock skew and expiry, malformed credentials (table-driven), and the building blocks.
// The aws-chunked decoder has its own file, sigv4_chunked_test.cc.
#include "policies/sigv4.h"

#include <gtest/gtest.h>

#include "policies/http_date.h"

namespace edge::policies::sigv4 {
namespace {

// The credentials and time of every example in the S3 API reference's SigV4 pages.
constexpr const char* kAkid = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr int64_t kExampleTime = 1369353600;  // 20130524T000000Z
const Credentials kCreds{kAkid, kSecret};

std::optional<std::string> lookup(std::string_view akid) {
  if (akid == kAkid) return std::string(kSecret);
  return std::nullopt;
}

ViewerRequest request(std::string method, std::string path, std::string query, HeaderList headers) {
  ViewerRequest r;
  r.method = parseMethod(method);
  r.method_name = std::move(method);
  r.path = std::move(path);
  r.has_query = !query.empty();
  r.query = std::move(query);
  r.headers = std::move(headers);
  return r;
}

std::string authorization(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
         "SignedHeaders=" +
         std::string(signed_headers) + ", Signature=" + std::string(signature);
}

// ---- AWS known answers
// ---------------------------------------------------------------------------

// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
// "Example: GET Object" (first 10 bytes of examplebucket/test.txt).
ViewerRequest awsGetObject() {
  return request(
      "GET", "/test.txt", "",
      {{"Host", "examplebucket.s3.amazonaws.com"},
       {"Range", "bytes=0-9"},
       {"x-amz-content-sha256", std::string(kEmptySha256)},
       {"x-amz-date", "20130524T000000Z"},
       {"Authorization",
        authorization("host;range;x-amz-content-sha256;x-amz-date",
                      "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")}});
}

TEST(Sigv4KnownAnswer, HeaderBasedAuthGetObjectSteps) {
  // sig-v4-header-based-auth.html, GET Object: canonical request, string to sign, signature.
  const ViewerRequest r = awsGetObject();
  const CanonicalInput in{"GET",
                          r.path,
                          r.query,
                          &r.headers,
                          {"host", "range", "x-amz-content-sha256", "x-amz-date"},
                          kEmptySha256};
  const std::optional<std::string> canonical = canonicalRequest(in);
  ASSERT_TRUE(canonical);
  EXPECT_EQ(
      *canonical,
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const Scope scope{"20130524", "us-east-1", "s3"};
  const std::string sts = stringToSign("20130524T000000Z", scope, *canonical);
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(signatureHex(signingKey(kSecret, scope), sts),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(Sigv4KnownAnswer, HeaderBasedAuthGetObjectVerifies) {
  const auto v = verifyRequest(awsGetObject(), lookup, kExampleTime + 60);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->access_key_id, kAkid);
  EXPECT_EQ(v->scope, (Scope{"20130524", "us-east-1", "s3"}));
  EXPECT_EQ(v->payload, PayloadMode::Sha256);
  EXPECT_EQ(v->payload_sha256, kEmptySha256);
  EXPECT_FALSE(v->presigned);
  EXPECT_EQ(v->seed_signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(Sigv4KnownAnswer, HeaderBasedAuthPutObject) {
  // sig-v4-header-based-auth.html, "Example: PUT Object": key "test$file.text", Date header
  // signed as well, body "Welcome to Amazon S3.".
  const std::string body = "Welcome to Amazon S3.";
  EXPECT_EQ(sha256Hex(body), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  const ViewerRequest r = request(
      "PUT", "/test$file.text", "",
      {{"Host", "examplebucket.s3.amazonaws.com"},
       {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
       {"x-amz-date", "20130524T000000Z"},
       {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
       {"x-amz-content-sha256", sha256Hex(body)},
       {"Authorization",
        authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                      "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")}});
  EXPECT_EQ(canonicalUri(r.path), "/test%24file.text");
  const auto v = verifyRequest(r, lookup, kExampleTime);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->payload, PayloadMode::Sha256);
  EXPECT_EQ(v->payload_sha256, sha256Hex(body));
}

TEST(Sigv4KnownAnswer, HeaderBasedAuthGetBucketLifecycle) {
  // sig-v4-header-based-auth.html, "Example: GET Bucket Lifecycle": GET /?lifecycle.
  const ViewerRequest r = request(
      "GET", "/", "lifecycle",
      {{"Host", "examplebucket.s3.amazonaws.com"},
       {"x-amz-date", "20130524T000000Z"},
       {"x-amz-content-sha256", std::string(kEmptySha256)},
       {"Authorization",
        authorization("host;x-amz-content-sha256;x-amz-date",
                      "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")}});
  EXPECT_EQ(canonicalQuery(r.query), "lifecycle=");
  const auto v = verifyRequest(r, lookup, kExampleTime);
  EXPECT_TRUE(v) << v.error();
}

TEST(Sigv4KnownAnswer, HeaderBasedAuthListObjects) {
  // sig-v4-header-based-auth.html, "Example: Get Bucket (List Objects)": ?max-keys=2&prefix=J.
  const ViewerRequest r = request(
      "GET", "/", "max-keys=2&prefix=J",
      {{"Host", "examplebucket.s3.amazonaws.com"},
       {"x-amz-date", "20130524T000000Z"},
       {"x-amz-content-sha256", std::string(kEmptySha256)},
       {"Authorization",
        authorization("host;x-amz-content-sha256;x-amz-date",
                      "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")}});
  const auto v = verifyRequest(r, lookup, kExampleTime);
  EXPECT_TRUE(v) << v.error();
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
// "Example": presigned GET of examplebucket/test.txt valid 86400 s.
constexpr const char* kAwsPresignedQuery =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%"
    "2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

TEST(Sigv4KnownAnswer, QueryStringAuthPresignProducesTheDocumentedUrl) {
  EXPECT_EQ(presignQuery("GET", "examplebucket.s3.amazonaws.com", "/test.txt", "", kCreds,
                         SignOptions{}, kExampleTime, 86400),
            kAwsPresignedQuery);
}

TEST(Sigv4KnownAnswer, QueryStringAuthVerifies) {
  const ViewerRequest r =
      request("GET", "/test.txt", kAwsPresignedQuery, {{"Host", "examplebucket.s3.amazonaws.com"}});
  const auto v = verifyRequest(r, lookup, kExampleTime + 86400);  // the last valid second
  ASSERT_TRUE(v) << v.error();
  EXPECT_TRUE(v->presigned);
  EXPECT_EQ(v->payload, PayloadMode::Unsigned);
  EXPECT_EQ(verifyRequest(r, lookup, kExampleTime + 86401).error(), AuthError::AccessDeniedExpired);
  // Not yet valid: more than 15 minutes before X-Amz-Date.
  EXPECT_TRUE(verifyRequest(r, lookup, kExampleTime - kMaxClockSkewSeconds));
  EXPECT_EQ(verifyRequest(r, lookup, kExampleTime - kMaxClockSkewSeconds - 1).error(),
            AuthError::AccessDeniedNotYetValid);
}

// ---- signing round trips
// -------------------------------------------------------------------------

constexpr int64_t kNow = 1'700'000'000;

ViewerRequest signedRequest(std::string method, std::string path, std::string query,
                            HeaderList headers, SignOptions opts = {}, int64_t now = kNow) {
  EXPECT_TRUE(signRequest(method, path, query, headers, kCreds, opts, now));
  return request(std::move(method), std::move(path), std::move(query), std::move(headers));
}

TEST(Sigv4Sign, SetsTheHeadersAndVerifies) {
  HeaderList h{{"Host", "bucket.example"}, {"Authorization", "Bearer viewer"}};
  ASSERT_TRUE(signRequest("GET", "/a/b.txt", "", h, kCreds, SignOptions{}, kNow));
  EXPECT_EQ(h.count("authorization"), 1u);
  EXPECT_EQ(h.get("x-amz-date"), formatAmzDate(kNow));
  EXPECT_EQ(h.get("x-amz-content-sha256"), kUnsignedPayload);
  const std::string auth(*h.get("authorization"));
  EXPECT_EQ(
      auth.rfind(
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20231114/us-east-1/s3/aws4_request, "
          "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=",
          0),
      0u)
      << auth;
  const auto v = verifyRequest(request("GET", "/a/b.txt", "", h), lookup, kNow);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->payload, PayloadMode::Unsigned);
}

TEST(Sigv4Sign, ExtraHeadersTokenAndRegion) {
  SignOptions opts;
  opts.region = "eu-west-3";
  opts.payload_hash = sha256Hex("body");
  opts.extra_signed_headers = {"Content-Type"};
  const ViewerRequest r = signedRequest(
      "PUT", "/k", "",
      {{"Host", "h"}, {"Content-Type", "text/plain"}, {"X-Amz-Security-Token", "tok"}}, opts);
  const std::string auth(*r.headers.get("authorization"));
  EXPECT_NE(auth.find("/eu-west-3/s3/aws4_request"), std::string::npos);
  EXPECT_NE(
      auth.find(
          "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
      std::string::npos)
      << auth;
  const auto v = verifyRequest(r, lookup, kNow);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->scope.region, "eu-west-3");
  EXPECT_EQ(v->payload_sha256, sha256Hex("body"));
}

TEST(Sigv4Sign, RefusesWithoutHostOrWithBadInput) {
  HeaderList h{{"Accept", "*/*"}};
  EXPECT_FALSE(signRequest("GET", "/", "", h, kCreds, SignOptions{}, kNow));
  EXPECT_EQ(h, (HeaderList{{"Accept", "*/*"}}));
  h = {{"Host", "h"}};
  EXPECT_FALSE(signRequest("GET", "/%zz", "", h, kCreds, SignOptions{}, kNow));
  EXPECT_FALSE(signRequest("GET", "/", "a=%1", h, kCreds, SignOptions{}, kNow));
  SignOptions opts;
  opts.extra_signed_headers = {"content-type"};
  EXPECT_FALSE(signRequest("GET", "/", "", h, kCreds, opts, kNow));
  EXPECT_EQ(h, (HeaderList{{"Host", "h"}}));
}

TEST(Sigv4Sign, PresignRoundTripWithQueryAndEncodedPath) {
  const std::string q = presignQuery("GET", "h.example", "/my%20dir/caf%C3%A9+1.txt",
                                     "versionId=3&a=%2F", kCreds, SignOptions{}, kNow, 300);
  ASSERT_FALSE(q.empty());
  EXPECT_EQ(q.rfind("versionId=3&a=%2F&X-Amz-Algorithm=", 0), 0u) << q;
  const ViewerRequest r = request("GET", "/my%20dir/caf%C3%A9+1.txt", q, {{"Host", "h.example"}});
  const auto v = verifyRequest(r, lookup, kNow + 300);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(verifyRequest(r, lookup, kNow + 301).error(), AuthError::AccessDeniedExpired);
  EXPECT_EQ(verifyRequest(request("GET", "/my%20dir/cafe+1.txt", q, {{"Host", "h.example"}}),
                          lookup, kNow)
                .error(),
            AuthError::SignatureDoesNotMatch);
  EXPECT_EQ(presignQuery("GET", "h", "/%z", "", kCreds, SignOptions{}, kNow, 300), "");
}

// ---- tampering
// -----------------------------------------------------------------------------------

struct Tamper {
  const char* name;
  void (*apply)(ViewerRequest&);
};

void setHeader(ViewerRequest& r, std::string_view name, std::string value) {
  r.headers.set(name, std::move(value));
}

const Tamper kTampers[] = {
    {"method", [](ViewerRequest& r) { r.method_name = "DELETE"; }},
    {"path", [](ViewerRequest& r) { r.path = "/bucket/other"; }},
    {"path case", [](ViewerRequest& r) { r.path = "/bucket/Key"; }},
    {"query value", [](ViewerRequest& r) { r.query = "list-type=2&prefix=b"; }},
    {"query added", [](ViewerRequest& r) { r.query += "&x=1"; }},
    {"query dropped", [](ViewerRequest& r) { r.query = "list-type=2"; }},
    {"host", [](ViewerRequest& r) { setHeader(r, "Host", "evil.example"); }},
    {"signed extra header", [](ViewerRequest& r) { setHeader(r, "Content-Type", "text/html"); }},
    {"duplicate signed header", [](ViewerRequest& r) { r.headers.add("content-type", "x"); }},
    {"content sha256",
     [](ViewerRequest& r) { setHeader(r, "X-Amz-Content-Sha256", std::string(kEmptySha256)); }},
    {"date one second later",
     [](ViewerRequest& r) { setHeader(r, "X-Amz-Date", formatAmzDate(kNow + 1)); }},
    {"signature",
     [](ViewerRequest& r) {
       std::string a(*r.headers.get("authorization"));
       a.back() = a.back() == '0' ? '1' : '0';
       setHeader(r, "Authorization", a);
     }},
};

TEST(Sigv4Verify, EveryTamperFlipsToSignatureDoesNotMatch) {
  SignOptions opts;
  opts.extra_signed_headers = {"content-type"};
  opts.payload_hash = sha256Hex("x");
  const ViewerRequest good = signedRequest("PUT", "/bucket/key", "prefix=a&list-type=2",
                                           {{"Host", "h"}, {"Content-Type", "text/plain"}}, opts);
  ASSERT_TRUE(verifyRequest(good, lookup, kNow)) << verifyRequest(good, lookup, kNow).error();
  for (const Tamper& t : kTampers) {
    ViewerRequest r = good;
    t.apply(r);
    const auto v = verifyRequest(r, lookup, kNow);
    ASSERT_FALSE(v) << t.name;
    EXPECT_EQ(v.error(), AuthError::SignatureDoesNotMatch) << t.name;
  }
  // Unsigned headers may change freely.
  ViewerRequest r = good;
  r.headers.add("User-Agent", "x");
  EXPECT_TRUE(verifyRequest(r, lookup, kNow));
}

TEST(Sigv4Verify, WrongSecretAndUnknownKey) {
  const ViewerRequest r = signedRequest("GET", "/k", "", {{"Host", "h"}});
  EXPECT_EQ(verifyRequest(
                r, [](std::string_view) { return std::optional<std::string>("other"); }, kNow)
                .error(),
            AuthError::SignatureDoesNotMatch);
  EXPECT_EQ(verifyRequest(
                r, [](std::string_view) { return std::optional<std::string>(); }, kNow)
                .error(),
            AuthError::InvalidAccessKeyId);
}

TEST(Sigv4Verify, ClockSkew) {
  const ViewerRequest r = signedRequest("GET", "/k", "", {{"Host", "h"}});
  EXPECT_TRUE(verifyRequest(r, lookup, kNow + kMaxClockSkewSeconds));
  EXPECT_TRUE(verifyRequest(r, lookup, kNow - kMaxClockSkewSeconds));
  EXPECT_EQ(verifyRequest(r, lookup, kNow + kMaxClockSkewSeconds + 1).error(),
            AuthError::RequestTimeTooSkewed);
  EXPECT_EQ(verifyRequest(r, lookup, kNow - kMaxClockSkewSeconds - 1).error(),
            AuthError::RequestTimeTooSkewed);
}

TEST(Sigv4Verify, DateHeaderFallback) {
  // No X-Amz-Date: the Date header's time is the signature's timestamp.
  HeaderList h{{"Host", "h"},
               {"Date", formatHttpDate(kNow)},
               {"x-amz-content-sha256", std::string(kUnsignedPayload)}};
  const std::string amz_date = formatAmzDate(kNow);
  const Scope scope{amz_date.substr(0, 8), "us-east-1", "s3"};
  const CanonicalInput in{"GET",           "/k", "", &h, {"date", "host", "x-amz-content-sha256"},
                          kUnsignedPayload};
  const std::string sig = signatureHex(signingKey(kSecret, scope),
                                       stringToSign(amz_date, scope, *canonicalRequest(in)));
  h.add("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/" + scope.toString() +
                             ",SignedHeaders=date;host;x-amz-content-sha256,Signature=" + sig);
  const auto v = verifyRequest(request("GET", "/k", "", h), lookup, kNow);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->amz_date, amz_date);
}

TEST(Sigv4Verify, PayloadModes) {
  const struct {
    std::string value;
    PayloadMode mode;
    bool trailer;
  } cases[] = {
      {std::string(kUnsignedPayload), PayloadMode::Unsigned, false},
      {"44CE7DD67C959E0D3524FFAC1771DFBBA87D2B6B4B4E99E42034A8B803F8B072", PayloadMode::Sha256,
       false},
      {std::string(kStreamingSigned), PayloadMode::StreamingSigned, false},
      {std::string(kStreamingSignedTrailer), PayloadMode::StreamingSigned, true},
      {std::string(kStreamingUnsignedTrailer), PayloadMode::StreamingUnsignedTrailer, true},
  };
  for (const auto& c : cases) {
    SignOptions opts;
    opts.payload_hash = c.value;
    const ViewerRequest r = signedRequest(
        "PUT", "/k", "", {{"Host", "h"}, {"x-amz-trailer", " X-Amz-Checksum-CRC32 "}}, opts);
    const auto v = verifyRequest(r, lookup, kNow);
    ASSERT_TRUE(v) << c.value << ": " << v.error();
    EXPECT_EQ(v->payload, c.mode) << c.value;
    EXPECT_EQ(v->trailer, c.trailer) << c.value;
    EXPECT_EQ(v->trailer_header, "x-amz-checksum-crc32");
    if (c.mode == PayloadMode::Sha256) {
      EXPECT_EQ(v->payload_sha256,
                "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    }
  }
  SignOptions bad;
  bad.payload_hash = "STREAMING-SOMETHING-ELSE";
  EXPECT_EQ(
      verifyRequest(signedRequest("PUT", "/k", "", {{"Host", "h"}}, bad), lookup, kNow).error(),
      AuthError::InvalidArgument);
  bad.payload_hash = std::string(63, 'a');
  EXPECT_EQ(
      verifyRequest(signedRequest("PUT", "/k", "", {{"Host", "h"}}, bad), lookup, kNow).error(),
      AuthError::InvalidArgument);
}

// ---- malformed heads (table-driven) ------------------------------------------------------------

struct MalformedCase {
  const char* name;
  // Edits a good header-signed request (GET /k?a=1, Host h, signed at kNow).
  void (*edit)(ViewerRequest&);
  AuthError expected;
};

std::ostream& operator<<(std::ostream& os, const MalformedCase& c) { return os << c.name; }

void setAuth(ViewerRequest& r, std::string value) {
  r.headers.set("Authorization", std::move(value));
}
std::string goodSignature(const ViewerRequest& r) {
  const std::string a(*r.headers.get("authorization"));
  return a.substr(a.size() - 64);
}
std::string credential() {
  return "AKIAIOSFODNN7EXAMPLE/" + formatAmzDate(kNow).substr(0, 8) + "/us-east-1/s3/aws4_request";
}

class Sigv4Malformed : public testing::TestWithParam<MalformedCase> {};

TEST_P(Sigv4Malformed, Refused) {
  ViewerRequest r = signedRequest("GET", "/k", "a=1", {{"Host", "h"}});
  ASSERT_TRUE(verifyRequest(r, lookup, kNow));
  GetParam().edit(r);
  const auto v = verifyRequest(r, lookup, kNow);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), GetParam().expected);
}

const MalformedCase kMalformed[] = {
    {"other scheme", [](ViewerRequest& r) { setAuth(r, "AWS AKIAIOSFODNN7EXAMPLE:abc"); },
     AuthError::InvalidArgument},
    {"algorithm only", [](ViewerRequest& r) { setAuth(r, "AWS4-HMAC-SHA256"); },
     AuthError::AuthorizationHeaderMalformed},
    {"algorithm prefix", [](ViewerRequest& r) { setAuth(r, "AWS4-HMAC-SHA256X Credential=x"); },
     AuthError::InvalidArgument},
    {"no components", [](ViewerRequest& r) { setAuth(r, "AWS4-HMAC-SHA256 "); },
     AuthError::AuthorizationHeaderMalformed},
    {"missing signature",
     [](ViewerRequest& r) {
       setAuth(r, "AWS4-HMAC-SHA256 Credential=" + credential() +
                      ", SignedHeaders=host;x-amz-content-sha256;x-amz-date");
     },
     AuthError::AuthorizationHeaderMalformed},
    {"duplicate component",
     [](ViewerRequest& r) {
       setAuth(r, std::string(*r.headers.get("authorization")) + ", Signature=" + goodSignature(r));
     },
     AuthError::AuthorizationHeaderMalformed},
    {"unknown component",
     [](ViewerRequest& r) {
       setAuth(r, std::string(*r.headers.get("authorization")) + ", Foo=bar");
     },
     AuthError::AuthorizationHeaderMalformed},
    {"short signature",
     [](ViewerRequest& r) {
       std::string a(*r.headers.get("authorization"));
       a.pop_back();
       setAuth(r, a);
     },
     AuthError::AuthorizationHeaderMalformed},
    {"non-hex signature",
     [](ViewerRequest& r) {
       std::string a(*r.headers.get("authorization"));
       a.back() = 'g';
       setAuth(r, a);
     },
     AuthError::AuthorizationHeaderMalformed},
    {"credential without terminator",
     [](ViewerRequest& r) {
       setAuth(r,
               "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/" +
                   formatAmzDate(kNow).substr(0, 8) +
                   "/us-east-1/s3, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" +
                   goodSignature(r));
     },
     AuthError::AuthorizationHeaderMalformed},
    {"credential other service",
     [](ViewerRequest& r) {
       setAuth(r, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/" +
                      formatAmzDate(kNow).substr(0, 8) +
                      "/us-east-1/iam/aws4_request, "
                      "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" +
                      goodSignature(r));
     },
     AuthError::AuthorizationHeaderMalformed},
    {"credential bad date",
     [](ViewerRequest& r) {
       setAuth(
           r,
           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/2023111/us-east-1/s3/aws4_request, "
           "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" +
               goodSignature(r));
     },
     AuthError::AuthorizationHeaderMalformed},
    {"scope date differs from x-amz-date",
     [](ViewerRequest& r) {
       setAuth(
           r,
           "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20231113/us-east-1/s3/aws4_request, "
           "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" +
               goodSignature(r));
     },
     AuthError::AuthorizationHeaderMalformed},
    {"host not signed",
     [](ViewerRequest& r) {
       setAuth(
           r, "AWS4-HMAC-SHA256 Credential=" + credential() +
                  ", SignedHeaders=x-amz-content-sha256;x-amz-date, Signature=" + goodSignature(r));
     },
     AuthError::AuthorizationHeaderMalformed},
    {"empty signed header name",
     [](ViewerRequest& r) {
       setAuth(r, "AWS4-HMAC-SHA256 Credential=" + credential() +
                      ", SignedHeaders=host;;x-amz-date, Signature=" + goodSignature(r));
     },
     AuthError::AuthorizationHeaderMalformed},
    {"two authorization headers", [](ViewerRequest& r) { r.headers.add("Authorization", "x"); },
     AuthError::AuthorizationHeaderMalformed},
    {"content sha256 absent", [](ViewerRequest& r) { r.headers.remove("x-amz-content-sha256"); },
     AuthError::MissingSecurityHeader},
    {"content sha256 not signed",
     [](ViewerRequest& r) {
       setAuth(r, "AWS4-HMAC-SHA256 Credential=" + credential() +
                      ", SignedHeaders=host;x-amz-date, Signature=" + goodSignature(r));
     },
     AuthError::ContentSha256NotSigned},
    {"no date at all", [](ViewerRequest& r) { r.headers.remove("x-amz-date"); },
     AuthError::AccessDeniedMissingDate},
    {"bad x-amz-date",
     [](ViewerRequest& r) { r.headers.set("x-amz-date", "2023-11-14T22:13:20Z"); },
     AuthError::AccessDeniedMissingDate},
    {"signed header missing", [](ViewerRequest& r) { r.headers.remove("host"); },
     AuthError::SignatureDoesNotMatch},
    {"bad escape in path", [](ViewerRequest& r) { r.path = "/k%G1"; }, AuthError::InvalidArgument},
    {"both forms", [](ViewerRequest& r) { r.query += "&X-Amz-Algorithm=AWS4-HMAC-SHA256"; },
     AuthError::InvalidArgument},
    {"no credentials at all", [](ViewerRequest& r) { r.headers.remove("authorization"); },
     AuthError::AccessDeniedAnonymous},
};

INSTANTIATE_TEST_SUITE_P(HeaderForm, Sigv4Malformed, testing::ValuesIn(kMalformed),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& c : n)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

TEST(Sigv4Verify, NoSingleByteChangeOfTheCredentialsIsAccepted) {
  // Each byte of the Authorization value, X-Amz-Date and (presigned) the query, XOR 1 (never a
  // mere case change, which hex and header names would tolerate): always refused.
  const ViewerRequest good = signedRequest("GET", "/k", "a=1", {{"Host", "h"}});
  for (const char* name : {"authorization", "x-amz-date"}) {
    const std::string value(*good.headers.get(name));
    for (size_t i = 0; i < value.size(); ++i) {
      ViewerRequest r = good;
      std::string v = value;
      v[i] = static_cast<char>(v[i] ^ 1);
      r.headers.set(name, v);
      EXPECT_FALSE(verifyRequest(r, lookup, kNow)) << name << " byte " << i << ": " << v;
    }
  }
  const ViewerRequest presigned =
      request("GET", "/test.txt", kAwsPresignedQuery, {{"Host", "examplebucket.s3.amazonaws.com"}});
  ASSERT_TRUE(verifyRequest(presigned, lookup, kExampleTime));
  for (size_t i = 0; i < presigned.query.size(); ++i) {
    ViewerRequest r = presigned;
    r.query[i] = static_cast<char>(r.query[i] ^ 1);
    EXPECT_FALSE(verifyRequest(r, lookup, kExampleTime)) << "query byte " << i << ": " << r.query;
  }
}

TEST(Sigv4Verify, TolerantSpacing) {
  ViewerRequest r = signedRequest("GET", "/k", "", {{"Host", "h"}});
  std::string a(*r.headers.get("authorization"));
  // "…, SignedHeaders=…, Signature=…" → no spaces, then extra spaces.
  std::string tight = a, loose = a;
  for (size_t p; (p = tight.find(", ")) != std::string::npos;) tight.erase(p + 1, 1);
  for (size_t p = 0; (p = loose.find(", ", p)) != std::string::npos; p += 4)
    loose.insert(p + 1, "  ");
  setAuth(r, tight);
  EXPECT_TRUE(verifyRequest(r, lookup, kNow)) << tight;
  setAuth(r, loose);
  EXPECT_TRUE(verifyRequest(r, lookup, kNow)) << loose;
}

// Presigned parameters, each edited in turn.
struct QueryCase {
  const char* name;
  std::string query;
  int64_t now;
  AuthError expected;
};

TEST(Sigv4Verify, PresignedMalformedAndTampered) {
  const std::string good = kAwsPresignedQuery;
  const auto replace = [&](std::string_view from, std::string_view to) {
    std::string q = good;
    q.replace(q.find(from), from.size(), to);
    return q;
  };
  const QueryCase cases[] = {
      {"no algorithm", replace("X-Amz-Algorithm=AWS4-HMAC-SHA256&", ""), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"other algorithm", replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"no credential", replace("X-Amz-Credential=", "X-Amz-Credentials="), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"bad credential", replace("%2Faws4_request", ""), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"bad date", replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130524"), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"date differs from scope",
       replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z"), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"no expires", replace("&X-Amz-Expires=86400", ""), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"expires zero", replace("X-Amz-Expires=86400", "X-Amz-Expires=0"), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"expires over a week", replace("X-Amz-Expires=86400", "X-Amz-Expires=604801"), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"expires negative", replace("X-Amz-Expires=86400", "X-Amz-Expires=-1"), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"no signed headers", replace("&X-Amz-SignedHeaders=host", ""), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"host not signed", replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=range"),
       kExampleTime, AuthError::AuthorizationQueryParametersError},
      {"duplicate signature", good + "&X-Amz-Signature=" + good.substr(good.size() - 64),
       kExampleTime, AuthError::AuthorizationQueryParametersError},
      {"bad escape", replace("%2F20130524", "%2G20130524"), kExampleTime,
       AuthError::AuthorizationQueryParametersError},
      {"expires changed", replace("X-Amz-Expires=86400", "X-Amz-Expires=86401"), kExampleTime,
       AuthError::SignatureDoesNotMatch},
      {"param added", good + "&response-content-type=text%2Fhtml", kExampleTime,
       AuthError::SignatureDoesNotMatch},
      {"signature changed", replace("aeeed9bb", "aeeed9bc"), kExampleTime,
       AuthError::SignatureDoesNotMatch},
      {"unknown key", replace("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLF"), kExampleTime,
       AuthError::InvalidAccessKeyId},
  };
  for (const QueryCase& c : cases) {
    const auto v = verifyRequest(
        request("GET", "/test.txt", c.query, {{"Host", "examplebucket.s3.amazonaws.com"}}), lookup,
        c.now);
    ASSERT_FALSE(v) << c.name;
    EXPECT_EQ(v.error(), c.expected) << c.name;
  }
  // Signature in upper-case hex is the same signature.
  const std::string upper =
      replace("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
              "AEEED9BBCCD4D02EE5C0109B86D86835F995330DA4C265957D157751F604D404");
  EXPECT_TRUE(verifyRequest(
      request("GET", "/test.txt", upper, {{"Host", "examplebucket.s3.amazonaws.com"}}), lookup,
      kExampleTime));
}

TEST(Sigv4Verify, HasCredentials) {
  EXPECT_FALSE(hasCredentials(request("GET", "/", "a=1", {{"Host", "h"}})));
  EXPECT_TRUE(hasCredentials(request("GET", "/", "", {{"Authorization", "AWS4-HMAC-SHA256 x"}})));
  EXPECT_TRUE(hasCredentials(request("GET", "/", "", {{"authorization", "Basic eDp5"}})));
  EXPECT_TRUE(hasCredentials(request("GET", "/", "X-Amz-Credential=x", {})));
  EXPECT_TRUE(hasCredentials(request("GET", "/", "a&X-Amz-Signature=", {})));
  EXPECT_FALSE(hasCredentials(request("GET", "/", "x-amz-credential=x", {})));
}

// ---- building blocks
// -----------------------------------------------------------------------------

TEST(Sigv4Encoding, UriEncode) {
  EXPECT_EQ(uriEncode("AZaz09-_.~", true), "AZaz09-_.~");
  EXPECT_EQ(uriEncode("a b+c/d", true), "a%20b%2Bc%2Fd");
  EXPECT_EQ(uriEncode("a b+c/d", false), "a%20b%2Bc/d");
  EXPECT_EQ(uriEncode("caf\xc3\xa9 \xe2\x82\xac", true), "caf%C3%A9%20%E2%82%AC");
  EXPECT_EQ(uriEncode("*'()!$&=:@,;?#[]%", true),
            "%2A%27%28%29%21%24%26%3D%3A%40%2C%3B%3F%23%5B%5D%25");
  EXPECT_EQ(uriEncode(std::string_view("\0\x7f", 2), true), "%00%7F");
}

TEST(Sigv4Encoding, CanonicalUri) {
  EXPECT_EQ(canonicalUri(""), "/");
  EXPECT_EQ(canonicalUri("/"), "/");
  EXPECT_EQ(canonicalUri("/bucket/my%20key"), "/bucket/my%20key");
  EXPECT_EQ(canonicalUri("/bucket/my key+x"), "/bucket/my%20key%2Bx");
  EXPECT_EQ(canonicalUri("/a%2fb/c%7e%7E~"),
            "/a%2Fb/c~~~");  // no double encoding, %2F stays in its segment
  EXPECT_EQ(canonicalUri("/caf%c3%a9"), "/caf%C3%A9");
  EXPECT_EQ(canonicalUri("/a/../b/./c//"), "/a/../b/./c//");  // S3: no dot-segment normalisation
  EXPECT_EQ(canonicalUri("/a%2"), std::nullopt);
  EXPECT_EQ(canonicalUri("/%zz"), std::nullopt);
}

TEST(Sigv4Encoding, CanonicalQuery) {
  EXPECT_EQ(canonicalQuery(""), "");
  EXPECT_EQ(canonicalQuery("acl"), "acl=");
  EXPECT_EQ(canonicalQuery("b=2&a=1&a="), "a=&a=1&b=2");  // by name, then value
  EXPECT_EQ(canonicalQuery("prefix=a/b c&delimiter=%2F"), "delimiter=%2F&prefix=a%2Fb%20c");
  EXPECT_EQ(canonicalQuery("k=a+b"), "k=a%2Bb");  // '+' is not a space here
  EXPECT_EQ(canonicalQuery("k=%7e&%41=1"), "A=1&k=~");
  EXPECT_EQ(canonicalQuery("a=1&&b=2&"), "a=1&b=2");
  EXPECT_EQ(canonicalQuery("x=1=2"), "x=1%3D2");
  // Sorted by the encoded name: "a%20b" < "a-b" < "a.b" < "a_b" < "ab" (%=0x25, -=0x2D, .=0x2E,
  // _=0x5F).
  EXPECT_EQ(canonicalQuery("ab=&a_b=&a.b=&a-b=&a b="), "a%20b=&a-b=&a.b=&a_b=&ab=");
  EXPECT_EQ(canonicalQuery("X-Amz-Signature=abc&a=1", true), "a=1");
  EXPECT_EQ(canonicalQuery("X-Amz-Signature=abc&a=1", false), "X-Amz-Signature=abc&a=1");
  EXPECT_EQ(canonicalQuery("a=%"), std::nullopt);
}

TEST(Sigv4Encoding, CanonicalHeaderValues) {
  const HeaderList h{
      {"Host", "h"}, {"X-Multi", "  a   b \t c  "}, {"x-multi", "d"}, {"X-Empty", ""}};
  const CanonicalInput in{"GET", "/", "", &h, {"host", "x-empty", "x-multi"}, kUnsignedPayload};
  EXPECT_EQ(
      canonicalRequest(in),
      "GET\n/\n\nhost:h\nx-empty:\nx-multi:a b c,d\n\nhost;x-empty;x-multi\nUNSIGNED-PAYLOAD");
  const CanonicalInput missing{"GET", "/", "", &h, {"host", "x-absent"}, kUnsignedPayload};
  EXPECT_EQ(canonicalRequest(missing), std::nullopt);
}

TEST(Sigv4Encoding, AmzDate) {
  EXPECT_EQ(formatAmzDate(kExampleTime), "20130524T000000Z");
  EXPECT_EQ(formatAmzDate(0), "19700101T000000Z");
  EXPECT_EQ(formatAmzDate(951782400 + 86399), "20000229T235959Z");
  EXPECT_EQ(parseAmzDate("20130524T000000Z"), kExampleTime);
  EXPECT_EQ(parseAmzDate("20000229T235959Z"), 951782400 + 86399);
  for (int64_t t : {int64_t{0}, kNow, int64_t{4102444799}})
    EXPECT_EQ(parseAmzDate(formatAmzDate(t)), t);
  for (const char* bad : {"", "20130524T000000", "20130524T000000z", "20130524 000000Z",
                          "20130532T000000Z", "20130229T000000Z", "20131324T000000Z",
                          "20130524T240000Z", "2013O524T000000Z", "20130524T000000ZZ"}) {
    EXPECT_EQ(parseAmzDate(bad), std::nullopt) << bad;
  }
}

TEST(Sigv4Errors, CodesStatusesAndMessages) {
  EXPECT_EQ(toString(AuthError::AccessDeniedExpired), "AccessDenied");
  EXPECT_EQ(message(AuthError::AccessDeniedExpired), "Request has expired");
  EXPECT_EQ(httpStatus(AuthError::AccessDeniedExpired), 403);
  EXPECT_EQ(toString(AuthError::MissingSecurityHeader), "InvalidRequest");
  EXPECT_EQ(httpStatus(AuthError::MissingSecurityHeader), 400);
  EXPECT_EQ(toString(AuthError::SignatureDoesNotMatch), "SignatureDoesNotMatch");
  EXPECT_EQ(httpStatus(AuthError::SignatureDoesNotMatch), 403);
  EXPECT_EQ(httpStatus(AuthError::AuthorizationQueryParametersError), 400);
  EXPECT_EQ(httpStatus(AuthError::BadDigest), 400);
  std::ostringstream os;
  os << AuthError::AccessDeniedNotYetValid << " " << PayloadMode::StreamingUnsignedTrailer << " "
     << Scope{"20240101", "eu-west-1", "s3"};
  EXPECT_EQ(os.str(),
            "AccessDenied (Request is not yet valid) StreamingUnsignedTrailer "
            "20240101/eu-west-1/s3/aws4_request");
}

}  // namespace
}  // namespace edge::policies::sigv4
