// The admin listener (Edge.AdminListen) of a real edged: health and readiness, CreateInvalidation
// (§8) with CallerReference deduplication and validation errors, ListInvalidations, the test
// clock (§0.4), and that the viewer listener never answers the admin API. Also the `edged
// explain` and `edged invalidate` commands as processes.
#include <gtest/gtest.h>

#include <ctime>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

nlohmann::json adminConfig(bool test_clock = true) {
  auto cfg = baseConfig();
  cfg["Edge"]["AdminListen"] = "127.0.0.1:0";
  cfg["Edge"]["TestClock"] = test_clock;
  return cfg;
}

std::string batch(const std::string& ref, const std::vector<std::string>& paths) {
  return Json{{"CallerReference", ref}, {"Paths", {{"Quantity", paths.size()}, {"Items", paths}}}}
      .dump();
}

Json json(const HttpResponse& r) {
  Json j = Json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r;
  return j;
}

const std::vector<std::string> kJson = {"Content-Type: application/json"};

class Admin : public ::testing::Test {
 protected:
  Admin() : edged_(adminConfig(), origin_.port()), admin_("http://" + edged_.adminAddress()) {}

  TestOrigin origin_;
  Edged edged_;
  std::string admin_;
  Http http_;
};

TEST_F(Admin, HealthAndReadiness) {
  HttpResponse h = http_.get(admin_ + "/healthz");
  ASSERT_TRUE(h.ok()) << h;
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok");
  HttpResponse r = http_.get(admin_ + "/readyz");
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(http_.get(admin_ + "/nope").status, 404);
}

TEST_F(Admin, CreateInvalidationReplayAndConflict) {
  HttpResponse created =
      http_.post(admin_ + "/invalidations", kJson, batch("deploy-1", {"/images/*", "/index.html"}));
  ASSERT_EQ(created.status, 201) << created;
  const Json inv = json(created)["Invalidation"];
  const std::string id = inv.value("Id", "");
  EXPECT_EQ(id.size(), 14u) << created.body;
  EXPECT_EQ(inv["Status"], "Completed");
  EXPECT_TRUE(inv["CreateTime"].is_string());
  EXPECT_EQ(inv["InvalidationBatch"]["CallerReference"], "deploy-1");
  EXPECT_EQ(inv["InvalidationBatch"]["Paths"]["Quantity"], 2);
  EXPECT_EQ(created.headers.get("Location").value_or(""), "/invalidations/" + id);

  // Same CallerReference, same paths: the earlier invalidation.
  HttpResponse again =
      http_.post(admin_ + "/invalidations", kJson, batch("deploy-1", {"/index.html", "/images/*"}));
  EXPECT_EQ(again.status, 201) << again;
  EXPECT_EQ(json(again)["Invalidation"]["Id"], id);

  // Same CallerReference, other paths: 409.
  HttpResponse clash = http_.post(admin_ + "/invalidations", kJson, batch("deploy-1", {"/x"}));
  EXPECT_EQ(clash.status, 409) << clash;
  EXPECT_EQ(json(clash)["Error"]["Code"], "InvalidationBatchAlreadyExists");

  // Listed, newest first; and retrievable by Id.
  http_.post(admin_ + "/invalidations", kJson, batch("deploy-2", {"/a"}));
  HttpResponse list = http_.get(admin_ + "/invalidations");
  ASSERT_EQ(list.status, 200) << list;
  const Json items = json(list)["InvalidationList"]["Items"];
  ASSERT_EQ(items.size(), 2u) << list.body;
  EXPECT_EQ(items[1]["Id"], id);
  EXPECT_EQ(http_.get(admin_ + "/invalidations/" + id).status, 200);
}

TEST_F(Admin, ValidationErrorsNameTheField) {
  struct Case {
    std::string body;
    const char* field;
    const char* code;
  };
  const Case cases[] = {
      {R"({"CallerReference": "r", "Paths": {"Quantity": 3, "Items": ["/a"]}})", "Paths.Quantity",
       "InconsistentQuantities"},
      {batch("r", {"/ok", "no-slash"}), "Paths.Items[1]", "InvalidArgument"},
      {batch("r", {"/a*/b"}), "Paths.Items[0]", "InvalidArgument"},
      {R"({"Paths": {"Quantity": 1, "Items": ["/a"]}})", "CallerReference", "InvalidArgument"},
  };
  for (const Case& c : cases) {
    HttpResponse r = http_.post(admin_ + "/invalidations", kJson, c.body);
    EXPECT_EQ(r.status, 400) << r;
    const Json e = json(r)["Error"];
    EXPECT_EQ(e.value("Field", ""), c.field) << r.body;
    EXPECT_EQ(e.value("Code", ""), c.code) << r.body;
    EXPECT_NE(e.value("Message", "").find(c.field), std::string::npos) << r.body;
  }
  Json too_many = Json::array();
  for (int i = 0; i < 3001; ++i) too_many.push_back("/p" + std::to_string(i));
  HttpResponse big = http_.post(
      admin_ + "/invalidations", kJson,
      Json{{"CallerReference", "big"}, {"Paths", {{"Quantity", 3001}, {"Items", too_many}}}}
          .dump());
  EXPECT_EQ(big.status, 400) << big;
  EXPECT_EQ(json(big)["Error"]["Code"], "TooManyInvalidationsInProgress");
}

