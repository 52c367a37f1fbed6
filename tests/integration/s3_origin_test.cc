// The bundled S3 server (edged-s3) end to end: raw HTTP for access rules, Range, conditionals,
// payload checks, presigned URLs, kill -9 durability and concurrent writers; Debian's AWS CLI v2
// for the commands a course runs (s3api put/get/head/list/delete, versioning recovery, s3 cp,
// s3 sync, s3 presign).
#include <openssl/evp.h>

#include <filesystem>
#include <set>
#include <thread>

#include "support/awscli.h"
#include "support/harness.h"
#include "support/s3_server.h"
#include "policies/sigv4.h"

namespace edge::itest {
namespace {

std::string md5Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 15];
  }
  return hex;
}

std::string quotedMd5(std::string_view data) { return "\"" + md5Hex(data) + "\""; }

// Deterministic, size-dependent bytes (not a repeating short pattern).
std::string bodyOf(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x);
  }
  return s;
}

std::string join(const std::string& path, const std::string& query) {
  return query.empty() ? path : path + "?" + query;
}

HttpResponse signedGet(const S3Server& s, Http& http, const std::string& path, const std::string& query = "",
                       std::vector<std::string> extra = {}) {
  auto h = s.signedHeaders("GET", path, query, "");
  h.insert(h.end(), extra.begin(), extra.end());
  return http.get(s.url(join(path, query)), h);
}

HttpResponse signedPut(const S3Server& s, Http& http, const std::string& path, const std::string& body,
                       const std::vector<std::string>& signed_extra = {}) {
  return http.put(s.url(path), s.signedHeaders("PUT", path, "", body, false, signed_extra), body);
}

::testing::AssertionResult isS3Error(const HttpResponse& r, long status, std::string_view code) {
  if (r.status != status) return ::testing::AssertionFailure() << "status " << r.status << "\n" << r;
  if (r.headers.get("content-type") != "application/xml")
    return ::testing::AssertionFailure() << "content-type\n" << r;
  const std::string want = "<Error><Code>" + std::string(code) + "</Code><Message>";
  if (r.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0) != 0 || r.body.find(want) == std::string::npos)
    return ::testing::AssertionFailure() << "body lacks " << want << "\n" << r;
  const auto id = r.headers.get("x-amz-request-id");
  if (!id || r.body.find("<RequestId>" + *id + "</RequestId>") == std::string::npos)
    return ::testing::AssertionFailure() << "RequestId does not match x-amz-request-id\n" << r;
  return ::testing::AssertionSuccess();
}

S3ServerOptions twoBuckets() {
  S3ServerOptions o;
  o.buckets = {{"site", "private", ""}, {"pub", "public-read", ""}};
  return o;
}

