// Cache-behaviour selection (§1.2), default root object (§1.6) and allowed methods (§1.3).
// Every origin here has an OriginPath under /echo, so test_origin's echo reveals which origin a
// request went to and with which path.
#include <gtest/gtest.h>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Lines = std::vector<std::string>;

// o1 default (origin.test, /echo/default), o2 api.test (/echo/api), o3 img.test (/echo/img).
// Behaviours in order: /api/* → o2, *.jpg → o3, /api/special/* → o3 (shadowed by /api/*),
// static/* (no leading slash) → o3, /v?/item → o2.
nlohmann::json routingConfig() {
  auto cfg = baseConfig();
  firstOrigin(cfg)["OriginPath"] = "/echo/default";
  addOrigin(cfg, makeOrigin("o2", "api.test", "/echo/api"), "127.0.0.1:${ORIGIN_PORT}");
  addOrigin(cfg, makeOrigin("o3", "img.test", "/echo/img"), "127.0.0.1:${ORIGIN_PORT}");
  defaultBehavior(cfg)["OriginRequestPolicyId"] = kOrpAllViewerExceptHost;
  addBehavior(cfg, makeBehavior("/api/*", "o2", kOrpAllViewerExceptHost));
  addBehavior(cfg, makeBehavior("*.jpg", "o3", kOrpAllViewerExceptHost));
  addBehavior(cfg, makeBehavior("/api/special/*", "o3", kOrpAllViewerExceptHost));
  addBehavior(cfg, makeBehavior("static/*", "o3", kOrpAllViewerExceptHost));
  addBehavior(cfg, makeBehavior("/v?/item", "o2", kOrpAllViewerExceptHost));
  return cfg;
}

struct Route {
  std::string method;
  std::string viewer_target;
  std::string origin_target;
  std::string origin_host;
};

TEST(Behaviors, FirstMatchingPathPatternSelectsTheOrigin) {
  TestOrigin origin;
  Edged edged(routingConfig(), origin.port());
  const std::vector<Route> routes = {
      {"GET", "/api/users", "/echo/api/api/users", "api.test"},
      {"GET", "/api/users?id=7", "/echo/api/api/users?id=7", "api.test"},
      {"GET", "/api/special/x", "/echo/api/api/special/x", "api.test"},       // first match wins
      {"GET", "/api/pic.jpg", "/echo/api/api/pic.jpg", "api.test"},           // /api/* listed first
      {"GET", "/photos/a/b.jpg", "/echo/img/photos/a/b.jpg", "img.test"},     // * spans '/'
      {"GET", "/photos/B.JPG", "/echo/default/photos/B.JPG", "origin.test"},  // case-sensitive
      {"GET", "/b.jpg?size=large", "/echo/img/b.jpg?size=large", "img.test"},  // query ignored
      {"GET", "/static/app.css", "/echo/img/static/app.css", "img.test"},  // leading '/' optional
      {"GET", "/v1/item", "/echo/api/v1/item", "api.test"},                // ? = one character
      {"GET", "/v10/item", "/echo/default/v10/item", "origin.test"},
      {"GET", "/img/api/x", "/echo/default/img/api/x", "origin.test"},  // anchored at the start
      {"GET", "/other", "/echo/default/other", "origin.test"},
      {"POST", "/api/submit", "/echo/api/api/submit", "api.test"},
  };
  Http http;
  for (const auto& route : routes) {
    SCOPED_TRACE(route.method + " " + route.viewer_target);
    std::string body = "payload";
    HttpResponse r = route.method == "GET" ? http.get(edged.url(route.viewer_target))
                                           : http.post(edged.url(route.viewer_target), {}, body);
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.status, 200) << r;
    EchoInfo e = parseEcho(r.body);
    ASSERT_TRUE(e.valid) << r.body;
    EXPECT_EQ(e.method, route.method);
    EXPECT_EQ(e.target, route.origin_target) << e;
    EXPECT_EQ(e.headers.all("Host"), Lines{route.origin_host}) << e;
  }
}

