// Edge compression through a real edged in front of the tests' origin (cloudfront-behavior.md
// §2.3, §4): the §4.1 eligibility table at its boundaries (size, Content-Type, status, Range,
// an origin that already encoded), the §4.3 format choice, the §4.4 / §4.6 headers, one origin
// fetch per Accept-Encoding variant (collapsed followers included), invalidation of every
// variant, streaming of a 9 MB body, and decoding by clients no one here wrote (curl, Python's
// gzip module, the brotli command).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "support/compressible_types.h"
#include "support/content_decoding.h"
#include "support/harness.h"
#include "support/raw_client.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

Json policy(const std::string& id, bool gzip, bool brotli, int min, int def, int max) {
  return {{"Id", id},
          {"CachePolicyConfig",
           {{"Name", id},
            {"MinTTL", min},
            {"DefaultTTL", def},
            {"MaxTTL", max},
            {"ParametersInCacheKeyAndForwardedToOrigin",
             {{"EnableAcceptEncodingGzip", gzip},
              {"EnableAcceptEncodingBrotli", brotli},
              {"HeadersConfig", {{"HeaderBehavior", "none"}}},
              {"CookiesConfig", {{"CookieBehavior", "none"}}},
              {"QueryStringsConfig", {{"QueryStringBehavior", "all"}}}}}}}};
}

// Default behaviour: gzip + brotli keyed, Compress on, TTLs 0/60/3600. Behaviours on the same
// origin paths: /obj/gz-* gzip only; /obj/off-* Compress off; /obj/zero-* all-zero TTLs.
Json compressionConfig() {
  Json cfg = baseConfig();
  cfg["CachePolicies"] = Json::array({policy("cp-both", true, true, 0, 60, 3600),
                                      policy("cp-gzip", true, false, 0, 60, 3600),
                                      policy("cp-zero", true, true, 0, 0, 0)});
  auto& b = defaultBehavior(cfg);
  b["CachePolicyId"] = "cp-both";
  b.erase("OriginRequestPolicyId");
  b["Compress"] = true;
  const auto add = [&](const std::string& pattern, const std::string& cp, bool compress) {
    Json item = makeBehavior(pattern, "o1");
    item["CachePolicyId"] = cp;
    item.erase("OriginRequestPolicyId");
    item["Compress"] = compress;
    addBehavior(cfg, item);
  };
  add("/obj/gz-*", "cp-gzip", true);
  add("/obj/off-*", "cp-both", false);
  add("/obj/zero-*", "cp-zero", true);
  cfg["Edge"]["AdminListen"] = "127.0.0.1:0";
  cfg["Edge"]["DebugHeaders"] = true;
  cfg["Edge"]["TestClock"] = true;
  return cfg;
}

std::string header(const HttpResponse& r, const char* name) {
  return r.headers.get(name).value_or("(none)");
}

class Compression : public ::testing::Test {
 protected:
  Compression() : edged_(compressionConfig(), origin_.port()), admin_("http://" + edged_.adminAddress()) {}

  void define(const std::string& name, const std::string& query) {
    HttpResponse r = http_.get(origin_.url("/set/" + name + "?" + query));
    ASSERT_EQ(r.status, 200) << r;
  }
  HttpResponse get(const std::string& path, const std::vector<std::string>& headers = {},
                   const RequestOptions& options = {}) {
    return http_.get(edged_.url(path), headers, options);
  }
  uint64_t originCount(const std::string& path) { return origin_.stats().path(path); }

  // The decoded body of `r` per its Content-Encoding (ADD_FAILURE when it does not decode).
  static std::string decoded(const HttpResponse& r) {
    auto out = testing_decode::decodeBody(r.headers.get("Content-Encoding").value_or(""), r.body);
    EXPECT_TRUE(out.has_value()) << "body does not decode as " << header(r, "Content-Encoding");
    return out.value_or("");
  }