TEST(S3Origin, AnonymousAccessRules) {
  S3Server s3(twoBuckets());
  Http http;
  ASSERT_EQ(signedPut(s3, http, "/site/secret.txt", "private bytes").status, 200);
  ASSERT_EQ(signedPut(s3, http, "/pub/dir/hello.txt", "public bytes").status, 200);

  // Private bucket: anonymous refused with S3's AccessDenied body.
  HttpResponse r = http.get(s3.url("/site/secret.txt"));
  EXPECT_TRUE(isS3Error(r, 403, "AccessDenied"));
  EXPECT_NE(r.body.find("<Message>Access Denied</Message>"), std::string::npos) << r.body;
  // Public-read: anonymous GET and HEAD of objects, path- and virtual-host-style.
  r = http.get(s3.url("/pub/dir/hello.txt"));
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, "public bytes");
  r = http.get(s3.url("/dir/hello.txt"), {"Host: pub.s3.localhost:" + std::to_string(s3.port())});
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, "public bytes");
  r = http.head(s3.url("/pub/dir/hello.txt"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("content-length"), "12");
  // ... but not writes, deletes or listings.
  EXPECT_TRUE(isS3Error(http.put(s3.url("/pub/x.txt"), {}, "x"), 403, "AccessDenied"));
  EXPECT_TRUE(isS3Error(http.request("DELETE", s3.url("/pub/dir/hello.txt"), {}, nullptr), 403, "AccessDenied"));
  EXPECT_TRUE(isS3Error(http.get(s3.url("/pub?list-type=2")), 403, "AccessDenied"));
  EXPECT_TRUE(isS3Error(http.get(s3.url("/")), 403, "AccessDenied"));
  r = http.get(s3.url("/pub/missing.txt"));
  EXPECT_TRUE(isS3Error(r, 404, "NoSuchKey"));
  EXPECT_NE(r.body.find("<Key>missing.txt</Key>"), std::string::npos);

  // Wrong signatures.
  auto bad = s3.signedHeaders("GET", "/site/secret.txt", "", "");
  for (auto& line : bad) {
    if (line.rfind("Authorization:", 0) == 0) line.back() = line.back() == '0' ? '1' : '0';
  }
  EXPECT_TRUE(isS3Error(http.get(s3.url("/site/secret.txt"), bad), 403, "SignatureDoesNotMatch"));
  // Signed requests: private objects, listing, missing buckets.
  r = signedGet(s3, http, "/site/secret.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "private bytes");
  r = signedGet(s3, http, "/nobucket/x");
  EXPECT_TRUE(isS3Error(r, 404, "NoSuchBucket"));
  EXPECT_NE(r.body.find("<BucketName>nobucket</BucketName>"), std::string::npos);
  r = signedGet(s3, http, "/site", "list-type=2");
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_NE(r.body.find("<Key>secret.txt</Key>"), std::string::npos) << r.body;
  r = signedGet(s3, http, "/site", "acl");
  EXPECT_TRUE(isS3Error(r, 501, "NotImplemented"));
}

TEST(S3Origin, HeadersRangeConditionalsAndPayloadChecks) {
  S3Server s3;
  Http http;
  const std::string body = bodyOf(1000, 7);
  HttpResponse r = signedPut(s3, http, "/site/dir/obj.bin", body,
                             {"Content-Type: application/x-test", "Cache-Control: max-age=600",
                              "Content-Disposition: attachment", "x-amz-meta-color: blue"});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.headers.get("etag"), quotedMd5(body));
  EXPECT_FALSE(r.headers.has("x-amz-version-id"));  // never-versioned bucket

  r = signedGet(s3, http, "/site/dir/obj.bin");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.headers.get("etag"), quotedMd5(body));
  EXPECT_EQ(r.headers.get("content-type"), "application/x-test");
  EXPECT_EQ(r.headers.get("cache-control"), "max-age=600");
  EXPECT_EQ(r.headers.get("content-disposition"), "attachment");
  EXPECT_EQ(r.headers.get("x-amz-meta-color"), "blue");
  EXPECT_EQ(r.headers.get("accept-ranges"), "bytes");
  ASSERT_TRUE(r.headers.has("last-modified"));
  ASSERT_TRUE(r.headers.has("x-amz-request-id"));
  const std::string etag = *r.headers.get("etag");
  const std::string last_modified = *r.headers.get("last-modified");

  // HEAD: same headers, no body.
  r = http.head(s3.url("/site/dir/obj.bin"), s3.signedHeaders("HEAD", "/site/dir/obj.bin", "", ""));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("content-length"), "1000");
  EXPECT_EQ(r.headers.get("etag"), etag);
  EXPECT_TRUE(r.body.empty());

  // Range.
  r = signedGet(s3, http, "/site/dir/obj.bin", "", {"Range: bytes=10-19"});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.headers.get("content-range"), "bytes 10-19/1000");
  EXPECT_EQ(r.body, body.substr(10, 10));
  r = signedGet(s3, http, "/site/dir/obj.bin", "", {"Range: bytes=-5"});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, body.substr(995));
  r = signedGet(s3, http, "/site/dir/obj.bin", "", {"Range: bytes=1000-"});
  EXPECT_TRUE(isS3Error(r, 416, "InvalidRange"));
  EXPECT_EQ(r.headers.get("content-range"), "bytes */1000");

  // Conditionals (S3 precedence).
  r = signedGet(s3, http, "/site/dir/obj.bin", "", {"If-None-Match: " + etag});
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.headers.get("etag"), etag);
  r = signedGet(s3, http, "/site/dir/obj.bin", "", {"If-Modified-Since: " + last_modified});
  EXPECT_EQ(r.status, 304);
  r = signedGet(s3, http, "/site/dir/obj.bin", "", {"If-Match: \"nope\""});
  EXPECT_TRUE(isS3Error(r, 412, "PreconditionFailed"));
  r = signedGet(s3, http, "/site/dir/obj.bin", "", {"If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT"});
  EXPECT_TRUE(isS3Error(r, 412, "PreconditionFailed"));
  r = signedGet(s3, http, "/site/dir/obj.bin", "",
                {"If-Match: " + etag, "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT"});
  EXPECT_EQ(r.status, 200);

  // Payload checks: the object is not replaced by a refused PUT.
  auto h = s3.signedHeaders("PUT", "/site/dir/obj.bin", "", "the signed body");
  r = http.put(s3.url("/site/dir/obj.bin"), h, "another body!!");
  EXPECT_TRUE(isS3Error(r, 400, "XAmzContentSHA256Mismatch"));
  h = s3.signedHeaders("PUT", "/site/dir/obj.bin", "", "", true);
  h.push_back("Content-MD5: 1B2M2Y8AsgTpgAmY7PhCfg==");  // MD5 of ""
  r = http.put(s3.url("/site/dir/obj.bin"), h, "not empty");
  EXPECT_TRUE(isS3Error(r, 400, "BadDigest"));
  r = signedGet(s3, http, "/site/dir/obj.bin");
  EXPECT_EQ(r.body, body);

  // Presigned PUT and GET (query form).
  r = http.put(s3.presignedUrl("PUT", "/site/presigned.txt"), {}, "via presigned put");
  EXPECT_EQ(r.status, 200) << r;
  r = http.get(s3.presignedUrl("GET", "/site/presigned.txt"));
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, "via presigned put");

  // CopyObject (COPY keeps metadata, REPLACE takes the request's).
  const std::string copy_path = "/site/copy.bin";
  r = http.put(s3.url(copy_path),
               s3.signedHeaders("PUT", copy_path, "", "", false, {"x-amz-copy-source: /site/dir/obj.bin"}), "");
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_NE(r.body.find("<ETag>&quot;" + md5Hex(body) + "&quot;</ETag>"), std::string::npos) << r.body;
  r = signedGet(s3, http, copy_path);
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.headers.get("x-amz-meta-color"), "blue");
}