TEST_F(Admin, ClockAdvances) {
  const int64_t before = static_cast<int64_t>(std::time(nullptr));
  HttpResponse r = http_.post(admin_ + "/clock/advance?seconds=600", {}, "");
  ASSERT_EQ(r.status, 200) << r;
  const Json j = json(r);
  EXPECT_EQ(j["OffsetSeconds"], 600);
  EXPECT_GE(j["NowSeconds"].get<int64_t>(), before + 600);
  EXPECT_LE(j["NowSeconds"].get<int64_t>(), static_cast<int64_t>(std::time(nullptr)) + 600);
  HttpResponse again = http_.post(admin_ + "/clock/advance?seconds=60", {}, "");
  EXPECT_EQ(json(again)["OffsetSeconds"], 660) << again;
  EXPECT_EQ(http_.post(admin_ + "/clock/advance?seconds=-1", {}, "").status, 400);
}

TEST_F(Admin, ViewerListenerProxiesAdminPathsToTheOrigin) {
  origin_.resetStats();
  HttpResponse r = http_.post(edged_.url("/invalidations"), kJson, batch("viewer", {"/images/*"}));
  ASSERT_TRUE(r.ok()) << r;
  // test_origin answers 404 for unknown paths: the request went through the proxy.
  EXPECT_EQ(r.status, 404) << r;
  EXPECT_FALSE(r.headers.has("Location")) << r;
  EXPECT_EQ(r.body.find("\"Invalidation\""), std::string::npos) << r;
  EXPECT_TRUE(r.headers.has("X-Amz-Cf-Id")) << r;
  HttpResponse clock = http_.post(edged_.url("/clock/advance?seconds=5"), {}, "");
  EXPECT_EQ(clock.status, 404) << clock;
  HttpResponse health = http_.get(edged_.url("/healthz"));
  EXPECT_EQ(health.status, 404) << health;
  const OriginStats stats = origin_.stats();
  EXPECT_EQ(stats.path("/invalidations"), 1u) << stats;
  EXPECT_EQ(stats.path("/clock/advance"), 1u) << stats;
  EXPECT_EQ(stats.path("/healthz"), 1u) << stats;
  // None of them reached the admin service.
  EXPECT_EQ(json(http_.get(admin_ + "/invalidations"))["InvalidationList"]["Quantity"], 0);
}

TEST_F(Admin, InvalidateCommand) {
  const std::string addr = edged_.adminAddress();
  CommandResult ok = runCommand({EDGED_BIN, "invalidate", "--admin", addr, "--caller-reference",
                                 "cli-1", "/images/*", "/index.html"});
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("Id: I"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("Status: Completed"), std::string::npos) << ok.out;
  const Json items = json(http_.get(admin_ + "/invalidations"))["InvalidationList"]["Items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_NE(ok.out.find("Id: " + items[0].value("Id", "?")), std::string::npos) << ok.out;

  // Generated CallerReferences never collide.
  CommandResult second = runCommand({EDGED_BIN, "invalidate", "--admin", addr, "/a"});
  EXPECT_EQ(second.status, 0) << second.err;

  CommandResult bad = runCommand({EDGED_BIN, "invalidate", "--admin", addr, "images/*"});
  EXPECT_EQ(bad.status, 1) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("Paths.Items[0]"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("400"), std::string::npos) << bad.err;

  CommandResult conflict = runCommand(
      {EDGED_BIN, "invalidate", "--admin", addr, "--caller-reference", "cli-1", "/other"});
  EXPECT_EQ(conflict.status, 1);
  EXPECT_NE(conflict.err.find("InvalidationBatchAlreadyExists"), std::string::npos) << conflict.err;
}

TEST(AdminCli, InvalidateUsageAndUnreachableAdmin) {
  CommandResult no_admin = runCommand({EDGED_BIN, "invalidate", "/a"});
  EXPECT_EQ(no_admin.status, 2);
  EXPECT_NE(no_admin.err.find("usage"), std::string::npos) << no_admin.err;
  CommandResult no_path = runCommand({EDGED_BIN, "invalidate", "--admin", "127.0.0.1:1"});
  EXPECT_EQ(no_path.status, 2);
  CommandResult bad_flag = runCommand({EDGED_BIN, "invalidate", "--bogus", "/a"});
  EXPECT_EQ(bad_flag.status, 2);
  // Port 1 on loopback: nothing listens there.
  CommandResult down = runCommand({EDGED_BIN, "invalidate", "--admin", "127.0.0.1:1", "/a"});
  EXPECT_EQ(down.status, 1) << down.out << down.err;
  EXPECT_NE(down.err.find("cannot reach"), std::string::npos) << down.err;
}

TEST(AdminOff, ClockIs404WithoutTestClock) {
  TestOrigin origin;
  Edged edged(adminConfig(/*test_clock=*/false), origin.port());
  Http http;
  const std::string admin = "http://" + edged.adminAddress();
  EXPECT_EQ(http.post(admin + "/clock/advance?seconds=600", {}, "").status, 404);
  EXPECT_EQ(http.get(admin + "/healthz").status, 200);
}

TEST(AdminOff, NoAdminListenerWithoutAdminListen) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  const auto lines = edged.readyLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].starts_with("admin"));
}