  // Asserts `r` is the compressed form of a `len`-byte pattern body in `coding`.
  static void expectCompressed(const HttpResponse& r, const std::string& coding, size_t len) {
    EXPECT_EQ(header(r, "Content-Encoding"), coding) << r;
    EXPECT_LT(r.body.size(), len) << "not smaller than the original";
    EXPECT_EQ(decoded(r), patternBody(len));
    EXPECT_NE(header(r, "Vary").find("Accept-Encoding"), std::string::npos) << r;
  }
  static void expectIdentity(const HttpResponse& r, size_t len) {
    EXPECT_FALSE(r.headers.has("Content-Encoding")) << r;
    EXPECT_EQ(r.body, patternBody(len));
    EXPECT_EQ(header(r, "Content-Length"), std::to_string(len));
  }

  TestOrigin origin_;
  Edged edged_;
  std::string admin_;
  Http http_;
};

const char* kGzip = "Accept-Encoding: gzip";
const char* kBoth = "Accept-Encoding: gzip, deflate, br";

TEST_F(Compression, GzipMissIsChunkedThenHitServesTheStoredBytes) {
  define("a", "cc=max-age=300&len=30000&etag=%22v1%22&chunks=3&gap_ms=50");
  HttpResponse miss = get("/obj/a", {kGzip});
  ASSERT_EQ(miss.status, 200) << miss;
  expectCompressed(miss, "gzip", 30000);
  EXPECT_EQ(header(miss, "X-Cache"), "Miss from cloudfront");
  EXPECT_EQ(header(miss, "Transfer-Encoding"), "chunked") << miss;  // §4.4
  EXPECT_FALSE(miss.headers.has("Content-Length"));
  EXPECT_EQ(header(miss, "ETag"), "W/\"v1\"");  // §4.6
  EXPECT_EQ(header(miss, "X-Origin-Accept-Encoding"), "gzip");
  EXPECT_NE(header(miss, "X-Edged-Cache-Reason").find("compressed gzip"), std::string::npos);

  HttpResponse hit = get("/obj/a", {kGzip});
  ASSERT_EQ(hit.status, 200) << hit;
  EXPECT_EQ(header(hit, "X-Cache"), "Hit from cloudfront");
  EXPECT_EQ(hit.body, miss.body) << "a hit serves the stored compressed bytes";
  EXPECT_EQ(header(hit, "ETag"), "W/\"v1\"");
  EXPECT_EQ(originCount("/obj/a"), 1u);
  // A conditional request with the weak ETag gets a 304 from the stored variant.
  HttpResponse cond = get("/obj/a", {kGzip, "If-None-Match: W/\"v1\""});
  EXPECT_EQ(cond.status, 304) << cond;
  // HEAD shares the object: the compressed variant's headers, no body.
  HttpResponse head = http_.head(edged_.url("/obj/a"), {kGzip});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(header(head, "Content-Encoding"), "gzip");
  EXPECT_EQ(originCount("/obj/a"), 1u);
}

TEST_F(Compression, RevalidationKeepsTheCompressedVariant) {
  define("rv", "cc=max-age=10&len=6000&etag=%22r1%22");
  HttpResponse miss = get("/obj/rv", {kGzip});
  expectCompressed(miss, "gzip", 6000);
  HttpResponse adv = http_.post(admin_ + "/clock/advance?seconds=20", {}, "");
  ASSERT_EQ(adv.status, 200) << adv;
  // Expired: the origin is asked with its own (strong) ETag and answers 304 with it.
  HttpResponse refreshed = get("/obj/rv", {kGzip});
  ASSERT_EQ(refreshed.status, 200) << refreshed;
  EXPECT_EQ(header(refreshed, "X-Cache"), "RefreshHit from cloudfront") << refreshed;
  EXPECT_EQ(header(refreshed, "X-Origin-If-None-Match"), "\"r1\"");
  EXPECT_EQ(header(refreshed, "ETag"), "W/\"r1\"") << "still the compressed body's weak ETag";
  EXPECT_EQ(refreshed.body, miss.body);
  expectCompressed(refreshed, "gzip", 6000);
  EXPECT_EQ(originCount("/obj/rv"), 2u);
}

