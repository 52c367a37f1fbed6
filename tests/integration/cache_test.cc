// The cache of a real edged in front of the tests' origin (cloudfront-behavior.md §3, §6.2, §8,
// §9): miss → hit with Age, TTL expiry on the test clock (§0.4), revalidation 304 → RefreshHit
// (§3.6), stale-on-5xx (§3.4), stale-while-revalidate / stale-if-error (§3.7), error caching
// (§3.3), uncacheable responses, request collapsing counted by the origin (§9.3), late joiners,
// truncated fills and viewer disconnects never caching partial objects, invalidation (§8),
// Range / HEAD / conditional answers from the cache (§3.6, §9.1, §9.2), eviction under a small
// CacheMemoryBytes, and the debug reason header.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

// Default behaviour keyed on the path and all query strings, TTLs 0 / 60 / 3600, no cookies or
// headers forwarded (so requests collapse, §9.3), admin listener with the test clock.
Json cacheConfig() {
  Json cfg = cachingConfig();
  cfg["Edge"]["AdminListen"] = "127.0.0.1:0";
  cfg["Edge"]["TestClock"] = true;
  cfg["Edge"]["DebugHeaders"] = true;
  return cfg;
}

std::string xcache(const HttpResponse& r) { return r.headers.get("X-Cache").value_or("(none)"); }

class Cache : public ::testing::Test {
 protected:
  explicit Cache(Json cfg = cacheConfig())
      : edged_(cfg, origin_.port()), admin_("http://" + edged_.adminAddress()) {}

  // Defines /obj/NAME on the origin (see test_origin.cc).
  void define(const std::string& name, const std::string& query) {
    HttpResponse r = http_.get(origin_.url("/set/" + name + "?" + query));
    ASSERT_EQ(r.status, 200) << r;
  }
  HttpResponse get(const std::string& path, const std::vector<std::string>& headers = {}) {
    return http_.get(edged_.url(path), headers);
  }
  void advance(int seconds) {
    HttpResponse r =
        http_.post(admin_ + "/clock/advance?seconds=" + std::to_string(seconds), {}, "");
    ASSERT_EQ(r.status, 200) << r;
  }
  uint64_t originCount(const std::string& path) { return origin_.stats().path(path); }

  TestOrigin origin_;
  Edged edged_;
  std::string admin_;
  Http http_;
};

TEST_F(Cache, MissThenHitWithAge) {
  define("a", "cc=max-age=300&len=1000");
  HttpResponse first = get("/obj/a");
  ASSERT_EQ(first.status, 200) << first;
  EXPECT_EQ(xcache(first), "Miss from cloudfront");
  EXPECT_EQ(first.body, patternBody(1000));
  advance(7);
  HttpResponse second = get("/obj/a");
  ASSERT_EQ(second.status, 200) << second;
  EXPECT_EQ(xcache(second), "Hit from cloudfront");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.headers.get("Content-Length").value_or(""), "1000");
  const int age = std::stoi(second.headers.get("Age").value_or("-1"));
  EXPECT_GE(age, 7);
  EXPECT_LE(age, 9);
  EXPECT_EQ(originCount("/obj/a"), 1u);
  // A hit answered from inside the request's head callback still keeps the connection.
  EXPECT_EQ(second.headers.get("Connection").value_or(""), "keep-alive") << second;
  EXPECT_EQ(get("/obj/a").connects, 0) << "the hit reused the connection";
  // The debug header tells why: the origin's max-age (Edge.DebugHeaders).
  EXPECT_NE(second.headers.get("X-Edged-Cache-Reason").value_or("").find("max-age=300"),
            std::string::npos)
      << second;
}

TEST_F(Cache, QueryStringsAreInTheKey) {
  define("q", "cc=max-age=300");
  EXPECT_EQ(xcache(get("/obj/q?a=1")), "Miss from cloudfront");
  EXPECT_EQ(xcache(get("/obj/q?a=2")), "Miss from cloudfront");
  EXPECT_EQ(xcache(get("/obj/q?a=1")), "Hit from cloudfront");
  EXPECT_EQ(originCount("/obj/q"), 2u);
}