TEST(Behaviors, DefaultRootObjectOnlyForTheRoot) {
  TestOrigin origin;
  Edged edged(routingConfig(), origin.port());
  const std::vector<Route> routes = {
      {"GET", "/", "/echo/default/index.html", "origin.test"},
      {"GET", "/?lang=en", "/echo/default/index.html?lang=en", "origin.test"},
      {"POST", "/", "/echo/default/index.html", "origin.test"},  // applies to every method
      {"GET", "/sub/", "/echo/default/sub/", "origin.test"},     // only the root is rewritten
      {"GET", "/index.htm", "/echo/default/index.htm", "origin.test"},
  };
  Http http;
  for (const auto& route : routes) {
    SCOPED_TRACE(route.method + " " + route.viewer_target);
    HttpResponse r = route.method == "GET" ? http.get(edged.url(route.viewer_target))
                                           : http.post(edged.url(route.viewer_target), {}, "x=1");
    ASSERT_TRUE(r.ok()) << r;
    EXPECT_EQ(r.status, 200) << r;
    EchoInfo e = parseEcho(r.body);
    ASSERT_TRUE(e.valid) << r.body;
    EXPECT_EQ(e.target, route.origin_target) << e;
  }
}

TEST(Behaviors, NoDefaultRootObjectLeavesRootAlone) {
  TestOrigin origin;
  auto cfg = routingConfig();
  cfg["DistributionConfig"]["DefaultRootObject"] = "";
  Edged edged(cfg, origin.port());
  Http http;
  HttpResponse r = http.get(edged.url("/"));
  ASSERT_EQ(r.status, 200) << r;
  EchoInfo e = parseEcho(r.body);
  ASSERT_TRUE(e.valid) << r.body;
  EXPECT_EQ(e.target, "/echo/default/") << e;
}

TEST(AllowedMethods, MethodOutsideAllowedSetGets403WithoutOriginContact) {
  TestOrigin origin;
  auto cfg = baseConfig();
  allowOnlyGetHead(defaultBehavior(cfg));
  Edged edged(cfg, origin.port());
  origin.resetStats();
  Http http;
  const char* kReason =
      "This distribution is not configured to allow the HTTP request method that was used for "
      "this request.";
  HttpResponse post = http.post(edged.url("/echo/m"), {"Content-Type: text/plain"}, "hello=1");
  EXPECT_TRUE(isGeneratedError(post, 403, kReason));
  for (const char* method : {"PUT", "DELETE", "PATCH", "OPTIONS"}) {
    SCOPED_TRACE(method);
    std::string body = "b";
    HttpResponse r = http.request(method, edged.url("/echo/m"), {},
                                  std::string(method) == "OPTIONS" ? nullptr : &body);
    EXPECT_TRUE(isGeneratedError(r, 403, kReason));
  }
  EXPECT_EQ(origin.stats().requests, 0u) << origin.stats();
  // Allowed methods still work on the same distribution.
  HttpResponse get = http.get(edged.url("/echo/ok"));
  EXPECT_EQ(get.status, 200) << get;
  HttpResponse head = http.head(edged.url("/size/10"));
  EXPECT_EQ(head.status, 200) << head;
  OriginStats s = origin.stats();
  EXPECT_EQ(s.requests, 2u) << s;
  EXPECT_EQ(s.path("/echo/m"), 0u) << s;
}

TEST(AllowedMethods, PerBehaviourAllowedMethods) {
  TestOrigin origin;
  auto cfg = baseConfig();
  auto readonly = makeBehavior("/ro/*", "o1");
  allowOnlyGetHead(readonly);
  addBehavior(cfg, readonly);
  firstOrigin(cfg)["OriginPath"] = "/echo";
  Edged edged(cfg, origin.port());
  Http http;
  HttpResponse denied = http.post(edged.url("/ro/x"), {}, "a=1");
  EXPECT_TRUE(isGeneratedError(denied, 403));
  HttpResponse allowed = http.post(edged.url("/rw/x"), {}, "a=1");
  EXPECT_EQ(allowed.status, 200) << allowed;
  EXPECT_EQ(parseEcho(allowed.body).target, "/echo/rw/x");
  EXPECT_EQ(origin.stats().path("/echo/ro/x"), 0u);
}

}  // namespace
}  // namespace edge::itest