// --- edged explain -----------------------------------------------------------------------------

class ExplainCommand : public ::testing::Test {
 protected:
  ExplainCommand() {
    auto cfg = baseConfig();
    cfg["Edge"]["OriginAddressOverrides"]["origin.test"] = "127.0.0.1:9";
    cfg["CachePolicies"] = Json::parse(R"([{"Id": "cp-short", "CachePolicyConfig": {
        "Name": "Short", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 300,
        "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": true,
          "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": ["X-Ver"]},
          "CookiesConfig": {"CookieBehavior": "none"},
          "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": ["w"]}}}}])");
    auto images = makeBehavior("/images/*", "o1");
    images["CachePolicyId"] = "cp-short";
    images.erase("OriginRequestPolicyId");
    addBehavior(cfg, images);
    path_ = dir_.file("explain.json");
    writeFile(path_, cfg.dump(2));
  }

  CommandResult explain(std::vector<std::string> args) {
    std::vector<std::string> argv{EDGED_BIN, "explain", "--config", path_};
    argv.insert(argv.end(), args.begin(), args.end());
    return runCommand(argv);
  }

  TempDir dir_;
  std::string path_;
};

TEST_F(ExplainCommand, PrintsBehaviourKeyOriginRequestAndTtl) {
  CommandResult r = explain({"-H", "X-Ver: 2", "-H", "Accept-Encoding: gzip", "--origin-header",
                             "Cache-Control: s-maxage=600",
                             "http://d111111abcdef8.cloudfront.net/images/cat.jpg?w=100&z=1"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  for (const char* part : {"behaviour: CacheBehaviors.Items[0] PathPattern \"/images/*\"",
                           "cache key: cache policy Short (cp-short)",
                           "  path             /images/cat.jpg\n", "  accept-encoding  gzip\n",
                           "  header           x-ver=\"2\"\n", "  query            w=100\n",
                           "origin request: GET http://origin.test:80/images/cat.jpg?w=100",
                           "(connects to 127.0.0.1:9)", "  X-Origin-Secret: s3cr3t\n",
                           "  cached for 300 s: s-maxage=600 clamped to MaxTTL 300\n"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << "missing: " << part << "\n" << r.out;
  }
}

TEST_F(ExplainCommand, DefaultBehaviourAndUncacheableResponse) {
  CommandResult r = explain({"-X", "GET", "--origin-status", "200", "--origin-header",
                             "Cache-Control: no-store", "/docs/a.html"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("behaviour: DefaultCacheBehavior (PathPattern \"*\")"), std::string::npos)
      << r.out;
  // CachingDisabled on the default behaviour: MaxTTL 0 decides before the directive.
  EXPECT_NE(r.out.find("not cached: caching-disabled"), std::string::npos) << r.out;
}

TEST_F(ExplainCommand, BadFlagsGiveUsageAndExit2) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--bogus", "/a"},
                                             {},
                                             {"/a", "/b"},
                                             {"--origin-status", "abc", "/a"},
                                             {"-H"},
                                             {"-H", "no colon", "/a"},
                                             {"images/no-slash"}}) {
    CommandResult r = explain(args);
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("usage"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  CommandResult no_config = runCommand({EDGED_BIN, "explain", "/a"});
  EXPECT_EQ(no_config.status, 2);
  CommandResult missing = runCommand({EDGED_BIN, "explain", "--config", dir_.file("nope"), "/a"});
  EXPECT_EQ(missing.status, 2);
}

}  // namespace
}  // namespace edge::itest