TEST_F(Cache, ExpiresAfterTtlWithoutValidators) {
  define("e", "cc=max-age=30");
  EXPECT_EQ(xcache(get("/obj/e")), "Miss from cloudfront");
  // 28 s, not 29: the age counts whole seconds of the test clock (real time + offset), so the
  // real time between the two requests can cross a second boundary (seen once under ASan: a
  // Miss at "29 s"). 28 + 3 = 31 s is past the TTL whatever the real time.
  advance(28);
  EXPECT_EQ(xcache(get("/obj/e")), "Hit from cloudfront");
  advance(3);
  EXPECT_EQ(xcache(get("/obj/e")), "Miss from cloudfront");
  EXPECT_EQ(originCount("/obj/e"), 2u);
}

TEST_F(Cache, DefaultTtlWhenOriginSaysNothing) {
  define("d", "len=10");
  EXPECT_EQ(xcache(get("/obj/d")), "Miss from cloudfront");
  advance(58);  // not 59: see ExpiresAfterTtlWithoutValidators
  EXPECT_EQ(xcache(get("/obj/d")), "Hit from cloudfront");
  advance(3);
  EXPECT_EQ(xcache(get("/obj/d")), "Miss from cloudfront");
}

TEST_F(Cache, RevalidationWith304IsARefreshHit) {
  define("r", "cc=max-age=10&etag=%22e1%22&len=500");
  HttpResponse first = get("/obj/r");
  ASSERT_EQ(first.status, 200) << first;
  EXPECT_EQ(first.headers.get("X-Version").value_or(""), "1");
  define("r", "cc=max-age=10&etag=%22e1%22&len=500");  // same ETag, version 2
  advance(11);
  HttpResponse refreshed = get("/obj/r");
  ASSERT_EQ(refreshed.status, 200) << refreshed;
  EXPECT_EQ(xcache(refreshed), "RefreshHit from cloudfront");
  EXPECT_EQ(refreshed.body, first.body);
  // The 304's fields replace the stored ones (§3.6).
  EXPECT_EQ(refreshed.headers.get("X-Version").value_or(""), "2");
  // Fresh again for another max-age.
  advance(5);
  EXPECT_EQ(xcache(get("/obj/r")), "Hit from cloudfront");
  EXPECT_EQ(originCount("/obj/r"), 2u);
}

TEST_F(Cache, ChangedObjectAfterExpiryIsAMiss) {
  define("c", "cc=max-age=10&etag=%22e1%22&len=50");
  get("/obj/c");
  define("c", "cc=max-age=10&etag=%22e2%22&len=70");
  advance(11);
  HttpResponse r = get("/obj/c");
  EXPECT_EQ(xcache(r), "Miss from cloudfront");
  EXPECT_EQ(r.body.size(), 70u);
  EXPECT_EQ(xcache(get("/obj/c")), "Hit from cloudfront");
}

TEST_F(Cache, StaleCopyServedWhenOriginAnswers5xx) {
  define("s", "cc=max-age=10&len=200");
  HttpResponse first = get("/obj/s");
  define("s", "status=503");
  advance(11);
  HttpResponse stale = get("/obj/s");
  ASSERT_EQ(stale.status, 200) << stale;
  EXPECT_EQ(stale.body, first.body);
  EXPECT_EQ(originCount("/obj/s"), 2u);
  // Held for ErrorCachingMinTTL (10 s) without asking the origin again (§3.4).
  EXPECT_EQ(get("/obj/s").status, 200);
  EXPECT_EQ(originCount("/obj/s"), 2u);
  advance(11);
  EXPECT_EQ(get("/obj/s").status, 200);
  EXPECT_EQ(originCount("/obj/s"), 3u);
}

TEST_F(Cache, StaleCopyNotServedFor4xx) {
  define("f", "cc=max-age=10");
  get("/obj/f");
  define("f", "status=404");
  advance(11);
  HttpResponse r = get("/obj/f");
  EXPECT_EQ(r.status, 404) << r;
  EXPECT_EQ(xcache(r), "Error from cloudfront");
}

TEST_F(Cache, ErrorsAreCachedForErrorCachingMinTtl) {
  define("n", "status=404");
  EXPECT_EQ(get("/obj/n").status, 404);
  HttpResponse cached = get("/obj/n");
  EXPECT_EQ(cached.status, 404);
  EXPECT_EQ(xcache(cached), "Error from cloudfront");
  EXPECT_EQ(originCount("/obj/n"), 1u);
  advance(11);
  EXPECT_EQ(get("/obj/n").status, 404);
  EXPECT_EQ(originCount("/obj/n"), 2u);
}