TEST_F(Compression, BrotliWinsWhenTheViewerAcceptsBoth) {
  define("b", "cc=max-age=300&len=20000&ctype=text/html;%20charset=utf-8");
  HttpResponse r = get("/obj/b", {kBoth});
  ASSERT_EQ(r.status, 200) << r;
  expectCompressed(r, "br", 20000);
  EXPECT_EQ(header(r, "X-Origin-Accept-Encoding"), "br,gzip");  // §2.3 normalised
}

TEST_F(Compression, EachVariantIsFetchedOnceAndInvalidatedTogether) {
  define("v", "cc=max-age=300&len=5000");
  struct Viewer {
    std::vector<std::string> headers;
    std::string coding;  // expected Content-Encoding, "" = identity
    std::string origin_ae;
    bool first_of_key;   // the first viewer of its variant: a miss
  };
  const std::vector<Viewer> viewers = {
      {{}, "", "(none)", true},                                    // not sent (§2.3)
      {{"Accept-Encoding: deflate, zstd"}, "", "(none)", false},  // neither: the identity key
      {{"Accept-Encoding: gzip"}, "gzip", "gzip", true},
      {{"Accept-Encoding: br"}, "br", "br", true},
      {{"Accept-Encoding: br;q=1, gzip;q=0.5"}, "br", "br,gzip", true},
      {{"Accept-Encoding: gzip;q=0, br;q=0"}, "", "(none)", false},  // q=0 is not acceptance
  };
  const auto round = [&](bool all_hits) {
    for (const Viewer& v : viewers) {
      HttpResponse r = get("/obj/v", v.headers);
      ASSERT_EQ(r.status, 200) << r;
      if (v.coding.empty()) {
        expectIdentity(r, 5000);
      } else {
        expectCompressed(r, v.coding, 5000);
      }
      const bool miss = !all_hits && v.first_of_key;
      EXPECT_EQ(header(r, "X-Cache"), miss ? "Miss from cloudfront" : "Hit from cloudfront")
          << v.headers.size() << " " << r;
      // The stored variant carries what the origin saw when it was filled.
      if (!v.coding.empty()) {
        EXPECT_EQ(header(r, "X-Origin-Accept-Encoding"), v.origin_ae);
      }
    }
  };
  round(false);
  round(true);
  // identity (none / deflate / q=0 share it), gzip, br, br,gzip.
  EXPECT_EQ(originCount("/obj/v"), 4u);

  const std::string batch =
      R"({"CallerReference": "z1", "Paths": {"Quantity": 1, "Items": ["/obj/v"]}})";
  HttpResponse created =
      http_.post(admin_ + "/invalidations", {"Content-Type: application/json"}, batch);
  ASSERT_EQ(created.status, 201) << created;
  round(false);
  EXPECT_EQ(originCount("/obj/v"), 8u) << "every variant was removed by the one path";
}

TEST_F(Compression, AViewerAcceptingNeitherFormatMakesTheOriginSendIdentity) {
  define("idn", "cc=max-age=300&len=5000");
  HttpResponse r = get("/obj/idn", {"Accept-Encoding: deflate, zstd"});
  expectIdentity(r, 5000);
  EXPECT_EQ(header(r, "X-Origin-Accept-Encoding"), "identity");  // §2.3
  // The same (identity) object serves a viewer with no Accept-Encoding at all.
  EXPECT_EQ(header(get("/obj/idn"), "X-Cache"), "Hit from cloudfront");
  EXPECT_EQ(originCount("/obj/idn"), 1u);
}

TEST_F(Compression, ContentLengthBoundaries) {
  for (uint64_t len : {999ull, 1000ull, 10'000'000ull, 10'000'001ull}) {
    const std::string name = "len" + std::to_string(len);
    define(name, "cc=max-age=300&len=" + std::to_string(len));
    HttpResponse r = get("/obj/" + name, {kGzip});
    ASSERT_EQ(r.status, 200) << len;
    if (len >= 1000 && len <= 10'000'000) {
      EXPECT_EQ(header(r, "Content-Encoding"), "gzip") << len;
      EXPECT_EQ(decoded(r).size(), len);
      EXPECT_EQ(decoded(r), patternBody(len)) << len;
    } else {
      EXPECT_FALSE(r.headers.has("Content-Encoding")) << len;
      EXPECT_EQ(r.body.size(), len);
    }
  }
}

