// Several workers of one edged at the shared cache at once (issue 8, item 6): viewer threads, each
// on its own keep-alive connection (SO_REUSEPORT spreads connections over the workers), fetch the
// same keys, so misses on one key from several workers collapse into one origin fetch, hits are
// read while other workers fill, compressed variants (gzip, br, identity) share the store, the
// byte budget is kept while several workers evict, and invalidations, the test clock and the
// admin API's GET /cache run on the admin thread while the workers serve. Every body is checked
// byte for byte. These tests carry the ctest label `multiworker` (tests/CMakeLists.txt) and run
// under ThreadSanitizer in scripts/test.sh, where the harness fails a test on any TSan report on
// edged's stderr.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include "support/content_decoding.h"
#include "support/harness.h"
#include "support/thread_failures.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

constexpr int kWorkers = 3;

// Default behaviour keyed on the path and all query strings, with gzip and br in the key and
// Compress on, TTLs 0 / 60 / 3600; admin listener with the test clock.
Json multiWorkerConfig(uint64_t cache_bytes = 64ull << 20) {
  Json cfg = baseConfig();
  cfg["CachePolicies"] = Json::parse(R"([{"Id": "cp-mw", "CachePolicyConfig": {
    "Name": "MultiWorker", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 3600,
    "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": true,
      "EnableAcceptEncodingBrotli": true,
      "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
      "QueryStringsConfig": {"QueryStringBehavior": "all"}}}}])");
  auto& b = defaultBehavior(cfg);
  b["CachePolicyId"] = "cp-mw";
  b.erase("OriginRequestPolicyId");
  b["Compress"] = true;
  cfg["Edge"]["AdminListen"] = "127.0.0.1:0";
  cfg["Edge"]["TestClock"] = true;
  cfg["Edge"]["CacheMemoryBytes"] = cache_bytes;
  cfg["Edge"]["MaxCacheObjectBytes"] = 256 << 10;
  return cfg;
}

EdgedOptions workers() {
  EdgedOptions o;
  o.workers = kWorkers;
  o.ready_timeout = Ms(30000);  // a ThreadSanitizer build starts slowly
  return o;
}

using Failures = testing_support::ThreadFailures;

// The Accept-Encoding viewer `t` sends: thread 0 none, then gzip, br, "gzip, br", none, ...
std::vector<std::string> encodingFor(int t) {
  switch (t % 4) {
    case 1: return {"Accept-Encoding: gzip"};
    case 2: return {"Accept-Encoding: br"};
    case 3: return {"Accept-Encoding: gzip, br"};
    default: return {};
  }
}

// `r` decoded per its Content-Encoding equals patternBody(len); otherwise why not.
std::string checkBody(const HttpResponse& r, const std::string& target, size_t len) {
  std::ostringstream os;
  if (!r.ok() || r.status != 200) {
    os << target << ": " << r;
    return os.str();
  }
  const std::string coding = r.headers.get("Content-Encoding").value_or("");
  std::optional<std::string> body = coding.empty() ? std::optional<std::string>(r.body)
                                                   : testing_decode::decodeBody(coding, r.body);
  if (!body || *body != patternBody(len)) {
    os << target << ": body (" << (coding.empty() ? "identity" : coding) << ", "
       << r.body.size() << " bytes) is not the object's " << len << " bytes";
    return os.str();
  }
  return "";
}

// Runs `viewer(t)` on `threads` threads and joins them.
void runViewers(int threads, const std::function<void(int)>& viewer) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(viewer, t);
  for (auto& th : pool) th.join();
}

class MultiWorkerCache : public ::testing::Test {
 protected:
  explicit MultiWorkerCache(Json cfg = multiWorkerConfig())
      : edged_(cfg, origin_.port(), workers()), admin_("http://" + edged_.adminAddress()) {}