TEST_F(Cache, StaleWhileRevalidateServesStaleAndRefreshesInBackground) {
  define("w", "cc=max-age=10,stale-while-revalidate=60&len=100");
  get("/obj/w");
  define("w", "cc=max-age=10,stale-while-revalidate=60&len=100");  // version 2
  advance(11);
  HttpResponse stale = get("/obj/w");
  ASSERT_EQ(stale.status, 200) << stale;
  EXPECT_EQ(stale.headers.get("X-Version").value_or(""), "1");
  EXPECT_EQ(xcache(stale), "RefreshHit from cloudfront");
  // The background refresh lands shortly.
  std::string version;
  for (int i = 0; i < 100 && version != "2"; ++i) {
    std::this_thread::sleep_for(Ms(20));
    version = get("/obj/w").headers.get("X-Version").value_or("");
  }
  EXPECT_EQ(version, "2");
  EXPECT_EQ(originCount("/obj/w"), 2u);
}

TEST_F(Cache, StaleIfErrorWindow) {
  define("i", "cc=max-age=10,stale-if-error=30");
  get("/obj/i");
  define("i", "status=500");
  advance(20);
  EXPECT_EQ(get("/obj/i").status, 200);  // within 10 + 30 s
  advance(60);
  EXPECT_EQ(get("/obj/i").status, 500);  // beyond: the error goes through
}

TEST_F(Cache, NoStoreIsNeverCached) {
  define("u", "cc=no-store");
  HttpResponse a = get("/obj/u");
  HttpResponse b = get("/obj/u");
  EXPECT_EQ(xcache(a), "Miss from cloudfront");
  EXPECT_EQ(xcache(b), "Miss from cloudfront");
  EXPECT_EQ(originCount("/obj/u"), 2u);
  EXPECT_NE(b.headers.get("X-Edged-Cache-Reason").value_or("").find("origin-no-store"),
            std::string::npos)
      << b;
}

TEST_F(Cache, SetCookieIsRemovedWhenCookiesAreNotForwarded) {
  define("k", "cc=max-age=60&setcookie=session%3Dabc");
  HttpResponse r = get("/obj/k");
  EXPECT_FALSE(r.headers.has("Set-Cookie")) << r;
  EXPECT_EQ(xcache(get("/obj/k")), "Hit from cloudfront");
}

TEST_F(Cache, VaryIsReducedToWhatTheViewerMaySee) {
  define("vary", "cc=max-age=60&vary=User-Agent,%20Accept-Encoding,%20X-Foo");
  HttpResponse r = get("/obj/vary");
  EXPECT_EQ(r.headers.get("Vary").value_or(""), "Accept-Encoding") << r;
  HttpResponse hit = get("/obj/vary");
  EXPECT_EQ(xcache(hit), "Hit from cloudfront");
  EXPECT_EQ(hit.headers.get("Vary").value_or(""), "Accept-Encoding") << hit;
}

TEST_F(Cache, UncacheableResponsesAreNotCollapsed) {
  // After one no-store answer the key is fetched without collapsing: concurrent viewers each go
  // to the origin at once instead of waiting for the one before (hit-for-miss).
  define("nc", "cc=no-store&delay_ms=500");
  ASSERT_EQ(get("/obj/nc").status, 200);
  std::vector<std::future<HttpResponse>> futures;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    futures.push_back(std::async(std::launch::async, [this] {
      Http http;
      return http.get(edged_.url("/obj/nc"));
    }));
  }
  for (auto& f : futures) EXPECT_EQ(f.get().status, 200);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(originCount("/obj/nc"), 5u);
  // 500 ms in parallel; queued behind a leader it would take 1000 ms.
  EXPECT_LT(took, Ms(850)) << "the four fetches ran in parallel, not behind a leader";
}