TEST_F(Compression, EveryListedContentTypeAndSomeUnlisted) {
  const std::vector<std::string> listed(testing_spec::kCompressibleTypes.begin(),
                                        testing_spec::kCompressibleTypes.end());
  ASSERT_EQ(listed.size(), 46u);
  const std::vector<std::string> unlisted = {"image/png", "application/octet-stream",
                                             "video/mp4", "application/zip", "font/woff2", ""};
  int i = 0;
  for (const auto* set : {&listed, &unlisted}) {
    for (const std::string& type : *set) {
      const std::string name = "t" + std::to_string(i++);
      std::string q = "cc=max-age=300&len=1500&ctype=";
      for (char c : type) q += c == '+' ? std::string("%2B") : std::string(1, c);
      define(name, q);
      HttpResponse r = get("/obj/" + name, {kGzip});
      ASSERT_EQ(r.status, 200) << type;
      if (set == &listed) {
        EXPECT_EQ(header(r, "Content-Encoding"), "gzip") << type;
        EXPECT_EQ(decoded(r), patternBody(1500)) << type;
      } else {
        EXPECT_FALSE(r.headers.has("Content-Encoding")) << "'" << type << "'";
        EXPECT_EQ(r.body, patternBody(1500)) << type;
      }
    }
  }
}

TEST_F(Compression, OnlyStatus200403And404AreCompressed) {
  for (int status : {200, 203, 206, 300, 301, 400, 403, 404, 410, 500, 503}) {
    const std::string name = "s" + std::to_string(status);
    define(name, "cc=max-age=300&len=2000&status=" + std::to_string(status));
    HttpResponse r = get("/obj/" + name, {kGzip});
    ASSERT_EQ(r.status, status) << r;
    if (status == 200 || status == 403 || status == 404) {
      EXPECT_EQ(header(r, "Content-Encoding"), "gzip") << status;
      EXPECT_EQ(decoded(r), patternBody(2000)) << status;
    } else {
      EXPECT_FALSE(r.headers.has("Content-Encoding")) << status;
      EXPECT_EQ(r.body, patternBody(2000)) << status;
    }
  }
}

TEST_F(Compression, RangeRequestsAreServedFromTheIdentityVariant) {
  define("r", "cc=max-age=300&len=5000");
  HttpResponse ranged = get("/obj/r", {kBoth, "Range: bytes=100-199"});
  ASSERT_EQ(ranged.status, 206) << ranged;
  EXPECT_FALSE(ranged.headers.has("Content-Encoding"));
  EXPECT_EQ(ranged.body, patternBody(100, 100));
  EXPECT_EQ(header(ranged, "Content-Range"), "bytes 100-199/5000");
  EXPECT_EQ(header(ranged, "X-Origin-Accept-Encoding"), "identity");
  // The identity variant it filled serves a viewer without Accept-Encoding; the br variant is
  // separate.
  HttpResponse plain = get("/obj/r");
  EXPECT_EQ(header(plain, "X-Cache"), "Hit from cloudfront");
  expectIdentity(plain, 5000);
  HttpResponse br = get("/obj/r", {kBoth});
  EXPECT_EQ(header(br, "X-Cache"), "Miss from cloudfront");
  expectCompressed(br, "br", 5000);
  EXPECT_EQ(originCount("/obj/r"), 2u);
}