std::string base64Md5(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  unsigned char out[64];
  const int n = EVP_EncodeBlock(out, md, static_cast<int>(len));
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

HttpResponse signedRequest(const S3Server& s, Http& http, const std::string& method, const std::string& path,
                           const std::string& query, const std::string& body, std::vector<std::string> extra = {}) {
  auto h = s.signedHeaders(method, path, query, body);
  h.insert(h.end(), extra.begin(), extra.end());
  return http.request(method, s.url(join(path, query)), h, &body);
}

TEST(S3Origin, BucketOperationsListingsAndDeleteObjects) {
  S3Server s3;
  Http http;
  // Buckets.
  EXPECT_EQ(signedRequest(s3, http, "PUT", "/newbucket", "", "").status, 200);
  EXPECT_EQ(signedRequest(s3, http, "HEAD", "/newbucket", "", "").status, 200);
  EXPECT_EQ(signedRequest(s3, http, "HEAD", "/nobucket", "", "").status, 404);
  EXPECT_TRUE(isS3Error(signedRequest(s3, http, "PUT", "/Bad_Bucket", "", ""), 400, "InvalidBucketName"));
  HttpResponse r = signedGet(s3, http, "/");
  EXPECT_NE(r.body.find("<Bucket><Name>newbucket</Name>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Bucket><Name>site</Name>"), std::string::npos) << r.body;
  r = signedGet(s3, http, "/site", "location");
  EXPECT_NE(r.body.find("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></LocationConstraint>"),
            std::string::npos)
      << r.body;
  ASSERT_EQ(signedPut(s3, http, "/newbucket/k", "x").status, 200);
  EXPECT_TRUE(isS3Error(signedRequest(s3, http, "DELETE", "/newbucket", "", ""), 409, "BucketNotEmpty"));

  // Listing V1 with a marker, and the versions listing paginated.
  for (const char* k : {"a/1", "a/2", "b/3", "c"}) ASSERT_EQ(signedPut(s3, http, std::string("/site/") + k, k).status, 200);
  r = signedGet(s3, http, "/site", "marker=a%2F2&delimiter=%2F");
  EXPECT_NE(r.body.find("<Marker>a/2</Marker>"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("<Key>a/"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Key>c</Key>"), std::string::npos) << r.body;
  r = signedGet(s3, http, "/site", "versions&max-keys=1");
  EXPECT_NE(r.body.find("<IsTruncated>true</IsTruncated>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<NextKeyMarker>a/1</NextKeyMarker>"), std::string::npos) << r.body;
  r = signedGet(s3, http, "/site", "key-marker=a%2F1&versions&max-keys=1");
  EXPECT_NE(r.body.find("<Key>a/2</Key>"), std::string::npos) << r.body;
  EXPECT_TRUE(isS3Error(signedGet(s3, http, "/site", "list-type=2&max-keys=-1"), 400, "InvalidArgument"));
  EXPECT_TRUE(isS3Error(signedGet(s3, http, "/site", "list-type=2&continuation-token=%21%21"), 400, "InvalidArgument"));

  // DeleteObjects: Content-MD5 checked, Quiet honoured, missing keys count as deleted.
  const std::string doc =
      "<Delete><Object><Key>a/1</Key></Object><Object><Key>a/2</Key></Object><Object><Key>nope</Key></Object></Delete>";
  r = signedRequest(s3, http, "POST", "/site", "delete", doc, {"Content-MD5: " + base64Md5("other")});
  EXPECT_TRUE(isS3Error(r, 400, "BadDigest"));
  r = signedRequest(s3, http, "POST", "/site", "delete", doc, {"Content-MD5: " + base64Md5(doc)});
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_NE(r.body.find("<Deleted><Key>a/1</Key></Deleted><Deleted><Key>a/2</Key></Deleted><Deleted><Key>nope</Key>"),
            std::string::npos)
      << r.body;
  EXPECT_TRUE(isS3Error(signedGet(s3, http, "/site/a/1"), 404, "NoSuchKey"));
  const std::string quiet = "<Delete><Quiet>true</Quiet><Object><Key>b/3</Key></Object></Delete>";
  r = signedRequest(s3, http, "POST", "/site", "delete", quiet, {"Content-MD5: " + base64Md5(quiet)});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("<Deleted>"), std::string::npos) << r.body;
  EXPECT_TRUE(isS3Error(signedRequest(s3, http, "POST", "/site", "delete", "<Delete><Object>"), 400, "MalformedXML"));
  EXPECT_TRUE(isS3Error(signedRequest(s3, http, "PUT", "/site", "versioning",
                                      "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>"),
                        400, "IllegalVersioningConfigurationException"));
}

TEST(S3Origin, CommandLineAndConfigErrors) {
  CommandResult r = runCommand({EDGED_S3_BIN, "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("usage: edged-s3 --config FILE"), std::string::npos) << r.out;
  TempDir dir;
  const std::string cfg = dir.file("bad.json");
  writeFile(cfg, R"({"DataDir":"/tmp/x","Credentials":[{"AccessKeyId":"a","SecretAccessKey":"b"}],)"
                 R"("Buckets":[{"Name":"ok-bucket","Access":"world"}]})");
  r = runCommand({EDGED_S3_BIN, "--config", cfg});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(cfg + ": Buckets[0].Access: must be \"private\" or \"public-read\""), std::string::npos) << r.err;
  writeFile(cfg, R"({"Credentials":[{"AccessKeyId":"a","SecretAccessKey":"b"}]})");
  r = runCommand({EDGED_S3_BIN, "--config", cfg});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(cfg + ": DataDir: missing"), std::string::npos) << r.err;
  r = runCommand({EDGED_S3_BIN, "--config", dir.file("absent.json")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(dir.file("absent.json") + ": cannot be read"), std::string::npos) << r.err;
  r = runCommand({EDGED_S3_BIN, "--bogus", "1"});
  EXPECT_EQ(r.status, 2);
}

// aws-chunked with chunk signatures (what SDKs send for streamed uploads): decoded, verified,
// and the aws-chunked coding is not stored; a tampered chunk is refused and stores nothing.
TEST(S3Origin, AwsChunkedSignedUpload) {
  namespace sigv4 = policies::sigv4;
  S3Server s3;
  Http http;
  const std::string payload = bodyOf(200000, 11);
  auto upload = [&](const std::string& path, bool tamper) {
    auto h = s3.signedHeadersWithHash(
        "PUT", path, "", std::string(sigv4::kStreamingSigned),
        {"Content-Encoding: aws-chunked", "x-amz-decoded-content-length: " + std::to_string(payload.size())});
    std::string auth, date;
    for (const auto& line : h) {
      if (line.rfind("Authorization: ", 0) == 0) auth = line;
      if (line.rfind("X-Amz-Date: ", 0) == 0 || line.rfind("x-amz-date: ", 0) == 0) date = line.substr(12);
    }
    const size_t sig = auth.find("Signature=");
    EXPECT_NE(sig, std::string::npos) << auth;
    sigv4::ChunkSigning cs;
    cs.scope = sigv4::Scope{date.substr(0, 8), s3.options().region, "s3"};
    cs.key = sigv4::signingKey(s3.options().secret_access_key, cs.scope);
    cs.amz_date = date;
    cs.seed_signature = auth.substr(sig + 10, 64);
    std::string wire = sigv4::encodeAwsChunked(payload, 65536, &cs);
    if (tamper) wire[wire.size() / 2] ^= 1;
    return http.put(s3.url(path), h, wire);
  };
  HttpResponse r = upload("/site/chunked.bin", false);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.headers.get("etag"), quotedMd5(payload));
  r = signedGet(s3, http, "/site/chunked.bin");
  EXPECT_TRUE(r.body == payload);
  EXPECT_FALSE(r.headers.has("content-encoding")) << r;
  r = upload("/site/tampered.bin", true);
  EXPECT_TRUE(isS3Error(r, 403, "SignatureDoesNotMatch"));
  EXPECT_TRUE(isS3Error(signedGet(s3, http, "/site/tampered.bin"), 404, "NoSuchKey"));
}

// A PUT acknowledged with 200 survives SIGKILL right after the response.
TEST(S3Origin, KillDashNineAfterAcknowledgedPut) {
  S3Server s3;
  Http http;
  const size_t sizes[] = {0,     1,      17,     1000,   4096,   16384,  65536,   65537,  100000, 262144,
                          3,     524288, 999999, 1 << 20, 1 << 20, 12345, 777777, 2048,  (1 << 20) + 1, 31};
  std::vector<std::pair<std::string, std::string>> written;  // path, body
  for (size_t i = 0; i < std::size(sizes); ++i) {
    const std::string path = "/site/durable/obj-" + std::to_string(i);
    const std::string body = bodyOf(sizes[i], static_cast<uint32_t>(i + 100));
    std::string request = "PUT " + path + " HTTP/1.1\r\n";
    for (const auto& line : s3.signedHeaders("PUT", path, "", body)) request += line + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    RawClient client(s3.port());
    ASSERT_TRUE(client.send(request));
    ReadResult rr = client.readUntil([](std::string_view got) { return got.find("\r\n\r\n") != std::string_view::npos; },
                                     Ms(10000));
    s3.kill();  // the instant the acknowledgement is here
    ASSERT_EQ(rr.data.rfind("HTTP/1.1 200", 0), 0u) << rr.data;
    const ParseOutcome p = parseResponse(rr.data);
    ASSERT_EQ(p.status, ParseStatus::Complete) << rr.data;
    EXPECT_EQ(p.response.headers.get("etag"), quotedMd5(body));
    written.emplace_back(path, body);
    s3.restart();
    HttpResponse r = signedGet(s3, http, path);
    ASSERT_EQ(r.status, 200) << "size " << sizes[i] << "\n" << r;
    EXPECT_EQ(r.body.size(), body.size());
    EXPECT_TRUE(r.body == body) << "body differs, size " << sizes[i];
    EXPECT_EQ(r.headers.get("etag"), quotedMd5(body));
  }
  for (const auto& [path, body] : written) {
    HttpResponse r = signedGet(s3, http, path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_TRUE(r.body == body) << path;
  }
}

TEST(S3Origin, ConcurrentPutsToOneKeyLeaveOneWholeBody) {
  S3Server s3;
  Http http;  // created first: curl's global init happens on this thread
  constexpr int kWriters = 6;
  std::vector<std::string> bodies;
  for (int i = 0; i < kWriters; ++i) bodies.push_back(bodyOf(300000 + static_cast<size_t>(i) * 1111, 900 + i));
  std::vector<std::string> etags(kWriters);
  std::vector<long> statuses(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      Http http;
      HttpResponse r = signedPut(s3, http, "/site/contended.bin", bodies[static_cast<size_t>(i)]);
      statuses[static_cast<size_t>(i)] = r.status;
      etags[static_cast<size_t>(i)] = r.headers.get("etag").value_or("");
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kWriters; ++i) {
    EXPECT_EQ(statuses[static_cast<size_t>(i)], 200);
    EXPECT_EQ(etags[static_cast<size_t>(i)], quotedMd5(bodies[static_cast<size_t>(i)]));
  }
  HttpResponse r = signedGet(s3, http, "/site/contended.bin");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("etag"), quotedMd5(r.body));
  bool whole = false;
  for (const auto& b : bodies) whole = whole || b == r.body;
  EXPECT_TRUE(whole) << "the stored body is none of the written ones (" << r.body.size() << " bytes)";
}

TEST(S3Origin, ViewerGoneMidBodyLeavesNoObject) {
  S3Server s3;
  const std::string path = "/site/partial.bin";
  const std::string body = bodyOf(1 << 20, 5);
  std::string request = "PUT " + path + " HTTP/1.1\r\n";
  for (const auto& line : s3.signedHeaders("PUT", path, "", "", true)) request += line + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2);
  {
    RawClient client(s3.port());
    ASSERT_TRUE(client.send(request));
    std::this_thread::sleep_for(Ms(100));
  }  // closed mid-body
  std::this_thread::sleep_for(Ms(100));
  Http http;
  EXPECT_TRUE(isS3Error(signedGet(s3, http, path), 404, "NoSuchKey"));
  // The server is still fine and accepts the whole body.
  EXPECT_EQ(signedPut(s3, http, path, body).status, 200);
  EXPECT_EQ(signedGet(s3, http, path).body.size(), body.size());
}

// ---- AWS CLI v2 ---------------------------------------------------------------------------------

class S3AwsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // A required test dependency (scripts/setup.sh installs Debian's awscli): fail, never skip.
    ASSERT_TRUE(AwsCli::available()) << kAwsCliBin << " is not installed: run scripts/setup.sh";
  }
  AwsCli cliFor(const S3Server& s) const {
    return AwsCli(s.endpoint(), s.options().access_key_id, s.options().secret_access_key, s.options().region);
  }
};