TEST_F(Cache, MaxAgeZeroIsStoredButNotCollapsed) {
  // §9.3: MinTTL 0 and max-age=0 → waiting requests are not given the response; §3.6: it is
  // stored and revalidated by the next request.
  define("z", "cc=max-age=0&etag=%22z1%22&delay_ms=300&len=64");
  std::vector<std::future<HttpResponse>> futures;
  for (int i = 0; i < 3; ++i) {
    futures.push_back(std::async(std::launch::async, [this] {
      Http http;
      return http.get(edged_.url("/obj/z"));
    }));
  }
  for (auto& f : futures) {
    HttpResponse r = f.get();
    EXPECT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.body, patternBody(64));
  }
  EXPECT_EQ(originCount("/obj/z"), 3u);
  HttpResponse again = get("/obj/z");
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(xcache(again), "RefreshHit from cloudfront");
  EXPECT_EQ(again.body, patternBody(64));
  EXPECT_EQ(originCount("/obj/z"), 4u);
}

TEST_F(Cache, ConcurrentMissesCollapseIntoOneOriginFetch) {
  define("slow", "cc=max-age=60&delay_ms=400&len=20000");
  constexpr int kViewers = 10;
  std::vector<std::future<HttpResponse>> futures;
  for (int i = 0; i < kViewers; ++i) {
    futures.push_back(std::async(std::launch::async, [this] {
      Http http;
      return http.get(edged_.url("/obj/slow"));
    }));
  }
  int misses = 0, hits = 0;
  for (auto& f : futures) {
    HttpResponse r = f.get();
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.body, patternBody(20000));
    if (xcache(r) == "Miss from cloudfront") ++misses;
    if (xcache(r) == "Hit from cloudfront") ++hits;
  }
  EXPECT_EQ(originCount("/obj/slow"), 1u);
  EXPECT_EQ(misses, 1);
  EXPECT_EQ(hits, kViewers - 1);
}

TEST_F(Cache, LateJoinerGetsTheBytesSoFarThenTheRest) {
  define("drip", "cc=max-age=60&len=50000&chunks=5&gap_ms=200");
  auto first = std::async(std::launch::async, [this] {
    Http http;
    return http.get(edged_.url("/obj/drip"));
  });
  std::this_thread::sleep_for(Ms(450));  // the fill is mid-body
  HttpResponse late = get("/obj/drip");
  HttpResponse early = first.get();
  ASSERT_EQ(early.status, 200) << early;
  ASSERT_EQ(late.status, 200) << late;
  EXPECT_EQ(early.body, patternBody(50000));
  EXPECT_EQ(late.body, patternBody(50000));
  EXPECT_EQ(xcache(late), "Hit from cloudfront");
  EXPECT_EQ(originCount("/obj/drip"), 1u);
}

TEST_F(Cache, TruncatedOriginBodyIsNeverCached) {
  define("t", "cc=max-age=60&len=10000&close_mid=1");
  HttpResponse broken = get("/obj/t");
  EXPECT_FALSE(broken.ok() && broken.body.size() == 10000) << broken;
  define("t", "cc=max-age=60&len=10000");
  HttpResponse whole = get("/obj/t");
  ASSERT_EQ(whole.status, 200) << whole;
  EXPECT_EQ(xcache(whole), "Miss from cloudfront");
  EXPECT_EQ(whole.body, patternBody(10000));
  EXPECT_EQ(originCount("/obj/t"), 2u);
}

TEST_F(Cache, ViewerDisconnectMidBodyLeavesAWholeObject) {
  define("v", "cc=max-age=60&len=40000&chunks=4&gap_ms=150");
  {
    RawClient c(edged_.port());
    ASSERT_TRUE(c.send("GET /obj/v HTTP/1.1\r\nHost: x\r\n\r\n"));
    ReadResult head = c.readUntil(
        [](std::string_view d) { return d.find("\r\n\r\n") != std::string_view::npos; }, Ms(3000));
    ASSERT_NE(head.data.find("200"), std::string::npos) << head.data;
    c.close();  // gone mid-body
  }
  std::this_thread::sleep_for(Ms(700));  // the fill goes on without its viewer
  HttpResponse r = get("/obj/v");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, patternBody(40000));
  EXPECT_EQ(xcache(r), "Hit from cloudfront");
  EXPECT_EQ(originCount("/obj/v"), 1u);
}

