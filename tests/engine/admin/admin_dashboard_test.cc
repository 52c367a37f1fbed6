// The admin routes behind the dashboard, called without a socket: the embedded page and its
// files, GET /stats, GET /cache/keys (from a fake and from the real store through
// StoreInvalidator), GET /explain, and the pure pieces (query decoding, JSON bodies).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/admin/admin_json.h"
#include "engine/admin/admin_response.h"
#include "engine/admin/admin_service.h"
#include "engine/admin/dashboard_assets.h"
#include "engine/admin/store_invalidator.h"
#include "engine/cache/cache_store.h"
#include "policies/config_load.h"
#include "tests/engine/admin/admin_request.h"
#include "tests/engine/admin/fake_cache_invalidator.h"
#include "tests/engine/cache/cache_test_util.h"

namespace edge::engine {
namespace {

using Json = nlohmann::json;
using testing_admin::FakeCacheInvalidator;
constexpr auto req = testing_admin::adminRequest;

constexpr int64_t kWallMs = 1767225600000;  // 2026-01-01T00:00:00.000Z
constexpr int64_t kNow = kWallMs / 1000;
int64_t fixedWallMs() { return kWallMs; }

constexpr const char* kConfig = R"({
  "DistributionConfig": {
    "Origins": [{"Id": "web", "DomainName": "web.test",
                 "CustomHeaders": {"Quantity": 1, "Items": [
                   {"HeaderName": "X-Origin-Verify", "HeaderValue": "topsecret"}]},
                 "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}}],
    "DefaultCacheBehavior": {"TargetOriginId": "web",
                             "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    "CacheBehaviors": [{"PathPattern": "/images/*", "TargetOriginId": "web",
                        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}]
  },
  "Edge": {"DomainName": "d111111abcdef8.cloudfront.net"}
})";

Json parse(const AdminResponse& r) {
  Json j = Json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

CacheEntrySummary entry(std::string path, uint64_t hits, int64_t stored_at, int64_t ttl) {
  CacheEntrySummary e;
  e.key = "K1 d3:a.b p" + std::to_string(path.size()) + ":" + path;
  e.path = std::move(path);
  e.hits = hits;
  e.status = 200;
  e.body_bytes = 1234;
  e.charge = 2000;
  e.freshness.stored_at = stored_at;
  e.freshness.ttl = ttl;
  return e;
}

class AdminDashboard : public ::testing::Test {
 protected:
  AdminDashboard() : clock_(&fixedWallMs), service_(config(), clock_, cache_, ready_, {&w1_}) {}

  const policies::Config& config() {
    auto c = policies::parseConfig(kConfig, "dashboard.json");
    EXPECT_TRUE(c) << c.error().toString();
    if (c) config_ = std::move(*c);
    return config_;
  }
  AdminResponse call(const std::string& method, const std::string& target) {
    return service_.handle(req(method, target), "");
  }

  policies::Config config_;
  EdgeClock clock_;
  FakeCacheInvalidator cache_{std::vector<std::string>{"/a", "/b"}};
  std::atomic<bool> ready_{true};
  WorkerMetrics w1_;
  AdminService service_;
};

TEST_F(AdminDashboard, ServesThePageAndItsFilesFromTheBinary) {
  const AdminResponse page = call("GET", "/");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/dashboard.js\""), std::string::npos);
  EXPECT_NE(page.body.find("/vendor/uplot/uPlot.iife.min.js"), std::string::npos);
  const auto csp = page.headers.get("Content-Security-Policy");
  ASSERT_TRUE(csp);
  EXPECT_NE(csp->find("default-src 'self'"), std::string::npos);

  struct File {
    const char* path;
    const char* type;
    const char* contains;
  };
  for (const File& f :
       {File{"/dashboard.js", "text/javascript; charset=utf-8", "/stats"},
        File{"/dashboard.css", "text/css; charset=utf-8", ".chart"},
        File{"/vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot"},
        File{"/vendor/uplot/uPlot.min.css", "text/css; charset=utf-8", ".uplot"},
        File{"/vendor/uplot/LICENSE", "text/plain; charset=utf-8", "MIT"}}) {
    const AdminResponse r = call("GET", f.path);
    EXPECT_EQ(r.status, 200) << f.path;
    EXPECT_EQ(r.content_type, f.type) << f.path;
    EXPECT_NE(r.body.find(f.contains), std::string::npos) << f.path;
    // Byte for byte what the table holds (embedding keeps every byte, NULs included).
    EXPECT_EQ(r.body, findDashboardFile(f.path)->bytes) << f.path;
  }
  EXPECT_EQ(call("HEAD", "/").status, 200);
  const AdminResponse post = call("POST", "/");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers.get("Allow"), "GET, HEAD");
  EXPECT_EQ(call("GET", "/vendor/uplot/nope.js").status, 404);
}

TEST(DashboardAssets, ContentTypesByExtension) {
  EXPECT_EQ(dashboardContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(dashboardContentType("a.min.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(dashboardContentType("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(dashboardContentType("LICENSE"), "text/plain; charset=utf-8");
  EXPECT_EQ(findDashboardFile("/nope"), nullptr);
  ASSERT_NE(findDashboardFile("/"), nullptr);
  EXPECT_EQ(findDashboardFile("/")->file_name, "index.html");
}

TEST_F(AdminDashboard, StatsSumTheWorkersAndTheCache) {
  w1_.countExchange(policies::ResultType::Hit, 200, 10, 100);
  w1_.countExchange(policies::ResultType::Hit, 304, 10, 100);
  w1_.countExchange(policies::ResultType::Miss, 200, 10, 500);
  w1_.countExchange(policies::ResultType::Error, 502, 10, 50);
  w1_.countOriginFetch(origin::FetchOutcome::Complete);
  w1_.countOriginFetch(origin::FetchOutcome::ConnectError);
  const AdminResponse r = call("GET", "/stats");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  const Json s = parse(r)["Stats"];
  EXPECT_EQ(s["NowMs"], kWallMs);
  EXPECT_EQ(s["Workers"], 1);
  EXPECT_EQ(s["Requests"], 4);
  EXPECT_EQ(s["ResultTypes"]["Hit"], 2);
  EXPECT_EQ(s["ResultTypes"]["RefreshHit"], 0);
  EXPECT_EQ(s["ResultTypes"]["Miss"], 1);
  EXPECT_EQ(s["ResultTypes"]["Error"], 1);
  EXPECT_EQ(s["OriginFetches"], 2);
  EXPECT_EQ(s["OriginFetchErrors"], 1);
  EXPECT_EQ(s["BytesSent"], 750);
  EXPECT_EQ(s["Cache"]["Objects"], 2);
  EXPECT_EQ(call("POST", "/stats").status, 405);
}

TEST_F(AdminDashboard, CacheKeysListTheTopEntriesWithTtlLeft) {
  cache_.setEntries({entry("/hot", 9, kNow - 10, 60), entry("/stale", 1, kNow - 100, 60)});
  const AdminResponse r = call("GET", "/cache/keys");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(cache_.lastLimit(), 20u);  // the default
  const Json k = parse(r)["CacheKeys"];
  EXPECT_EQ(k["Quantity"], 2);
  EXPECT_EQ(k["MaxItems"], 20);
  EXPECT_EQ(k["Now"], "2026-01-01T00:00:00.000Z");
  const Json hot = k["Items"][0];
  EXPECT_EQ(hot["Path"], "/hot");
  EXPECT_EQ(hot["Hits"], 9);
  EXPECT_EQ(hot["BodyBytes"], 1234);
  EXPECT_EQ(hot["AgeSeconds"], 10);
  EXPECT_EQ(hot["TtlSeconds"], 60);
  EXPECT_EQ(hot["TtlLeftSeconds"], 50);
  EXPECT_EQ(hot["Freshness"], "fresh");
  EXPECT_EQ(hot["StoredAt"], "2025-12-31T23:59:50.000Z");
  const Json stale = k["Items"][1];
  EXPECT_EQ(stale["TtlLeftSeconds"], -40);
  EXPECT_EQ(stale["Freshness"], "expired");  // no validators

  EXPECT_EQ(parse(call("GET", "/cache/keys?MaxItems=1"))["CacheKeys"]["Quantity"], 1);
  EXPECT_EQ(cache_.lastLimit(), 1u);
  for (const char* bad : {"0", "1001", "-1", "x", ""}) {
    const AdminResponse e = call("GET", std::string("/cache/keys?MaxItems=") + bad);
    EXPECT_EQ(e.status, 400) << bad;
    EXPECT_EQ(parse(e)["Error"]["Field"], "MaxItems");
  }
}

TEST(AdminDashboardStore, CacheKeysFromTheSharedStore) {
  CacheStoreOptions o;
  o.memory_bytes = 1 << 20;
  o.shards = 4;
  CacheStore store(o);
  const auto a = cachetest::makeKey("K1 a");
  const auto b = cachetest::makeKey("K1 b");
  store.insert(cachetest::makeObject(a, "/a", "aaaa"));
  store.insert(cachetest::makeObject(b, "/b?v=1", "bb"));
  for (int i = 0; i < 3; ++i) store.lookup(b);
  StoreInvalidator adapter(store);
  const std::vector<CacheEntrySummary> top = adapter.topEntries(10);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].path, "/b?v=1");
  EXPECT_EQ(top[0].key, "K1 b");
  EXPECT_EQ(top[0].hits, 3u);
  EXPECT_EQ(top[0].body_bytes, 2u);
  EXPECT_EQ(top[0].status, 200);
  EXPECT_EQ(top[0].freshness.ttl, 60);  // cachetest::makeHead
  EXPECT_EQ(top[1].path, "/a");
  EXPECT_EQ(top[1].hits, 0u);
}

TEST_F(AdminDashboard, ExplainAnswersForTheRunningConfig) {
  const AdminResponse r =
      call("GET", "/explain?url=%2Fimages%2Fcat.png%3Fsize%3D2&h=Accept-Encoding%3A%20gzip");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json e = parse(r)["Explanation"];
  EXPECT_EQ(e["Request"], "GET /images/cat.png?size=2");
  EXPECT_EQ(e["Behavior"], "CacheBehaviors.Items[0]");
  EXPECT_EQ(e["PathPattern"], "/images/*");
  EXPECT_EQ(e["TargetOriginId"], "web");
  EXPECT_EQ(e["MethodAllowed"], true);
  EXPECT_EQ(e["Cacheable"], true);
  EXPECT_NE(e["CacheKey"].get<std::string>().find("/images/cat.png"), std::string::npos);
  // The text is `edged explain`'s.
  const std::string text = e["Text"];
  EXPECT_EQ(text.rfind("request: GET /images/cat.png?size=2\n", 0), 0u) << text;
  EXPECT_NE(text.find("Accept-Encoding: gzip"), std::string::npos) << text;

  // The origin's CustomHeaders are sent, but their values are not told over the network.
  EXPECT_NE(text.find("X-Origin-Verify: (hidden: Origins CustomHeaders)"), std::string::npos)
      << text;
  EXPECT_EQ(r.body.find("topsecret"), std::string::npos) << r.body;

  const Json other = parse(call("GET", "/explain?url=/index.html&method=HEAD"))["Explanation"];
  EXPECT_EQ(other["Behavior"], "DefaultCacheBehavior");
  EXPECT_EQ(other["Request"], "HEAD /index.html");
}

TEST_F(AdminDashboard, ExplainErrorsNameTheParameter) {
  struct Case {
    const char* target;
    const char* field;
  };
  for (const Case& c : {Case{"/explain", "url"}, Case{"/explain?url=", "url"},
                        Case{"/explain?url=/a&url=/b", "url"}, Case{"/explain?url=%zz", "url"},
                        Case{"/explain?url=/a&h=%4", "h"},
                        Case{"/explain?url=/a&origin_status=99", "origin_status"},
                        Case{"/explain?url=/a&method=GET&method=PUT", "method"}}) {
    const AdminResponse r = call("GET", c.target);
    EXPECT_EQ(r.status, 400) << c.target;
    EXPECT_EQ(parse(r)["Error"].value("Field", ""), c.field) << c.target << ": " << r.body;
  }
  const AdminResponse bad_header = call("GET", "/explain?url=/a&h=no-colon");
  EXPECT_EQ(bad_header.status, 400);
  EXPECT_EQ(parse(bad_header)["Error"]["Code"], "InvalidArgument");
  EXPECT_EQ(call("POST", "/explain?url=/a").status, 405);
}

TEST(AdminQuery, ParamsRawAndDecoded) {
  EXPECT_EQ(queryParam("a=1&b=2&a=3", "a"), "1");
  EXPECT_EQ(queryParam("a&b=2", "a"), "");
  EXPECT_EQ(queryParam("ab=1", "a"), std::nullopt);
  using Values = std::vector<std::string>;
  EXPECT_EQ(decodedQueryParams("h=A%3A%201&x=y&h=B:2+3", "h"), (Values{"A: 1", "B:2+3"}));
  EXPECT_EQ(decodedQueryParams("x=1", "h"), Values{});
  EXPECT_EQ(decodedQueryParams("h=%G1", "h"), std::nullopt);
  EXPECT_EQ(parseCount("42", 100), 42);
  EXPECT_EQ(parseCount("+4", 100), std::nullopt);
  EXPECT_EQ(parseCount("101", 100), std::nullopt);
}

TEST(AdminJson, CacheKeysAgeCountsTheOriginAge) {
  CacheEntrySummary e = entry("/x", 0, kNow - 5, 30);
  e.freshness.age_at_store = 100;  // arrived 100 s old: Age grows from there, TTL left does not
  const Json item = Json::parse(cacheKeysJson({e}, 5, kNow))["CacheKeys"]["Items"][0];
  EXPECT_EQ(item["AgeSeconds"], 105);
  EXPECT_EQ(item["TtlLeftSeconds"], 25);
  EXPECT_EQ(Json::parse(cacheKeysJson({}, 5, kNow))["CacheKeys"]["Items"], Json::array());
}

}  // namespace
}  // namespace edge::engine