TEST_F(S3AwsCli, S3ApiObjectsAndListings) {
  S3Server s3;
  AwsCli aws = cliFor(s3);
  Http http;
  TempDir dir;
  const std::string local = dir.file("test.txt");
  writeFile(local, "hello from the course\n");

  AwsCliResult raw;
  nlohmann::json j = aws.json({"s3api", "put-object", "--bucket", "site", "--key", "dir1/test.txt", "--body", local,
                               "--content-type", "text/plain", "--cache-control", "max-age=300", "--metadata",
                               "author=me,topic=s3"},
                              &raw);
  ASSERT_TRUE(raw.ok()) << raw;
  EXPECT_EQ(j.value("ETag", ""), quotedMd5("hello from the course\n"));

  j = aws.json({"s3api", "head-object", "--bucket", "site", "--key", "dir1/test.txt"}, &raw);
  ASSERT_TRUE(raw.ok()) << raw;
  EXPECT_EQ(j.value("ContentType", ""), "text/plain");
  EXPECT_EQ(j.value("CacheControl", ""), "max-age=300");
  EXPECT_EQ(j.value("ContentLength", 0), 22);
  EXPECT_EQ(j["Metadata"], (nlohmann::json{{"author", "me"}, {"topic", "s3"}}));

  const std::string out = dir.file("out.txt");
  j = aws.json({"s3api", "get-object", "--bucket", "site", "--key", "dir1/test.txt", out}, &raw);
  ASSERT_TRUE(raw.ok()) << raw;
  EXPECT_EQ(readFile(out), "hello from the course\n");

  // More keys (signed raw PUTs: cheaper than CLI calls), including characters that need
  // encoding-type=url, which the CLI asks for.
  for (const char* key : {"dir1/sub/b.txt", "dir1/a%20b%26c%2B.txt", "dir2/c.txt", "top.txt"}) {
    ASSERT_EQ(signedPut(s3, http, std::string("/site/") + key, key).status, 200) << key;
  }
  j = aws.json({"s3api", "list-objects-v2", "--bucket", "site", "--prefix", "dir1/", "--delimiter", "/"}, &raw);
  ASSERT_TRUE(raw.ok()) << raw;
  std::set<std::string> keys, prefixes;
  for (const auto& c : j["Contents"]) keys.insert(c["Key"].get<std::string>());
  for (const auto& p : j["CommonPrefixes"]) prefixes.insert(p["Prefix"].get<std::string>());
  EXPECT_EQ(keys, (std::set<std::string>{"dir1/a b&c+.txt", "dir1/test.txt"})) << raw.out;
  EXPECT_EQ(prefixes, (std::set<std::string>{"dir1/sub/"})) << raw.out;

  // --page-size 2 makes the CLI follow NextContinuationToken.
  j = aws.json({"s3api", "list-objects-v2", "--bucket", "site", "--page-size", "2"}, &raw);
  ASSERT_TRUE(raw.ok()) << raw;
  keys.clear();
  for (const auto& c : j["Contents"]) keys.insert(c["Key"].get<std::string>());
  EXPECT_EQ(keys, (std::set<std::string>{"dir1/a b&c+.txt", "dir1/sub/b.txt", "dir1/test.txt", "dir2/c.txt",
                                         "top.txt"}))
      << raw.out;
  // And the server really paginated: a raw listing with max-keys=2 is truncated.
  HttpResponse r = signedGet(s3, http, "/site", "list-type=2&max-keys=2");
  EXPECT_NE(r.body.find("<IsTruncated>true</IsTruncated>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<NextContinuationToken>"), std::string::npos) << r.body;

  raw = aws.run({"s3api", "delete-object", "--bucket", "site", "--key", "dir1/test.txt"});
  ASSERT_TRUE(raw.ok()) << raw;
  raw = aws.run({"s3api", "head-object", "--bucket", "site", "--key", "dir1/test.txt"});
  EXPECT_NE(raw.status, 0);
  EXPECT_NE(raw.err.find("404"), std::string::npos) << raw;
}

