#include "policies/cache_key.h"

#include <gtest/gtest.h>

#include <set>

#include "policies/behavior_match.h"
#include "policies/config_load.h"
#include "policies/origin_request.h"

namespace edge::policies {
namespace {

constexpr const char* kConfig = R"({
  "PublicKeys": [{"Id": "K1", "PublicKeyConfig": {"Name": "k",
     "EncodedKey": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZmTeIf18GBlcFU4APjknJQpo8SR7\nmvv56MRy/OMYge5ugUTbKcNG2H8+yPUnbkO5FfgfaG1/HZTCZIJ6CFuTCw==\n-----END PUBLIC KEY-----\n"}}],
  "KeyGroups": [{"Id": "KG", "KeyGroupConfig": {"Name": "g", "Items": ["K1"]}}],
  "CachePolicies": [
    {"Id": "cp-keyed", "CachePolicyConfig": {"Name": "Keyed", "MinTTL": 0,
     "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": true,
       "HeadersConfig": {"HeaderBehavior": "whitelist",
                         "Headers": ["X-Ver", "CloudFront-Viewer-Country", "Origin"]},
       "CookiesConfig": {"CookieBehavior": "whitelist", "Cookies": ["b", "a"]},
       "QueryStringsConfig": {"QueryStringBehavior": "whitelist",
                              "QueryStrings": ["page", "size", "color"]}}}},
    {"Id": "cp-all", "CachePolicyConfig": {"Name": "All", "MinTTL": 0,
     "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
       "HeadersConfig": {"HeaderBehavior": "none"},
       "CookiesConfig": {"CookieBehavior": "all"},
       "QueryStringsConfig": {"QueryStringBehavior": "all"}}}},
    {"Id": "cp-except", "CachePolicyConfig": {"Name": "Except", "MinTTL": 0,
     "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
       "EnableAcceptEncodingBrotli": true,
       "HeadersConfig": {"HeaderBehavior": "none"},
       "CookiesConfig": {"CookieBehavior": "allExcept", "Cookies": ["tracking"]},
       "QueryStringsConfig": {"QueryStringBehavior": "allExcept",
                              "QueryStrings": ["utm_source"]}}}}],
  "DistributionConfig": {
    "DefaultRootObject": "index.html",
    "Origins": [{"Id": "web", "DomainName": "web.test",
                 "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}}],
    "DefaultCacheBehavior": {"TargetOriginId": "web",
                             "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    "CacheBehaviors": [
      {"PathPattern": "/keyed/*", "TargetOriginId": "web", "CachePolicyId": "cp-keyed"},
      {"PathPattern": "/all/*", "TargetOriginId": "web", "CachePolicyId": "cp-all"},
      {"PathPattern": "/except/*", "TargetOriginId": "web", "CachePolicyId": "cp-except"},
      {"PathPattern": "/opts/*", "TargetOriginId": "web",
       "AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"],
                          "CachedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]}},
       "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
      {"PathPattern": "/amplify/*", "TargetOriginId": "web",
       "CachePolicyId": "2e54312d-136d-493c-8eb9-b001f22f67d2"},
      {"PathPattern": "/legacy-none/*", "TargetOriginId": "web", "Compress": true,
       "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"}}},
      {"PathPattern": "/legacy-fwd/*", "TargetOriginId": "web",
       "ForwardedValues": {"QueryString": true, "QueryStringCacheKeys": ["a"],
         "Cookies": {"Forward": "whitelist", "WhitelistedNames": ["session", "pref_*", "v?"]},
         "Headers": ["Accept-Language"]}},
      {"PathPattern": "/legacy-all/*", "TargetOriginId": "web",
       "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "all"}}},
      {"PathPattern": "/legacy-star/*", "TargetOriginId": "web",
       "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "all"}, "Headers": ["*"]}},
      {"PathPattern": "/legacy-ae/*", "TargetOriginId": "web", "Compress": true,
       "ForwardedValues": {"QueryString": false, "Cookies": {"Forward": "none"},
                           "Headers": ["Accept-Encoding"]}},
      {"PathPattern": "/signed/*", "TargetOriginId": "web",
       "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["KG"]},
       "CachePolicyId": "cp-all"},
      {"PathPattern": "/signed-legacy/*", "TargetOriginId": "web",
       "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["KG"]},
       "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "all"}}}]
  }
})";

constexpr std::string_view kDomain = "d111111abcdef8.cloudfront.net";

class CacheKeyTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = parseConfig(kConfig, "cache_key_test.json");
    ASSERT_TRUE(r) << r.error().toString();
    ASSERT_TRUE(r->warnings.empty()) << r->warnings.front();
    config_ = new Config(std::move(*r));
  }
  static void TearDownTestSuite() { delete config_; }

  static ViewerRequest request(std::string target, HeaderList headers = {},
                               Method method = Method::Get) {
    ViewerRequest v;
    v.method = method;
    v.method_name = std::string(toString(method));
    const size_t q = target.find('?');
    v.path = target.substr(0, q);
    if (q != std::string::npos) {
      v.has_query = true;
      v.query = target.substr(q + 1);
    }
    v.headers = std::move(headers);
    return v;
  }

  static CacheKeyParts parts(const ViewerRequest& v) {
    const Behavior& b = matchBehavior(config_->distribution, v.path);
    const std::string path =
        applyDefaultRootObject(v.path, config_->distribution.default_root_object);
    return makeCacheKeyParts({v, b, *config_, kDomain, path});
  }
  static CacheKey key(const ViewerRequest& v) {
    const Behavior& b = matchBehavior(config_->distribution, v.path);
    const std::string path =
        applyDefaultRootObject(v.path, config_->distribution.default_root_object);
    CacheKey k = makeCacheKey({v, b, *config_, kDomain, path});
    // One traversal feeds both outputs: they must agree on every request we key.
    EXPECT_EQ(serializeCacheKey(makeCacheKeyParts({v, b, *config_, kDomain, path})), k);
    return k;
  }
  static CacheKey key(std::string target, HeaderList headers = {}, Method m = Method::Get) {
    return key(request(std::move(target), std::move(headers), m));
  }
  static CacheKeyParts parts(std::string target, HeaderList headers = {}, Method m = Method::Get) {
    return parts(request(std::move(target), std::move(headers), m));
  }

  static Config* config_;
};
Config* CacheKeyTest::config_ = nullptr;

// --- format and hash ------------------------------------------------------------------------

TEST_F(CacheKeyTest, TextFormatIsPinned) {
  EXPECT_EQ(key("/img/a.jpg").text,
            "K1d29:d111111abcdef8.cloudfront.netp10:/img/a.jpgm0:e0:H;C;Q;");
  EXPECT_EQ(key("/keyed/x?page=2&z=1", {{"X-Ver", "7"}, {"Cookie", "b=2; a=1"},
                                        {"Accept-Encoding", "gzip"}})
                .text,
            "K1d29:d111111abcdef8.cloudfront.netp8:/keyed/xm0:e4:gzip"
            "Hn25:cloudfront-viewer-countryv2:USn6:origin-n5:x-verv1:7;"
            "Cc3:a=1c3:b=2;Qq6:page=2;");
}

TEST_F(CacheKeyTest, HashIsXxh3Of128BitsOfText) {
  const CacheKey k = key("/a", {{"Accept-Encoding", "br"}});
  const XXH128_hash_t h = XXH3_128bits(k.text.data(), k.text.size());
  EXPECT_TRUE(XXH128_isEqual(k.hash, h));
  EXPECT_EQ(toHex(k.hash).size(), 32u);
  EXPECT_FALSE(XXH128_isEqual(k.hash, key("/b", {{"Accept-Encoding", "br"}}).hash));
}

TEST_F(CacheKeyTest, LengthPrefixesPreventConcatenationCollisions) {
  auto make = [](auto&& fill) {
    CacheKeyParts p;
    p.domain = "d";
    p.path = "/a";
    fill(p);
    return serializeCacheKey(p).text;
  };
  std::set<std::string> texts = {
      make([](CacheKeyParts&) {}),
      make([](CacheKeyParts& p) { p.path = "/ab"; }),
      make([](CacheKeyParts& p) { p.method = "b"; }),
      make([](CacheKeyParts& p) { p.accept_encoding = "b"; }),
      make([](CacheKeyParts& p) { p.headers = {{"x", std::nullopt}}; }),
      make([](CacheKeyParts& p) { p.headers = {{"x", ""}}; }),
      make([](CacheKeyParts& p) { p.headers = {{"x", "1"}, {"y", std::nullopt}}; }),
      make([](CacheKeyParts& p) { p.headers = {{"x", "1y"}}; }),
      make([](CacheKeyParts& p) { p.cookies = {"a=1"}; }),
      make([](CacheKeyParts& p) { p.query = {"a=1"}; }),
      make([](CacheKeyParts& p) { p.query = {"a=1", "b"}; }),
      make([](CacheKeyParts& p) { p.query = {"a=1&b"}; }),
      make([](CacheKeyParts& p) { p.cookies = {"a=1", "b"}; }),
      make([](CacheKeyParts& p) { p.cookies = {"a=1b"}; }),
      make([](CacheKeyParts& p) { p.path = "/a;"; }),
      make([](CacheKeyParts& p) { p.path = "/a"; p.query = {"1:"}; }),
  };
  EXPECT_EQ(texts.size(), 16u);
}

// --- §2.1 default key -----------------------------------------------------------------------

TEST_F(CacheKeyTest, DefaultKeyIsDomainAndPath) {
  const CacheKeyParts p = parts("/img/a.jpg?x=1", {{"Host", "www.example.com"}, {"Cookie", "a=1"},
                                                  {"User-Agent", "curl"}});
  EXPECT_EQ(p.domain, kDomain);
  EXPECT_EQ(p.path, "/img/a.jpg");
  EXPECT_EQ(p.method, "");
  EXPECT_EQ(p.accept_encoding, "");
  EXPECT_TRUE(p.headers.empty());
  EXPECT_TRUE(p.cookies.empty());
  EXPECT_TRUE(p.query.empty());
  EXPECT_EQ(p.no_cache, std::nullopt);
  // Host, scheme, cookies, query: none split the cache under CachingOptimized.
  EXPECT_EQ(key("/img/a.jpg?x=1", {{"Host", "alias.example.com"}}), key("/img/a.jpg"));
}

TEST_F(CacheKeyTest, PathIsCaseSensitiveAndByteExact) {
  EXPECT_NE(key("/img/A.jpg"), key("/img/a.jpg"));
  EXPECT_NE(key("/img/a%20b.jpg"), key("/img/a b.jpg"));
  EXPECT_NE(key("/img/"), key("/img"));
}

TEST_F(CacheKeyTest, DefaultRootObjectRewrittenPathIsKeyed) {
  EXPECT_EQ(parts("/").path, "/index.html");
  EXPECT_EQ(key("/"), key("/index.html"));
  EXPECT_EQ(key("/?a=1"), key("/index.html"));
}

TEST_F(CacheKeyTest, OptionsKeyedSeparatelyHeadSharesGet) {
  EXPECT_EQ(parts("/opts/a", {}, Method::Options).method, "OPTIONS");
  EXPECT_NE(key("/opts/a", {}, Method::Options), key("/opts/a"));
  EXPECT_EQ(key("/opts/a", {}, Method::Head), key("/opts/a"));
}

// --- §2.3 Accept-Encoding -------------------------------------------------------------------

struct AeRow {
  const char* name;
  const char* path;
  std::optional<std::string> accept_encoding;
  uint8_t minor;
  const char* expected;
};
std::ostream& operator<<(std::ostream& os, const AeRow& r) { return os << r.name; }

class AcceptEncodingSlot : public CacheKeyTest, public testing::WithParamInterface<AeRow> {};
TEST_P(AcceptEncodingSlot, Normalises) {
  const AeRow& r = GetParam();
  HeaderList h;
  if (r.accept_encoding) h.add("Accept-Encoding", *r.accept_encoding);
  ViewerRequest v = request(r.path, h);
  v.http_minor = r.minor;
  EXPECT_EQ(parts(v).accept_encoding, r.expected);
  // The slot exists in the text even when empty.
  EXPECT_NE(key(v).text.find(std::string("e") + std::to_string(std::string(r.expected).size()) +
                             ":" + r.expected + "H"),
            std::string::npos);
}
const AeRow kAeRows[] = {
    // CachingOptimized: gzip and brotli on.
    {"BothOnBoth", "/a", "gzip, deflate, br", 1, "br,gzip"},
    {"BothOnGzip", "/a", "gzip", 1, "gzip"},
    {"BothOnBr", "/a", "br", 1, "br"},
    {"BothOnNeither", "/a", "deflate, zstd", 1, ""},
    {"BothOnIdentity", "/a", "identity", 1, ""},
    {"BothOnStar", "/a", "*", 1, ""},
    {"BothOnAbsent", "/a", std::nullopt, 1, ""},
    {"CaseInsensitiveCodings", "/a", "GZIP, Br", 1, "br,gzip"},
    {"QZeroNotAccepted", "/a", "gzip;q=0, br", 1, "br"},
    {"Http10Removed", "/a", "gzip, br", 0, ""},
    // cp-keyed: gzip only.
    {"GzipOnlyBoth", "/keyed/a", "gzip, br", 1, "gzip"},
    {"GzipOnlyBr", "/keyed/a", "br", 1, ""},
    // cp-except: brotli only.
    {"BrOnlyBoth", "/except/a", "gzip, br", 1, "br"},
    {"BrOnlyGzip", "/except/a", "gzip", 1, ""},
    // cp-all: both off — Accept-Encoding is not keyed at all.
    {"BothOff", "/all/a", "gzip, br", 1, ""},
    // Legacy Compress=true: gzip only (§2.8).
    {"LegacyCompressGzip", "/legacy-none/a", "gzip, br", 1, "gzip"},
    {"LegacyCompressBrOnly", "/legacy-none/a", "br", 1, ""},
    // Legacy without Compress: not keyed.
    {"LegacyNoCompress", "/legacy-all/a", "gzip", 1, ""},
};
INSTANTIATE_TEST_SUITE_P(CacheKey, AcceptEncodingSlot, testing::ValuesIn(kAeRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(CacheKeyTest, AcceptEncodingVariantsAreDistinctKeys) {
  const CacheKey none = key("/a");
  const CacheKey gzip = key("/a", {{"Accept-Encoding", "gzip"}});
  const CacheKey br = key("/a", {{"Accept-Encoding", "br"}});
  const CacheKey both = key("/a", {{"Accept-Encoding", "br, gzip"}});
  EXPECT_NE(none, gzip);
  EXPECT_NE(gzip, br);
  EXPECT_NE(br, both);
  EXPECT_NE(none, both);
  // A viewer without gzip/br and one without the header get the same (identity) object.
  EXPECT_EQ(none, key("/a", {{"Accept-Encoding", "deflate"}}));
  EXPECT_EQ(both, key("/a", {{"Accept-Encoding", "gzip, deflate, br"}}));
  EXPECT_EQ(both, key("/a", {{"Accept-Encoding", "gzip"}, {"Accept-Encoding", "br"}}));
}

// Legacy Accept-Encoding whitelisted: CloudFront does not compress; the raw value is keyed (§2.8).
TEST_F(CacheKeyTest, LegacyWhitelistedAcceptEncodingKeyedRaw) {
  const CacheKeyParts p = parts("/legacy-ae/a", {{"Accept-Encoding", "gzip, br"}});
  EXPECT_EQ(p.accept_encoding, "");
  ASSERT_EQ(p.headers.size(), 1u);
  EXPECT_EQ(p.headers[0], (KeyedHeader{"accept-encoding", "gzip, br"}));
  EXPECT_NE(key("/legacy-ae/a", {{"Accept-Encoding", "gzip, br"}}),
            key("/legacy-ae/a", {{"Accept-Encoding", "br, gzip"}}));
}

// --- §2.2 headers ---------------------------------------------------------------------------

TEST_F(CacheKeyTest, WhitelistedHeadersNamesCaseInsensitiveValuesCaseSensitive) {
  EXPECT_EQ(key("/keyed/a", {{"x-ver", "1"}}), key("/keyed/a", {{"X-VER", "1"}}));
  EXPECT_NE(key("/keyed/a", {{"X-Ver", "abc"}}), key("/keyed/a", {{"X-Ver", "ABC"}}));
  // Request header order does not matter.
  EXPECT_EQ(key("/keyed/a", {{"X-Ver", "1"}, {"Origin", "https://a"}}),
            key("/keyed/a", {{"Origin", "https://a"}, {"X-Ver", "1"}}));
  // Unlisted headers do not split the cache.
  EXPECT_EQ(key("/keyed/a", {{"X-Ver", "1"}, {"User-Agent", "x"}}),
            key("/keyed/a", {{"X-Ver", "1"}}));
}

TEST_F(CacheKeyTest, AbsentHeaderDiffersFromEmptyHeader) {
  const CacheKeyParts absent = parts("/keyed/a");
  const CacheKeyParts empty = parts("/keyed/a", {{"X-Ver", ""}});
  EXPECT_EQ(absent.headers[2], (KeyedHeader{"x-ver", std::nullopt}));
  EXPECT_EQ(empty.headers[2], (KeyedHeader{"x-ver", ""}));
  EXPECT_NE(key("/keyed/a"), key("/keyed/a", {{"X-Ver", ""}}));
}

TEST_F(CacheKeyTest, RepeatedHeaderLinesAreJoined) {
  EXPECT_EQ(parts("/keyed/a", {{"X-Ver", "1"}, {"x-ver", "2"}}).headers[2].value, "1, 2");
  EXPECT_EQ(key("/keyed/a", {{"X-Ver", "1"}, {"x-ver", "2"}}),
            key("/keyed/a", {{"X-Ver", "1, 2"}}));
}

// §13.3: CloudFront owns CloudFront-* names: the viewer cannot choose the keyed value.
TEST_F(CacheKeyTest, GeneratedHeadersUseEdgeValue) {
  EXPECT_EQ(parts("/keyed/a").headers[0], (KeyedHeader{"cloudfront-viewer-country", "US"}));
  EXPECT_EQ(key("/keyed/a", {{"CloudFront-Viewer-Country", "FR"}}), key("/keyed/a"));
}

TEST_F(CacheKeyTest, ManagedAmplifyKeysHostAuthorizationAndEverything) {
  const CacheKeyParts p = parts("/amplify/a?b=1&a=2", {{"Host", "app.example.com"},
                                                       {"Authorization", "Bearer t"},
                                                       {"Cookie", "z=1; y=2"}});
  ASSERT_EQ(p.headers.size(), 3u);
  EXPECT_EQ(p.headers[0], (KeyedHeader{"authorization", "Bearer t"}));
  EXPECT_EQ(p.headers[1], (KeyedHeader{"cloudfront-viewer-country", "US"}));
  EXPECT_EQ(p.headers[2], (KeyedHeader{"host", "app.example.com"}));
  EXPECT_EQ(p.cookies, (std::vector<std::string>{"y=2", "z=1"}));
  EXPECT_EQ(p.query, (std::vector<std::string>{"b=1", "a=2"}));
  EXPECT_EQ(p.accept_encoding, "");
}

// --- §2.2 cookies ---------------------------------------------------------------------------

TEST_F(CacheKeyTest, CookiesSortedByNameSoOrderDoesNotSplit) {
  EXPECT_EQ(parts("/keyed/a", {{"Cookie", "b=2; zz=9; a=1"}}).cookies,
            (std::vector<std::string>{"a=1", "b=2"}));
  EXPECT_EQ(key("/keyed/a", {{"Cookie", "b=2; a=1"}}), key("/keyed/a", {{"Cookie", "a=1; b=2"}}));
  EXPECT_EQ(key("/keyed/a", {{"Cookie", "b=2"}, {"Cookie", "a=1"}}),
            key("/keyed/a", {{"Cookie", "a=1;b=2"}}));
}

TEST_F(CacheKeyTest, CookieNamesAndValuesCaseSensitive) {
  EXPECT_NE(key("/keyed/a", {{"Cookie", "a=x"}}), key("/keyed/a", {{"Cookie", "a=X"}}));
  EXPECT_EQ(key("/keyed/a", {{"Cookie", "A=x"}}), key("/keyed/a"));  // "A" is not whitelisted
  EXPECT_NE(key("/all/a", {{"Cookie", "A=x"}}), key("/all/a", {{"Cookie", "a=x"}}));
}

TEST_F(CacheKeyTest, DuplicateCookieNamesKeepRequestOrder) {
  EXPECT_EQ(parts("/all/a", {{"Cookie", "b=1; a=2; a=1"}}).cookies,
            (std::vector<std::string>{"a=2", "a=1", "b=1"}));
  EXPECT_NE(key("/all/a", {{"Cookie", "a=2; a=1"}}), key("/all/a", {{"Cookie", "a=1; a=2"}}));
}

TEST_F(CacheKeyTest, CookieAllExcept) {
  EXPECT_EQ(parts("/except/a", {{"Cookie", "tracking=1; sid=2; theme=dark"}}).cookies,
            (std::vector<std::string>{"sid=2", "theme=dark"}));
}

// --- §2.4 query strings ---------------------------------------------------------------------

struct QueryRow {
  const char* name;
  const char* a;
  const char* b;
  bool same;
};
std::ostream& operator<<(std::ostream& os, const QueryRow& r) { return os << r.name; }

class QueryKeying : public CacheKeyTest, public testing::WithParamInterface<QueryRow> {};
TEST_P(QueryKeying, SameOrDifferent) {
  const QueryRow& r = GetParam();
  if (r.same) {
    EXPECT_EQ(key(r.a), key(r.b));
  } else {
    EXPECT_NE(key(r.a), key(r.b));
  }
}
const QueryRow kQueryRows[] = {
    {"OrderMatters", "/all/a?color=red&size=large", "/all/a?size=large&color=red", false},
    {"NameCaseMatters", "/all/a?color=red", "/all/a?Color=red", false},
    {"ValueCaseMatters", "/all/a?color=red", "/all/a?color=Red", false},
    {"PercentEncodingNotNormalised", "/all/a?p=%2F", "/all/a?p=/", false},
    {"PercentCaseNotNormalised", "/all/a?p=%7e", "/all/a?p=%7E", false},
    {"PlusIsNotSpace", "/all/a?p=a+b", "/all/a?p=a%20b", false},
    {"FlagDiffersFromEmptyValue", "/all/a?flag", "/all/a?flag=", false},
    {"DuplicatesKept", "/all/a?a=1&a=2", "/all/a?a=1", false},
    {"DuplicateOrderMatters", "/all/a?a=1&a=2", "/all/a?a=2&a=1", false},
    {"EmptyQueryIsNoQuery", "/all/a?", "/all/a", true},
    {"EmptyParamsSkipped", "/all/a?a=1&&b=2&", "/all/a?a=1&b=2", true},
    {"OnlyAmpersands", "/all/a?&&", "/all/a", true},
    {"SemicolonIsNotDelimiter", "/keyed/a?color=red;size=large", "/keyed/a?color=red", false},
    {"WhitelistIgnoresOthers", "/keyed/a?page=1&utm=x", "/keyed/a?page=1", true},
    {"WhitelistKeepsRequestOrder", "/keyed/a?size=1&page=2", "/keyed/a?page=2&size=1", false},
    {"AllExceptDropsListed", "/except/a?utm_source=x&id=1", "/except/a?id=1", true},
    {"AllExceptKeepsOthers", "/except/a?utm_medium=x&id=1", "/except/a?id=1", false},
    {"NoneIgnoresQuery", "/a?x=1", "/a?y=2", true},
};
INSTANTIATE_TEST_SUITE_P(CacheKey, QueryKeying, testing::ValuesIn(kQueryRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(CacheKeyTest, SemicolonStaysInWhitelistedValue) {
  EXPECT_EQ(parts("/keyed/a?color=red;size=large").query,
            (std::vector<std::string>{"color=red;size=large"}));
}

TEST_F(CacheKeyTest, WhitelistKeepsRequestOrderAndDuplicates) {
  EXPECT_EQ(parts("/keyed/a?size=1&x=0&page=2&size=3").query,
            (std::vector<std::string>{"size=1", "page=2", "size=3"}));
}

// --- §2.8 legacy ForwardedValues ------------------------------------------------------------

TEST_F(CacheKeyTest, LegacyQueryStringFalseKeysNothing) {
  EXPECT_EQ(key("/legacy-none/a?x=1"), key("/legacy-none/a"));
  EXPECT_EQ(key("/legacy-none/a", {{"Cookie", "a=1"}}), key("/legacy-none/a"));
}

TEST_F(CacheKeyTest, LegacyForwardAllCacheBasedOnWhitelist) {
  EXPECT_EQ(parts("/legacy-fwd/a?b=1&a=2&c=3&a=4").query, (std::vector<std::string>{"a=2", "a=4"}));
  EXPECT_EQ(key("/legacy-fwd/a?a=1&b=2"), key("/legacy-fwd/a?a=1&b=3"));
}

TEST_F(CacheKeyTest, LegacyForwardAllCacheBasedOnAll) {
  EXPECT_EQ(parts("/legacy-all/a?b=1&a=2").query, (std::vector<std::string>{"b=1", "a=2"}));
  EXPECT_EQ(parts("/legacy-all/a", {{"Cookie", "z=1; a=2"}}).cookies,
            (std::vector<std::string>{"a=2", "z=1"}));
}

TEST_F(CacheKeyTest, LegacyCookieWhitelistGlobs) {
  EXPECT_EQ(parts("/legacy-fwd/a", {{"Cookie", "pref_theme=d; prefx=1; session=s; other=o; "
                                                "v1=a; v12=b; pref_=e"}})
                .cookies,
            (std::vector<std::string>{"pref_=e", "pref_theme=d", "session=s", "v1=a"}));
}

TEST_F(CacheKeyTest, LegacyWhitelistedHeaderKeyed) {
  EXPECT_EQ(parts("/legacy-fwd/a", {{"Accept-Language", "fr"}}).headers,
            (std::vector<KeyedHeader>{{"accept-language", "fr"}}));
  EXPECT_NE(key("/legacy-fwd/a", {{"Accept-Language", "fr"}}),
            key("/legacy-fwd/a", {{"Accept-Language", "de"}}));
}

TEST_F(CacheKeyTest, LegacyAllHeadersCachesNothing) {
  const CacheKey k = key("/legacy-star/a", {{"X-Anything", "1"}});
  EXPECT_EQ(k.no_cache, NoCacheReason::AllHeadersForwarded);
  EXPECT_EQ(parts("/legacy-star/a").no_cache, NoCacheReason::AllHeadersForwarded);
  EXPECT_EQ(key("/legacy-all/a").no_cache, std::nullopt);
}

// --- §5.9 / §5.10 signing parameters --------------------------------------------------------

TEST_F(CacheKeyTest, SigningParamsAndCookiesRemovedOnSigningBehaviours) {
  const std::string signed_url =
      "/signed/a?color=red&Expires=1700000000&Signature=abc~&Key-Pair-Id=K1&Policy=p"
      "&Hash-Algorithm=SHA256";
  EXPECT_EQ(parts(signed_url).query, (std::vector<std::string>{"color=red"}));
  EXPECT_EQ(key(signed_url), key("/signed/a?color=red"));
  EXPECT_EQ(key("/signed/a", {{"Cookie", "CloudFront-Policy=p; CloudFront-Signature=s; "
                                         "CloudFront-Key-Pair-Id=K; CloudFront-Expires=1; sid=1"}}),
            key("/signed/a", {{"Cookie", "sid=1"}}));
  // Names are case-sensitive: `expires` is a user parameter.
  EXPECT_EQ(parts("/signed/a?expires=1").query, (std::vector<std::string>{"expires=1"}));
  // Legacy signing behaviour too.
  EXPECT_EQ(key("/signed-legacy/a?x=1&Signature=s&Expires=2&Key-Pair-Id=K"),
            key("/signed-legacy/a?x=1"));
}

TEST_F(CacheKeyTest, SigningNamesAreOrdinaryElsewhere) {
  EXPECT_EQ(parts("/all/a?Expires=1&Signature=s").query,
            (std::vector<std::string>{"Expires=1", "Signature=s"}));
  EXPECT_EQ(parts("/all/a", {{"Cookie", "CloudFront-Policy=p"}}).cookies,
            (std::vector<std::string>{"CloudFront-Policy=p"}));
}

// --- policy resolution ----------------------------------------------------------------------

TEST_F(CacheKeyTest, ResolvesManagedCachingOptimized) {
  const CacheKeyPolicy p = resolveCacheKeyPolicy(config_->distribution.default_behavior, *config_);
  CacheKeyPolicy expected;
  expected.gzip = true;
  expected.brotli = true;
  EXPECT_EQ(p, expected);
}

TEST_F(CacheKeyTest, ResolvedPolicyHeadersLowerSortedUnique) {
  const Behavior& b = matchBehavior(config_->distribution, "/keyed/x");
  EXPECT_EQ(resolveCacheKeyPolicy(b, *config_).headers,
            (std::vector<std::string>{"cloudfront-viewer-country", "origin", "x-ver"}));
}

TEST_F(CacheKeyTest, UnknownPolicyCachesNothing) {
  Behavior b;
  b.cache_policy_id = "missing";
  const ViewerRequest v = request("/a");
  EXPECT_EQ(makeCacheKey({v, b, *config_, kDomain, "/a"}).no_cache,
            NoCacheReason::UnknownCachePolicy);
}

TEST_F(CacheKeyTest, PreResolvedOverloadMatches) {
  const ViewerRequest v = request("/keyed/a?page=1", {{"X-Ver", "2"}, {"Cookie", "a=1"},
                                                      {"Accept-Encoding", "gzip"}});
  const Behavior& b = matchBehavior(config_->distribution, v.path);
  const CacheKeyPolicy p = resolveCacheKeyPolicy(b, *config_);
  EXPECT_EQ(makeCacheKey(p, v, kDomain, v.path), makeCacheKey({v, b, *config_, kDomain, v.path}));
  EXPECT_EQ(makeCacheKeyParts(p, v, kDomain, v.path),
            makeCacheKeyParts({v, b, *config_, kDomain, v.path}));
}

TEST_F(CacheKeyTest, PathAndQueryForInvalidation) {
  EXPECT_EQ(parts("/keyed/a?utm=1&page=2&size=3").pathAndQuery(), "/keyed/a?page=2&size=3");
  EXPECT_EQ(parts("/keyed/a?utm=1").pathAndQuery(), "/keyed/a");
  EXPECT_EQ(parts("/a?x=1").pathAndQuery(), "/a");
}

TEST_F(CacheKeyTest, PrintsPartsForExplain) {
  std::ostringstream os;
  os << parts("/keyed/a?page=1", {{"Cookie", "b=2"}, {"Accept-Encoding", "gzip"}});
  EXPECT_EQ(os.str(),
            "{domain d111111abcdef8.cloudfront.net, path /keyed/a, method -, accept-encoding gzip, "
            "headers [cloudfront-viewer-country=\"US\", origin=(absent), x-ver=(absent)], "
            "cookies [b=2], query [page=1]}");
}

}  // namespace
}  // namespace edge::policies