TEST_F(Compression, OriginEncodedBodiesAreUntouched) {
  define("enc", "cc=max-age=300&len=3000&cenc=gzip&etag=%22e%22");
  HttpResponse r = get("/obj/enc", {kBoth});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(header(r, "Content-Encoding"), "gzip");  // the origin's own, not re-encoded
  EXPECT_EQ(r.body, patternBody(3000));
  EXPECT_EQ(header(r, "ETag"), "\"e\"");
  EXPECT_EQ(header(r, "Content-Length"), "3000");
  define("ident", "cc=max-age=300&len=3000&cenc=identity");
  HttpResponse i = get("/obj/ident", {kBoth});
  EXPECT_EQ(header(i, "Content-Encoding"), "identity");
  EXPECT_EQ(i.body, patternBody(3000));
}

TEST_F(Compression, EtagForms) {
  define("weak", "cc=max-age=300&len=3000&etag=W/%22w%22");
  EXPECT_EQ(header(get("/obj/weak", {kGzip}), "ETag"), "W/\"w\"");
  define("bad", "cc=max-age=300&len=3000&etag=unquoted");
  HttpResponse bad = get("/obj/bad", {kGzip});
  EXPECT_EQ(header(bad, "Content-Encoding"), "gzip");
  EXPECT_FALSE(bad.headers.has("ETag")) << bad;
  // Not compressed → untouched.
  EXPECT_EQ(header(get("/obj/bad"), "ETag"), "unquoted");
}

TEST_F(Compression, BehaviourAndPolicyConditions) {
  define("gz-x", "cc=max-age=300&len=4000");
  // gzip-only policy: a brotli-capable viewer gets gzip.
  expectCompressed(get("/obj/gz-x", {kBoth}), "gzip", 4000);
  // Compress off: the origin still gets the normalised Accept-Encoding, nothing is compressed.
  define("off-x", "cc=max-age=300&len=4000");
  HttpResponse off = get("/obj/off-x", {kBoth});
  expectIdentity(off, 4000);
  EXPECT_EQ(header(off, "X-Origin-Accept-Encoding"), "br,gzip");
  // All-zero TTLs: no compression (§4.1 condition 3).
  define("zero-x", "len=4000");
  expectIdentity(get("/obj/zero-x", {kBoth}), 4000);
  // HTTP/1.0 viewers: Accept-Encoding removed (§2.3).
  define("h10", "cc=max-age=300&len=4000");
  RequestOptions h10;
  h10.http10 = true;
  HttpResponse old = get("/obj/h10", {kBoth}, h10);
  expectIdentity(old, 4000);
  EXPECT_EQ(header(old, "X-Origin-Accept-Encoding"), "(none)");
}

TEST_F(Compression, UncacheableResponsesAreCompressedToo) {
  define("ns", "cc=no-store&len=8000");
  HttpResponse r = get("/obj/ns", {kGzip});
  ASSERT_EQ(r.status, 200) << r;
  expectCompressed(r, "gzip", 8000);
  expectCompressed(get("/obj/ns", {kGzip}), "gzip", 8000);
  EXPECT_EQ(originCount("/obj/ns"), 2u);
}

TEST_F(Compression, CollapsedFollowersGetTheSameCompressedBytes) {
  define("c", "cc=max-age=300&len=200000&delay_ms=300");
  std::vector<std::future<HttpResponse>> all;
  for (int i = 0; i < 6; ++i) {
    all.push_back(std::async(std::launch::async, [this] {
      Http h;
      return h.get(edged_.url("/obj/c"), {kBoth});
    }));
  }
  std::string first;
  for (auto& f : all) {
    HttpResponse r = f.get();
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(header(r, "Content-Encoding"), "br");
    if (first.empty()) first = r.body;
    EXPECT_EQ(r.body, first) << "every follower reads the one compressed stream";
  }
  EXPECT_EQ(testing_decode::unbrotli(first).value_or(""), patternBody(200000));
  EXPECT_EQ(originCount("/obj/c"), 1u);
}

// The data of the complete chunks at the start of a chunked body.
std::string dechunkPrefix(std::string_view d) {
  std::string out;
  for (;;) {
    const size_t eol = d.find("\r\n");
    if (eol == std::string_view::npos) return out;
    const size_t n = std::strtoul(std::string(d.substr(0, eol)).c_str(), nullptr, 16);
    if (n == 0 || d.size() < eol + 2 + n + 2) return out;
    out.append(d.substr(eol + 2, n));
    d.remove_prefix(eol + 2 + n + 2);
  }
}