// The "accidentally deleted index.html" recovery: versioning on, delete, find the delete marker
// with list-object-versions, delete the marker, the object is back.
TEST_F(S3AwsCli, VersioningRecoversDeletedIndexHtml) {
  S3Server s3;
  AwsCli aws = cliFor(s3);
  Http http;
  AwsCliResult raw = aws.run({"s3api", "put-bucket-versioning", "--bucket", "site", "--versioning-configuration",
                              "Status=Enabled"});
  ASSERT_TRUE(raw.ok()) << raw;
  HttpResponse r = signedGet(s3, http, "/site", "versioning");
  EXPECT_NE(r.body.find("<Status>Enabled</Status>"), std::string::npos) << r.body;

  r = signedPut(s3, http, "/site/index.html", "<h1>v1</h1>");
  ASSERT_EQ(r.status, 200);
  const std::string v1 = r.headers.get("x-amz-version-id").value_or("");
  ASSERT_FALSE(v1.empty());
  ASSERT_NE(v1, "null");
  r = signedPut(s3, http, "/site/index.html", "<h1>v2</h1>");
  const std::string v2 = r.headers.get("x-amz-version-id").value_or("");
  ASSERT_FALSE(v2.empty());
  ASSERT_NE(v1, v2);

  nlohmann::json j = aws.json({"s3api", "delete-object", "--bucket", "site", "--key", "index.html"}, &raw);
  ASSERT_TRUE(raw.ok()) << raw;
  EXPECT_EQ(j.value("DeleteMarker", false), true) << raw.out;
  const std::string marker = j.value("VersionId", "");
  ASSERT_FALSE(marker.empty());
  r = signedGet(s3, http, "/site/index.html");
  EXPECT_TRUE(isS3Error(r, 404, "NoSuchKey"));
  EXPECT_EQ(r.headers.get("x-amz-delete-marker"), "true");

  j = aws.json({"s3api", "list-object-versions", "--bucket", "site", "--prefix", "index.html"}, &raw);
  ASSERT_TRUE(raw.ok()) << raw;
  ASSERT_EQ(j["Versions"].size(), 2u) << raw.out;
  ASSERT_EQ(j["DeleteMarkers"].size(), 1u) << raw.out;
  EXPECT_EQ(j["DeleteMarkers"][0].value("VersionId", ""), marker);
  EXPECT_EQ(j["DeleteMarkers"][0].value("IsLatest", false), true);
  EXPECT_EQ(j["Versions"][0].value("VersionId", ""), v2);
  EXPECT_EQ(j["Versions"][0].value("IsLatest", true), false);

  raw = aws.run({"s3api", "delete-object", "--bucket", "site", "--key", "index.html", "--version-id", marker});
  ASSERT_TRUE(raw.ok()) << raw;
  r = signedGet(s3, http, "/site/index.html");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<h1>v2</h1>");
  EXPECT_EQ(r.headers.get("x-amz-version-id"), v2);
  r = signedGet(s3, http, "/site/index.html", "versionId=" + v1);
  EXPECT_EQ(r.body, "<h1>v1</h1>");
}