TEST_F(Cache, InvalidationRemovesTheObject) {
  define("inv", "cc=max-age=600");
  get("/obj/inv?x=1");
  get("/obj/inv?x=2");
  EXPECT_EQ(xcache(get("/obj/inv?x=1")), "Hit from cloudfront");
  const std::string batch =
      R"({"CallerReference": "r1", "Paths": {"Quantity": 1, "Items": ["/obj/inv*"]}})";
  HttpResponse created =
      http_.post(admin_ + "/invalidations", {"Content-Type: application/json"}, batch);
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_EQ(xcache(get("/obj/inv?x=1")), "Miss from cloudfront");
  EXPECT_EQ(xcache(get("/obj/inv?x=2")), "Miss from cloudfront");
  EXPECT_EQ(originCount("/obj/inv"), 4u);
}

TEST_F(Cache, RangeRequestsAreCutFromTheObject) {
  define("g", "cc=max-age=600&len=1000");
  HttpResponse miss = get("/obj/g", {"Range: bytes=10-19"});
  ASSERT_EQ(miss.status, 206) << miss;
  EXPECT_EQ(miss.body, patternBody(10, 10));
  EXPECT_EQ(miss.headers.get("Content-Range").value_or(""), "bytes 10-19/1000");
  HttpResponse hit = get("/obj/g", {"Range: bytes=-5"});
  ASSERT_EQ(hit.status, 206) << hit;
  EXPECT_EQ(xcache(hit), "Hit from cloudfront");
  EXPECT_EQ(hit.body, patternBody(5, 995));
  HttpResponse multi = get("/obj/g", {"Range: bytes=0-1,100-101"});
  ASSERT_EQ(multi.status, 206) << multi;
  EXPECT_NE(multi.headers.get("Content-Type").value_or("").find("multipart/byteranges"),
            std::string::npos);
  EXPECT_NE(multi.body.find("Content-Range: bytes 100-101/1000"), std::string::npos) << multi.body;
  HttpResponse beyond = get("/obj/g", {"Range: bytes=5000-"});
  EXPECT_EQ(beyond.status, 416) << beyond;
  EXPECT_EQ(beyond.headers.get("Content-Range").value_or(""), "bytes */1000");
  HttpResponse invalid = get("/obj/g", {"Range: bytes=300-400,100-200"});
  EXPECT_EQ(invalid.status, 200) << invalid;  // §9.1: not ascending → whole object
  EXPECT_EQ(invalid.body.size(), 1000u);
  EXPECT_EQ(originCount("/obj/g"), 1u);
}

TEST_F(Cache, HeadIsServedFromTheGetObject) {
  define("h", "cc=max-age=600&len=300");
  HttpResponse head = http_.head(edged_.url("/obj/h"));
  ASSERT_EQ(head.status, 200) << head;
  EXPECT_EQ(head.headers.get("Content-Length").value_or(""), "300");
  HttpResponse get_hit = get("/obj/h");
  EXPECT_EQ(xcache(get_hit), "Hit from cloudfront");
  EXPECT_EQ(get_hit.body, patternBody(300));
  HttpResponse head_hit = http_.head(edged_.url("/obj/h"));
  EXPECT_EQ(xcache(head_hit), "Hit from cloudfront");
  EXPECT_EQ(head_hit.headers.get("Content-Length").value_or(""), "300");
  EXPECT_EQ(originCount("/obj/h"), 1u);
}

TEST_F(Cache, ViewerConditionalAnswered304FromTheCache) {
  define("cond", "cc=max-age=600&etag=%22abc%22");
  get("/obj/cond");
  HttpResponse r = get("/obj/cond", {"If-None-Match: \"abc\""});
  EXPECT_EQ(r.status, 304) << r;
  EXPECT_EQ(r.headers.get("ETag").value_or(""), "\"abc\"");
  EXPECT_EQ(xcache(r), "Hit from cloudfront");
  HttpResponse other = get("/obj/cond", {"If-None-Match: \"zzz\""});
  EXPECT_EQ(other.status, 200) << other;
  EXPECT_EQ(originCount("/obj/cond"), 1u);
}