TEST_F(Compression, NineMegabytesAreCompressedAsTheyArrive) {
  // The origin sends half of a 9 MB body, waits 2 s, sends the rest. Compressed bytes must
  // reach the viewer during the pause, in both formats.
  for (const std::string coding : {"gzip", "br"}) {
    const std::string name = "big-" + coding;
    define(name, "cc=max-age=300&len=9000000&chunks=2&gap_ms=2000");
    RawClient c(edged_.port());
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(c.send("GET /obj/" + name + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: " +
                       coding + "\r\n\r\n"));
    // Until the body received so far decodes to at least 1 MB of the 4.5 MB already sent.
    ReadResult early = c.readUntil(
        [&](std::string_view d) {
          const size_t end = d.find("\r\n\r\n");
          if (end == std::string_view::npos) return false;
          return testing_decode::decodablePrefixBytes(coding, dechunkPrefix(d.substr(end + 4))) >=
                 1'000'000;
        },
        Ms(1800));
    const auto early_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
    ASSERT_FALSE(early.timed_out) << coding << ": no compressed bytes before the pause ended";
    EXPECT_LT(early_ms, 1800) << coding;
    ReadResult rest = c.readUntil(
        [&](std::string_view d) {
          return parseResponse(early.data + std::string(d)).status == ParseStatus::Complete;
        },
        Ms(20000));
    ParseOutcome whole = parseResponse(early.data + rest.data);
    ASSERT_EQ(whole.status, ParseStatus::Complete) << coding;
    EXPECT_TRUE(whole.response.chunked);
    EXPECT_EQ(whole.response.headers.get("Content-Encoding").value_or(""), coding);
    const auto body = testing_decode::decodeBody(coding, whole.response.body);
    ASSERT_TRUE(body.has_value()) << coding;
    EXPECT_EQ(body->size(), 9'000'000u) << coding;
    EXPECT_TRUE(*body == patternBody(9'000'000)) << coding;
  }
}

// --- real clients -------------------------------------------------------------------------------

std::string toLowerCopy(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string writeTemp(const TempDir& dir, const std::string& name, const std::string& data) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

TEST_F(Compression, CurlDecodesGzipAndBrotli) {
  define("curl", "cc=max-age=300&len=12345&ctype=application/json");
  for (const char* ae : {"gzip", "br"}) {
    CommandResult r = runCommand({"/usr/bin/curl", "-sS", "--compressed", "-H",
                                  std::string("Accept-Encoding: ") + ae, "-D", "/dev/stderr",
                                  edged_.url("/obj/curl")});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(toLowerCopy(r.err).find(std::string("content-encoding: ") + ae), std::string::npos)
        << r.err;
    EXPECT_TRUE(r.out == patternBody(12345)) << ae << ": " << r.out.size() << " bytes";
  }
}

TEST_F(Compression, PythonGzipModuleAndBrotliCommandDecode) {
  define("py", "cc=max-age=300&len=54321&ctype=text/css");
  TempDir dir;
  const std::string gz = writeTemp(dir, "body.gz", get("/obj/py", {kGzip}).body);
  CommandResult py = runCommand(
      {"/usr/bin/python3", "-c",
       "import gzip,sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1],'rb').read()))",
       gz});
  ASSERT_EQ(py.status, 0) << py.err;
  EXPECT_TRUE(py.out == patternBody(54321)) << py.out.size();

  const std::string br = writeTemp(dir, "body.br", get("/obj/py", {"Accept-Encoding: br"}).body);
  CommandResult bro = runCommand({"/usr/bin/brotli", "--decompress", "--stdout", br});
  ASSERT_EQ(bro.status, 0) << bro.err;
  EXPECT_TRUE(bro.out == patternBody(54321)) << bro.out.size();
}

}  // namespace
}  // namespace edge::itest