  void define(const std::string& name, const std::string& query) {
    HttpResponse r = http_.get(origin_.url("/set/" + name + "?" + query));
    ASSERT_EQ(r.status, 200) << r;
  }
  Json cacheCounters() {
    HttpResponse r = http_.get(admin_ + "/cache");
    EXPECT_EQ(r.status, 200) << r;
    Json j = Json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r;
    return j.is_discarded() ? Json::object() : j["Cache"];
  }
  void invalidate(const std::string& ref, const std::string& path) {
    const std::string batch =
        Json{{"CallerReference", ref}, {"Paths", {{"Quantity", 1}, {"Items", {path}}}}}.dump();
    HttpResponse r = http_.post(admin_ + "/invalidations", {"Content-Type: application/json"}, batch);
    EXPECT_EQ(r.status, 201) << r;
  }

  TestOrigin origin_;
  Edged edged_;
  std::string admin_;
  Http http_;
};

TEST_F(MultiWorkerCache, SameKeysFromSeveralWorkersCollapseIntoOneFetchEach) {
  // Slow objects: the first misses of every key overlap, on whichever workers the viewers'
  // connections landed. Each (key, encoding) is one cache entry, fetched once.
  constexpr int kKeys = 6;
  constexpr int kViewers = 8;
  constexpr size_t kLen = 30000;
  for (int k = 0; k < kKeys; ++k) {
    define("mw" + std::to_string(k),
           "cc=max-age=600&delay_ms=300&len=30000&ctype=text/html&chunks=3&gap_ms=50");
  }
  origin_.resetStats();
  Failures failures;
  runViewers(kViewers, [&](int t) {
    Http http;
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < kKeys; ++i) {
        const std::string target = "/obj/mw" + std::to_string((i + t) % kKeys);
        HttpResponse r = http.get(edged_.url(target), encodingFor(t));
        std::string why = checkBody(r, target, kLen);
        if (!why.empty()) failures.add(why);
      }
    }
  });
  EXPECT_EQ(failures.count(), 0) << failures.first();
  // Four Accept-Encoding variants (none, gzip, br, "gzip, br"), each its own cache key (the
  // normalised Accept-Encoding is in the key), each asked for by two viewers: one origin fetch
  // per variant, whichever workers the viewers landed on.
  constexpr int kVariants = 4;
  const OriginStats stats = origin_.stats();
  for (int k = 0; k < kKeys; ++k) {
    const std::string path = "/obj/mw" + std::to_string(k);
    EXPECT_EQ(stats.path(path), uint64_t{kVariants}) << path << "; " << stats;
  }
  Json c = cacheCounters();
  EXPECT_EQ(c.value("Fills", uint64_t{0}), uint64_t{kVariants * kKeys}) << c;
  EXPECT_EQ(c.value("Objects", uint64_t{0}), uint64_t{kVariants * kKeys}) << c;
  EXPECT_GE(c.value("Hits", uint64_t{0}) + c.value("Collapsed", uint64_t{0}),
            uint64_t{kViewers * kKeys * 3 - kVariants * kKeys})
      << c;
  EXPECT_EQ(c.value("FillsInFlight", uint64_t{1}), 0u) << c;
  EXPECT_TRUE(edged_.running());
}

