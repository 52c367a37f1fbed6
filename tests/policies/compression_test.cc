// policies/compression.cc: the §4.1 preconditions at every boundary, the §4.2 list, the §4.3
// format choice, the §4.4 / §4.6 header changes, and the §4.5 rule that a Range request keys and
// fetches the identity representation.
#include "policies/compression.h"

#include <gtest/gtest.h>

#include "config_load_test_util.h"
#include "support/compressible_types.h"
#include "policies/cache_key.h"
#include "policies/cache_settings.h"
#include "policies/origin_request.h"

namespace edge::policies {
namespace {

using namespace testing_config;

TEST(CompressibleContentType, EveryListedTypeWithParametersAndAnyCase) {
  const auto upper = [](std::string_view t) {
    std::string u(t);
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  };
  for (std::string_view t : testing_spec::kCompressibleTypes) {
    EXPECT_TRUE(compressibleContentType(t)) << t;
    EXPECT_TRUE(compressibleContentType(std::string(t) + "; charset=utf-8")) << t;
    EXPECT_TRUE(compressibleContentType(" " + upper(t) + " ;q=1")) << t;
  }
  EXPECT_TRUE(compressibleContentType("TEXT/HTML"));
}

TEST(CompressibleContentType, UnlistedTypesAreNot) {
  for (const char* t : {"image/png", "image/jpeg", "application/octet-stream", "video/mp4",
                        "application/zip", "application/gzip", "text/event-stream",
                        "application/wasm", "font/woff2", "text", "", "text/html2",
                        "xtext/html", "application/json-seq"}) {
    EXPECT_FALSE(compressibleContentType(t)) << t;
  }
}

TEST(OfferedCoding, BrotliWinsWhenBothAreKeyedAndEnabled) {
  EXPECT_EQ(offeredCoding("br,gzip", true, true), ContentCoding::Brotli);
  EXPECT_EQ(offeredCoding("br,gzip", true, false), ContentCoding::Gzip);
  EXPECT_EQ(offeredCoding("br,gzip", false, true), ContentCoding::Brotli);
  EXPECT_EQ(offeredCoding("gzip", true, true), ContentCoding::Gzip);
  EXPECT_EQ(offeredCoding("br", true, true), ContentCoding::Brotli);
  EXPECT_EQ(offeredCoding("br", true, false), ContentCoding::Identity);
  EXPECT_EQ(offeredCoding("", true, true), ContentCoding::Identity);
  EXPECT_EQ(offeredCoding("gzip", false, false), ContentCoding::Identity);
}

HeaderList response(std::string_view type, std::string_view length) {
  HeaderList h;
  if (!type.empty()) h.add("Content-Type", std::string(type));
  if (!length.empty()) h.add("Content-Length", std::string(length));
  return h;
}

TEST(DecideCompression, ContentLengthBoundaries) {
  const auto at = [](std::string_view len) {
    return decideCompression(ContentCoding::Gzip, 200, response("text/html", len));
  };
  EXPECT_EQ(at("999"), CompressVerdict::TooSmall);
  EXPECT_EQ(at("1000"), CompressVerdict::Compress);
  EXPECT_EQ(at("10000000"), CompressVerdict::Compress);
  EXPECT_EQ(at("10000001"), CompressVerdict::TooLarge);
  EXPECT_EQ(at("0"), CompressVerdict::TooSmall);
  EXPECT_EQ(at(""), CompressVerdict::NoContentLength);
  EXPECT_EQ(at("12a"), CompressVerdict::NoContentLength);
  EXPECT_EQ(at("-5"), CompressVerdict::NoContentLength);
  HeaderList two = response("text/html", "2000");
  two.add("Content-Length", "2000");
  EXPECT_EQ(decideCompression(ContentCoding::Gzip, 200, two), CompressVerdict::NoContentLength);
  HeaderList chunked = response("text/html", "2000");
  chunked.add("Transfer-Encoding", "chunked");
  EXPECT_EQ(decideCompression(ContentCoding::Gzip, 200, chunked),
            CompressVerdict::NoContentLength);
}

TEST(DecideCompression, OnlyStatus200403404) {
  for (int status = 100; status < 600; ++status) {
    const bool allowed = status == 200 || status == 403 || status == 404;
    EXPECT_EQ(decideCompression(ContentCoding::Brotli, status, response("text/css", "5000")),
              allowed ? CompressVerdict::Compress : CompressVerdict::Status)
        << status;
  }
}

TEST(DecideCompression, AnyContentEncodingFromTheOriginDisablesIt) {
  for (const char* enc : {"gzip", "br", "identity", "", "x-custom"}) {
    HeaderList h = response("text/html", "5000");
    h.add("Content-Encoding", enc);
    EXPECT_EQ(decideCompression(ContentCoding::Gzip, 200, h), CompressVerdict::AlreadyEncoded)
        << enc;
  }
}

TEST(DecideCompression, ContentTypeAndOffer) {
  EXPECT_EQ(decideCompression(ContentCoding::Gzip, 200, response("image/png", "5000")),
            CompressVerdict::ContentType);
  EXPECT_EQ(decideCompression(ContentCoding::Gzip, 200, response("", "5000")),
            CompressVerdict::ContentType);
  EXPECT_EQ(decideCompression(ContentCoding::Identity, 200, response("text/html", "5000")),
            CompressVerdict::NotOffered);
}

TEST(CompressedEtag, StrongBecomesWeakWeakStaysInvalidGoes) {
  EXPECT_EQ(compressedEtag("\"abc\""), "W/\"abc\"");
  EXPECT_EQ(compressedEtag("W/\"abc\""), "W/\"abc\"");
  EXPECT_EQ(compressedEtag("abc"), std::nullopt);
  EXPECT_EQ(compressedEtag(""), std::nullopt);
}

TEST(ApplyCompressedHeaders, SetsEncodingDropsLengthAddsVaryWeakensEtag) {
  HeaderList h{{"Content-Type", "text/html"}, {"Content-Length", "5000"},
               {"ETag", "\"v1\""}, {"Cache-Control", "max-age=60"}};
  applyCompressedHeaders(h, ContentCoding::Brotli);
  EXPECT_EQ(h.get("content-encoding").value_or(""), "br");
  EXPECT_FALSE(h.has("content-length"));
  EXPECT_EQ(h.get("vary").value_or(""), "Accept-Encoding");
  EXPECT_EQ(h.get("etag").value_or(""), "W/\"v1\"");
  EXPECT_EQ(h.get("cache-control").value_or(""), "max-age=60");
}

TEST(ApplyCompressedHeaders, MergesVaryOnceAndRemovesInvalidEtag) {
  HeaderList h{{"Vary", "Origin"}, {"ETag", "unquoted"}};
  applyCompressedHeaders(h, ContentCoding::Gzip);
  EXPECT_EQ(h.getJoined("vary").value_or(""), "Origin, Accept-Encoding");
  EXPECT_FALSE(h.has("etag"));
  HeaderList listed{{"Vary", "accept-encoding, Cookie"}};
  applyCompressedHeaders(listed, ContentCoding::Gzip);
  EXPECT_EQ(listed.getJoined("vary").value_or(""), "accept-encoding, Cookie");
  EXPECT_EQ(listed.count("vary"), 1u);
}

// --- per behaviour: §4.1 conditions 1, 2, 3 and 5 ----------------------------------------------

Json withPolicy(const Json& params, bool compress, int min = 0, int def = 60, int max = 3600) {
  Json j = base();
  j["CachePolicies"] = Json::array({{{"Id", "cp"},
                                     {"CachePolicyConfig",
                                      {{"Name", "cp"},
                                       {"MinTTL", min},
                                       {"DefaultTTL", def},
                                       {"MaxTTL", max},
                                       {"ParametersInCacheKeyAndForwardedToOrigin", params}}}}});
  auto& b = dist(j)["DefaultCacheBehavior"];
  b["CachePolicyId"] = "cp";
  b["Compress"] = compress;
  return j;
}

Json params(bool gzip, bool brotli, Json headers = {{"HeaderBehavior", "none"}}) {
  return {{"EnableAcceptEncodingGzip", gzip},
          {"EnableAcceptEncodingBrotli", brotli},
          {"HeadersConfig", headers},
          {"CookiesConfig", {{"CookieBehavior", "none"}}},
          {"QueryStringsConfig", {{"QueryStringBehavior", "none"}}}};
}

BehaviorCacheSettings settingsOf(const Json& j, int behavior = -1) {
  auto r = load(j);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().toString());
  static Config keep;  // the settings point into it
  keep = std::move(*r);
  const Behavior& b =
      behavior < 0 ? keep.distribution.default_behavior : keep.distribution.behaviors[behavior];
  return resolveBehaviorCacheSettings(b, keep);
}

TEST(EdgeCompression, NeedsCompressAndAnEnabledFormat) {
  auto s = settingsOf(withPolicy(params(true, true), true));
  EXPECT_TRUE(s.compress_gzip);
  EXPECT_TRUE(s.compress_brotli);
  s = settingsOf(withPolicy(params(true, false), true));
  EXPECT_TRUE(s.compress_gzip);
  EXPECT_FALSE(s.compress_brotli);
  s = settingsOf(withPolicy(params(true, true), false));  // condition 1
  EXPECT_FALSE(s.compress_gzip);
  EXPECT_FALSE(s.compress_brotli);
  s = settingsOf(withPolicy(params(false, false), true));  // condition 2
  EXPECT_FALSE(s.compress_gzip || s.compress_brotli);
}

TEST(EdgeCompression, AllZeroTtlsDisableIt) {
  EXPECT_FALSE(settingsOf(withPolicy(params(true, true), true, 0, 0, 0)).compress_gzip);
  // Not all zero: MinTTL 0, DefaultTTL 0, MaxTTL 1 still compresses.
  EXPECT_TRUE(settingsOf(withPolicy(params(true, true), true, 0, 0, 1)).compress_gzip);
}

TEST(EdgeCompression, AcceptEncodingListedInThePolicyDisablesIt) {
  const Json listed = {{"HeaderBehavior", "whitelist"},
                       {"Headers", {{"Quantity", 1}, {"Items", {"accept-encoding"}}}}};
  const auto s = settingsOf(withPolicy(params(true, true, listed), true));
  EXPECT_FALSE(s.compress_gzip || s.compress_brotli);
}

TEST(EdgeCompression, LegacyCompressIsGzipOnlyUnlessAcceptEncodingIsWhitelisted) {
  Json j = base();
  behavior(j, 1)["Compress"] = true;
  auto s = settingsOf(j, 1);
  EXPECT_TRUE(s.compress_gzip);
  EXPECT_FALSE(s.compress_brotli);
  behavior(j, 1)["ForwardedValues"]["Headers"] = {{"Quantity", 1}, {"Items", {"Accept-Encoding"}}};
  s = settingsOf(j, 1);
  EXPECT_FALSE(s.compress_gzip);
}

// --- §4.5: Range requests are keyed and fetched as identity -----------------------------------

ViewerRequest viewer(std::vector<Header> headers) {
  ViewerRequest v;
  v.method = Method::Get;
  v.path = "/a";
  for (auto& h : headers) v.headers.add(h.name, h.value);
  return v;
}

TEST(RangeIdentity, OnlyWhenTheBehaviourCompresses) {
  const ViewerRequest ranged = viewer({{"Accept-Encoding", "gzip, br"}, {"Range", "bytes=0-9"}});
  EXPECT_EQ(normalizedAcceptEncoding(ranged, true, true, true), "identity");
  EXPECT_EQ(normalizedAcceptEncoding(ranged, true, true, false), "br,gzip");
  const ViewerRequest plain = viewer({{"Accept-Encoding", "gzip, br"}});
  EXPECT_EQ(normalizedAcceptEncoding(plain, true, true, true), "br,gzip");
  // No Accept-Encoding at all: nothing to send, whatever the Range.
  EXPECT_EQ(normalizedAcceptEncoding(viewer({{"Range", "bytes=0-9"}}), true, true, true), "");
}

TEST(RangeIdentity, SharesTheIdentityVariantsKey) {
  const auto s = settingsOf(withPolicy(params(true, true), true));
  const auto key = [&](std::vector<Header> h) {
    return makeCacheKey(s.key, viewer(std::move(h)), "d.test", "/a");
  };
  const CacheKey identity = key({});
  EXPECT_EQ(key({{"Accept-Encoding", "gzip"}, {"Range", "bytes=0-9"}}), identity);
  EXPECT_NE(key({{"Accept-Encoding", "gzip"}}), identity);
  // A behaviour that does not compress keeps the viewer's coding in the key for ranges too.
  const auto off = settingsOf(withPolicy(params(true, true), false));
  EXPECT_NE(makeCacheKey(off.key, viewer({{"Accept-Encoding", "gzip"}, {"Range", "bytes=0-9"}}),
                         "d.test", "/a"),
            makeCacheKey(off.key, viewer({}), "d.test", "/a"));
}

}  // namespace
}  // namespace edge::policies