TEST_F(S3AwsCli, CpSyncAndPresign) {
  S3Server s3;
  AwsCli aws = cliFor(s3);
  Http http;
  TempDir dir;
  const std::string file = dir.file("page.html");
  writeFile(file, "<p>copied</p>");
  AwsCliResult raw = aws.run({"s3", "cp", "--no-progress", file, "s3://site/cp/page.html"});
  ASSERT_TRUE(raw.ok()) << raw;
  raw = aws.run({"s3", "cp", "--no-progress", "s3://site/cp/page.html", dir.file("back.html")});
  ASSERT_TRUE(raw.ok()) << raw;
  EXPECT_EQ(readFile(dir.file("back.html")), "<p>copied</p>");

  // A tree of nested files.
  const std::string tree = dir.file("tree");
  std::filesystem::create_directories(tree + "/css");
  std::filesystem::create_directories(tree + "/img/icons");
  writeFile(tree + "/index.html", "<html>index</html>");
  writeFile(tree + "/css/site.css", "body{}");
  writeFile(tree + "/img/icons/a b.svg", "<svg/>");
  writeFile(tree + "/img/logo.bin", bodyOf(70000, 3));
  raw = aws.run({"s3", "sync", "--no-progress", tree, "s3://site/www/"});
  ASSERT_TRUE(raw.ok()) << raw;
  size_t uploads = 0;
  for (size_t at = raw.out.find("upload:"); at != std::string::npos; at = raw.out.find("upload:", at + 1)) ++uploads;
  EXPECT_EQ(uploads, 4u) << raw.out;
  HttpResponse r = signedGet(s3, http, "/site/www/img/icons/a%20b.svg");
  EXPECT_EQ(r.body, "<svg/>");
  r = signedGet(s3, http, "/site/www/img/logo.bin");
  EXPECT_TRUE(r.body == bodyOf(70000, 3));
  raw = aws.run({"s3", "sync", "--no-progress", tree, "s3://site/www/"});
  ASSERT_TRUE(raw.ok()) << raw;
  EXPECT_EQ(raw.out.find("upload:"), std::string::npos) << "second sync uploaded again:\n" << raw.out;

  raw = aws.run({"s3", "presign", "s3://site/cp/page.html", "--expires-in", "300"});
  ASSERT_TRUE(raw.ok()) << raw;
  std::string url(trimOws(raw.out));
  ASSERT_EQ(url.rfind(s3.endpoint() + "/site/cp/page.html?", 0), 0u) << url;
  r = http.get(url);
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, "<p>copied</p>");
  const size_t sig = url.find("X-Amz-Signature=");
  ASSERT_NE(sig, std::string::npos);
  std::string tampered = url;
  char& c = tampered[sig + 16];
  c = c == 'a' ? 'b' : 'a';
  EXPECT_TRUE(isS3Error(http.get(tampered), 403, "SignatureDoesNotMatch"));
  tampered = url;
  tampered.replace(tampered.find("/cp/page.html"), 13, "/cp/other.htm");
  EXPECT_TRUE(isS3Error(http.get(tampered), 403, "SignatureDoesNotMatch"));
}

}  // namespace
}  // namespace edge::itest
