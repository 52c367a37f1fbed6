// The routes behind the admin dashboard on a real edged (Edge.AdminListen, a caching behaviour
// in front of the test origin): the page and uPlot served from the binary, GET /stats and
// GET /cache/keys following viewer traffic, GET /explain answering for the running config.
// The page itself in a browser: dashboard_browser_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

Json json(const HttpResponse& r) {
  Json j = Json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r;
  return j;
}

TEST(DashboardRoutes, PageStatsTopKeysAndExplainOnARunningEdge) {
  TestOrigin origin;
  auto config = cachingConfig();
  config["Edge"]["AdminListen"] = "127.0.0.1:0";
  Edged edged(config, origin.port());
  const std::string admin = "http://" + edged.adminAddress();
  Http http;

  const HttpResponse page = http.get(admin + "/");
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_EQ(page.headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/dashboard.js"), std::string::npos);
  const HttpResponse lib = http.get(admin + "/vendor/uplot/uPlot.iife.min.js");
  EXPECT_EQ(lib.status, 200);
  EXPECT_GT(lib.body.size(), 10000u);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(http.get(edged.url("/size/300?k=hot")).status, 200);
  ASSERT_EQ(http.get(edged.url("/size/200?k=cold")).status, 200);

  // Exchanges are counted as they end, just after the last byte is sent.
  Json stats;
  EXPECT_TRUE(waitUntil(
      [&] {
        stats = json(http.get(admin + "/stats"))["Stats"];
        return stats.value("Requests", 0) >= 5;
      },
      Ms(5000)))
      << stats.dump();
  EXPECT_EQ(stats["Requests"], 5) << stats.dump();
  EXPECT_EQ(stats["ResultTypes"]["Hit"], 3) << stats.dump();
  EXPECT_EQ(stats["ResultTypes"]["Miss"], 2) << stats.dump();
  EXPECT_EQ(stats["OriginFetches"], 2) << stats.dump();
  EXPECT_EQ(stats["OriginFetchErrors"], 0) << stats.dump();
  EXPECT_EQ(stats["Workers"], 1);
  EXPECT_EQ(stats["Cache"]["Objects"], 2) << stats.dump();

  const Json keys = json(http.get(admin + "/cache/keys?MaxItems=5"))["CacheKeys"];
  ASSERT_EQ(keys["Quantity"], 2) << keys.dump();
  EXPECT_EQ(keys["Items"][0]["Path"], "/size/300?k=hot");
  EXPECT_EQ(keys["Items"][0]["Hits"], 3);
  EXPECT_EQ(keys["Items"][0]["BodyBytes"], 300);
  EXPECT_EQ(keys["Items"][0]["TtlSeconds"], 60);  // cp-test's DefaultTTL
  EXPECT_LE(keys["Items"][0]["TtlLeftSeconds"].get<int64_t>(), 60);
  EXPECT_GE(keys["Items"][0]["TtlLeftSeconds"].get<int64_t>(), 50);
  EXPECT_EQ(keys["Items"][0]["Freshness"], "fresh");
  EXPECT_EQ(keys["Items"][1]["Path"], "/size/200?k=cold");
  EXPECT_EQ(keys["Items"][1]["Hits"], 0);

  const HttpResponse explained = http.get(admin + "/explain?url=%2Fsize%2F300%3Fk%3Dhot");
  ASSERT_EQ(explained.status, 200) << explained;
  const Json e = json(explained)["Explanation"];
  EXPECT_EQ(e["Behavior"], "DefaultCacheBehavior");
  EXPECT_EQ(e["Cacheable"], true);
  EXPECT_NE(e["Text"].get<std::string>().find("request: GET /size/300?k=hot\n"), std::string::npos)
      << e.dump();
  EXPECT_EQ(explained.body.find("s3cr3t"), std::string::npos) << "the origin's custom header value";
  const HttpResponse missing = http.get(admin + "/explain");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(json(missing)["Error"]["Field"], "url");

  // The viewer listener never serves the dashboard: / goes to the origin like any path.
  EXPECT_EQ(http.get(edged.url("/")).body.find("/dashboard.js"), std::string::npos);
}

}  // namespace
}  // namespace edge::itest