TEST_F(MultiWorkerCache, InvalidationsClockAndAdminWhileWorkersServe) {
  // Viewers on every worker keep fetching (hits, and misses after each invalidation or expiry)
  // while the admin thread invalidates, advances the test clock and reads the counters.
  constexpr int kKeys = 12;
  constexpr int kViewers = 6;
  constexpr size_t kLen = 8000;
  for (int k = 0; k < kKeys; ++k) {
    define("iv" + std::to_string(k), "cc=max-age=30&len=8000&ctype=text/plain&delay_ms=20");
  }
  std::atomic<bool> stop{false};
  std::atomic<int> served{0};
  Failures failures;
  std::thread admin([&] {
    Http http;
    for (int i = 0; i < 15; ++i) {
      const std::string batch = Json{{"CallerReference", "mw-" + std::to_string(i)},
                                     {"Paths",
                                      {{"Quantity", 1},
                                       {"Items", {i % 3 == 0 ? "/obj/iv*" : "/obj/iv1*"}}}}}
                                    .dump();
      HttpResponse r =
          http.post(admin_ + "/invalidations", {"Content-Type: application/json"}, batch);
      if (r.status != 201) failures.add("invalidation: " + r.status_line + " " + r.body);
      if (i % 5 == 4) {
        // Past max-age: every stored copy is stale at once, on every worker.
        HttpResponse adv = http.post(admin_ + "/clock/advance?seconds=40", {}, "");
        if (adv.status != 200) failures.add("clock: " + adv.status_line);
      }
      HttpResponse c = http.get(admin_ + "/cache");
      if (c.status != 200) failures.add("GET /cache: " + c.status_line);
      HttpResponse l = http.get(admin_ + "/invalidations?MaxItems=5");
      if (l.status != 200) failures.add("list: " + l.status_line);
      std::this_thread::sleep_for(Ms(60));
    }
    stop = true;
  });
  runViewers(kViewers, [&](int t) {
    Http http;
    for (int i = 0; !stop.load(); ++i) {
      const std::string target = "/obj/iv" + std::to_string((i * 7 + t) % kKeys);
      HttpResponse r = http.get(edged_.url(target), encodingFor(t));
      std::string why = checkBody(r, target, kLen);
      if (!why.empty()) failures.add(why);
      ++served;
    }
  });
  admin.join();
  EXPECT_EQ(failures.count(), 0) << failures.first();
  EXPECT_GT(served.load(), kViewers) << "the viewers barely ran";

  // After a last invalidation nothing of /obj/iv* is served from the cache.
  invalidate("mw-final", "/obj/iv*");
  for (int k = 0; k < kKeys; ++k) {
    HttpResponse r = http_.get(edged_.url("/obj/iv" + std::to_string(k)));
    EXPECT_EQ(r.headers.get("X-Cache").value_or(""), "Miss from cloudfront") << r;
  }
  Json c = cacheCounters();
  EXPECT_EQ(c.value("FillsInFlight", uint64_t{1}), 0u) << c;
  EXPECT_GT(c.value("Erased", uint64_t{0}), 0u) << c;
}

class MultiWorkerSmallCache : public MultiWorkerCache {
 protected:
  MultiWorkerSmallCache() : MultiWorkerCache(multiWorkerConfig(2 << 20)) {}
};

TEST_F(MultiWorkerSmallCache, SeveralWorkersEvictingKeepTheByteBudget) {
  // 4 viewers x 40 objects of 40 KB (overlapping halves) = 3.2 MB of distinct objects through a
  // 2 MiB cache: workers evict concurrently; the budget holds and every body is whole.
  constexpr int kViewers = 4;
  constexpr int kObjects = 80;
  constexpr size_t kLen = 40000;
  for (int k = 0; k < kObjects; ++k) {
    define("ev" + std::to_string(k), "cc=max-age=600&len=40000&ctype=application/octet-stream");
  }
  Failures failures;
  runViewers(kViewers, [&](int t) {
    Http http;
    for (int i = 0; i < 40; ++i) {
      const std::string target = "/obj/ev" + std::to_string((t * 20 + i) % kObjects);
      HttpResponse r = http.get(edged_.url(target));
      std::string why = checkBody(r, target, kLen);
      if (!why.empty()) failures.add(why);
    }
  });
  EXPECT_EQ(failures.count(), 0) << failures.first();
  Json c = cacheCounters();
  const uint64_t budget = c.value("BudgetBytes", uint64_t{0});
  EXPECT_GT(budget, 0u) << c;
  EXPECT_LE(budget, uint64_t{2} << 20) << c;
  EXPECT_LE(c.value("Bytes", budget + 1), budget) << c;
  EXPECT_GT(c.value("Evictions", uint64_t{0}), 0u) << c;
  EXPECT_EQ(c.value("FillsInFlight", uint64_t{1}), 0u) << c;
}

}  // namespace
}  // namespace edge::itest