// The harness's base distribution: CachingDisabled (0/0/0) with the AllViewer origin request
// policy. Nothing 2xx is stored, but errors still are, for ErrorCachingMinTTL (§3.3).
TEST(CachingDisabled, OnlyErrorsAreCached) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  Http http;
  for (int i = 0; i < 2; ++i) {
    HttpResponse ok = http.get(edged.url("/size/100"));
    EXPECT_EQ(ok.status, 200) << ok;
    EXPECT_EQ(xcache(ok), "Miss from cloudfront");
    HttpResponse missing = http.get(edged.url("/status/404"));
    EXPECT_EQ(missing.status, 404) << missing;
    EXPECT_EQ(missing.body, "status 404\n");
  }
  const OriginStats stats = origin.stats();
  EXPECT_EQ(stats.path("/size/100"), 2u) << stats;
  EXPECT_EQ(stats.path("/status/404"), 1u) << stats;
}

class CacheErrorPages : public Cache {
 protected:
  static Json config() {
    Json cfg = cacheConfig();
    cfg["DistributionConfig"]["CustomErrorResponses"] = Json::parse(R"({"Quantity": 2, "Items": [
      {"ErrorCode": 404, "ResponsePagePath": "/obj/errpage", "ResponseCode": "200",
       "ErrorCachingMinTTL": 30},
      {"ErrorCode": 503, "ResponsePagePath": "/obj/missingpage", "ResponseCode": "503"}]})");
    return cfg;
  }
  CacheErrorPages() : Cache(config()) {}
};

TEST_F(CacheErrorPages, OriginErrorIsAnsweredWithTheConfiguredPage) {
  define("errpage", "cc=max-age=600&len=77");
  define("gone", "status=404");
  HttpResponse r = get("/obj/gone");
  ASSERT_EQ(r.status, 200) << r;  // ResponseCode
  EXPECT_EQ(r.body, patternBody(77));
  EXPECT_EQ(xcache(r), "Error from cloudfront");
  // Both the error and the page are cached (ErrorCachingMinTTL 30, the page's own max-age).
  HttpResponse again = get("/obj/gone");
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.body, patternBody(77));
  EXPECT_EQ(originCount("/obj/gone"), 1u);
  EXPECT_EQ(originCount("/obj/errpage"), 1u);
  advance(31);
  EXPECT_EQ(get("/obj/gone").status, 200);
  EXPECT_EQ(originCount("/obj/gone"), 2u);
  EXPECT_EQ(originCount("/obj/errpage"), 1u);
}

TEST_F(CacheErrorPages, PageThatCannotBeFetchedGivesItsOwnStatus) {
  define("busy", "status=503");
  define("missingpage", "status=404");
  HttpResponse r = get("/obj/busy");
  EXPECT_EQ(r.status, 404) << r;  // the status of the page fetch (§7.1)
}

class CacheSmall : public Cache {
 protected:
  static Json config() {
    Json cfg = cacheConfig();
    cfg["Edge"]["CacheMemoryBytes"] = 4 << 20;  // 4 MiB over 16 shards
    cfg["Edge"]["MaxCacheObjectBytes"] = 64 << 10;
    return cfg;
  }
  CacheSmall() : Cache(config()) {}
};

TEST_F(CacheSmall, ObjectsAboveTheMaxSizeStreamWithoutBeingStored) {
  define("big", "cc=max-age=600&len=200000");
  HttpResponse a = get("/obj/big");
  ASSERT_EQ(a.status, 200) << a;
  EXPECT_EQ(a.body, patternBody(200000));
  HttpResponse b = get("/obj/big");
  EXPECT_EQ(b.body, patternBody(200000));
  EXPECT_EQ(xcache(b), "Miss from cloudfront");
  EXPECT_EQ(originCount("/obj/big"), 2u);
}

TEST_F(CacheSmall, EvictionKeepsTheByteBudget) {
  // 200 objects of 50 KB = 10 MB through a 4 MiB cache: the early ones are evicted, the last one
  // is still there.
  for (int i = 0; i < 200; ++i) {
    const std::string name = "e" + std::to_string(i);
    define(name, "cc=max-age=600&len=50000");
    ASSERT_EQ(get("/obj/" + name).status, 200);
  }
  EXPECT_EQ(xcache(get("/obj/e199")), "Hit from cloudfront");
  int misses = 0;
  for (int i = 0; i < 20; ++i) {
    if (xcache(get("/obj/e" + std::to_string(i))) == "Miss from cloudfront") ++misses;
  }
  EXPECT_GE(misses, 15) << "early objects should have been evicted";
  EXPECT_LT(rssKb(edged_.pid()), 200 * 1024) << "RSS stays bounded";
}

}  // namespace
}  // namespace edge::itest
