// AdminService routing (called directly, no socket) and AdminServer end to end on a real loop
// thread and socket (libcurl as the client).
#include "engine/admin/admin_service.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <future>

#include <nlohmann/json.hpp>

#include "engine/admin/admin_json.h"
#include "engine/admin/admin_server.h"
#include "engine/admin/store_invalidator.h"
#include "engine/server/listener.h"
#include "origin/curl_handles.h"
#include "tests/engine/admin/admin_request.h"
#include "tests/engine/admin/fake_cache_invalidator.h"

namespace edge::engine {
namespace {

using Json = nlohmann::json;
using testing_admin::FakeCacheInvalidator;
constexpr auto req = testing_admin::adminRequest;

constexpr int64_t kWallMs = 1767225600000;  // 2026-01-01T00:00:00.000Z
int64_t fixedWallMs() { return kWallMs; }

std::string batch(const std::string& ref, const std::vector<std::string>& paths) {
  return Json{{"CallerReference", ref}, {"Paths", {{"Quantity", paths.size()}, {"Items", paths}}}}
      .dump();
}

Json parse(const AdminResponse& r) {
  Json j = Json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

class AdminServiceTest : public ::testing::Test {
 protected:
  AdminServiceTest()
      : clock_(&fixedWallMs),
        cache_({"/images/a.jpg", "/images/b.jpg?v=1", "/index.html"}),
        service_(config_, clock_, cache_, ready_) {
    config_.edge.test_clock = true;
  }

  AdminResponse call(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    return service_.handle(req(method, target), body);
  }

  policies::Config config_;
  EdgeClock clock_;
  FakeCacheInvalidator cache_;
  std::atomic<bool> ready_{false};
  AdminService service_;
};

TEST_F(AdminServiceTest, HealthAndReadiness) {
  AdminResponse h = call("GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok");
  EXPECT_EQ(h.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(call("HEAD", "/healthz").status, 200);
  EXPECT_EQ(call("GET", "/readyz").status, 503);
  ready_ = true;
  AdminResponse r = call("GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready");
}

TEST(AdminServiceMetrics, SumsTheWorkersAndReadsTheCache) {
  policies::Config config;
  EdgeClock clock(&fixedWallMs);
  FakeCacheInvalidator cache({"/a", "/b"});
  std::atomic<bool> ready{true};
  WorkerMetrics w1, w2;
  w1.countExchange(policies::ResultType::Hit, 200, 10, 100);
  w2.countExchange(policies::ResultType::Hit, 304, 10, 100);
  AdminService service(config, clock, cache, ready, {&w1, &w2});
  const AdminResponse r = service.handle(req("GET", "/metrics"), "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("\nedged_requests_total{result_type=\"Hit\",status_class=\"2xx\"} 1\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\nedged_requests_total{result_type=\"Hit\",status_class=\"3xx\"} 1\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("\nedged_sent_bytes_total 200\n"), std::string::npos);
  EXPECT_NE(r.body.find("\nedged_workers 2\n"), std::string::npos);
  EXPECT_NE(r.body.find("\nedged_cache_objects 2\n"), std::string::npos);
  EXPECT_NE(r.body.find("\nedged_cache_bytes 200\n"), std::string::npos);
  EXPECT_EQ(service.handle(req("HEAD", "/metrics"), "").status, 200);
  EXPECT_EQ(service.handle(req("POST", "/metrics"), "").status, 405);
}

TEST_F(AdminServiceTest, CreateInvalidationAnswersCloudFrontShape) {
  AdminResponse r = call("POST", "/invalidations", batch("ref-1", {"/images/*"}));
  ASSERT_EQ(r.status, 201) << r.body;
  const Json j = parse(r);
  const Json& inv = j["Invalidation"];
  const std::string id = inv["Id"];
  EXPECT_EQ(id.size(), 14u);
  EXPECT_EQ(inv["Status"], "Completed");
  EXPECT_EQ(inv["CreateTime"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(inv["InvalidationBatch"]["CallerReference"], "ref-1");
  EXPECT_EQ(inv["InvalidationBatch"]["Paths"]["Quantity"], 1);
  EXPECT_EQ(inv["InvalidationBatch"]["Paths"]["Items"], Json::array({"/images/*"}));
  EXPECT_EQ(inv["ObjectsInvalidated"], 2);
  EXPECT_EQ(r.headers.get("Location"), "/invalidations/" + id);
  EXPECT_EQ(cache_.objects(), (std::vector<std::string>{"/index.html"}));
  EXPECT_EQ(cache_.lastIssuedAtMs(), kWallMs);

  // GetInvalidation
  AdminResponse g = call("GET", "/invalidations/" + id);
  EXPECT_EQ(g.status, 200);
  EXPECT_EQ(parse(g)["Invalidation"]["Id"], id);
}

TEST_F(AdminServiceTest, ReplayAndConflictByCallerReference) {
  const std::string first = call("POST", "/invalidations", batch("ref", {"/a", "/b"})).body;
  AdminResponse replay = call("POST", "/invalidations", batch("ref", {"/b", "/a"}));
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, first);
  EXPECT_EQ(cache_.calls(), 1);

  AdminResponse clash = call("POST", "/invalidations", batch("ref", {"/c"}));
  EXPECT_EQ(clash.status, 409);
  const Json e = parse(clash)["Error"];
  EXPECT_EQ(e["Code"], "InvalidationBatchAlreadyExists");
  EXPECT_EQ(e["Field"], "CallerReference");
  EXPECT_NE(e["Message"].get<std::string>().find("'ref' was already used"), std::string::npos);
  EXPECT_EQ(cache_.calls(), 1);
}

TEST_F(AdminServiceTest, ValidationErrorsAre400WithTheField) {
  AdminResponse r = call("POST", "/invalidations",
                         R"({"CallerReference": "r", "Paths": {"Quantity": 2, "Items": ["/a"]}})");
  EXPECT_EQ(r.status, 400);
  const Json e = parse(r)["Error"];
  EXPECT_EQ(e["Code"], "InconsistentQuantities");
  EXPECT_EQ(e["Field"], "Paths.Quantity");
  EXPECT_EQ(e["Message"], "Paths.Quantity: is 2 but Paths.Items has 1 path(s)");

  AdminResponse star = call("POST", "/invalidations", batch("r", {"/a/*/b"}));
  EXPECT_EQ(star.status, 400);
  EXPECT_EQ(parse(star)["Error"]["Field"], "Paths.Items[0]");

  AdminResponse empty = call("POST", "/invalidations", "");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(parse(empty)["Error"]["Code"], "MissingBody");
  EXPECT_EQ(cache_.calls(), 0);
}

TEST_F(AdminServiceTest, ListsNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(parse(call("POST", "/invalidations",
                             batch("r" + std::to_string(i), {"/x"})))["Invalidation"]["Id"]);
  }
  AdminResponse all = call("GET", "/invalidations");
  ASSERT_EQ(all.status, 200);
  const Json list = parse(all)["InvalidationList"];
  EXPECT_EQ(list["Quantity"], 3);
  EXPECT_EQ(list["MaxItems"], 100);
  EXPECT_EQ(list["IsTruncated"], false);
  ASSERT_EQ(list["Items"].size(), 3u);
  EXPECT_EQ(list["Items"][0]["Id"], ids[2]);
  EXPECT_EQ(list["Items"][2]["Id"], ids[0]);
  EXPECT_EQ(list["Items"][0]["Status"], "Completed");

  const Json two = parse(call("GET", "/invalidations?MaxItems=2"))["InvalidationList"];
  EXPECT_EQ(two["Quantity"], 2);
  EXPECT_EQ(two["IsTruncated"], true);
  EXPECT_EQ(call("GET", "/invalidations?MaxItems=0").status, 400);
  EXPECT_EQ(call("GET", "/invalidations?MaxItems=x").status, 400);
}

TEST_F(AdminServiceTest, UnknownInvalidationIs404) {
  AdminResponse r = call("GET", "/invalidations/INOPE");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(parse(r)["Error"]["Code"], "NoSuchInvalidation");
}

TEST_F(AdminServiceTest, ClockAdvance) {
  AdminResponse r = call("POST", "/clock/advance?seconds=600");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = parse(r);
  EXPECT_EQ(j["NowSeconds"], kWallMs / 1000 + 600);
  EXPECT_EQ(j["OffsetSeconds"], 600);
  EXPECT_EQ(j["Now"], "2026-01-01T00:10:00.000Z");
  EXPECT_EQ(clock_.nowSeconds(), kWallMs / 1000 + 600);
  EXPECT_EQ(parse(call("GET", "/clock"))["OffsetSeconds"], 600);

  for (const char* bad : {"/clock/advance", "/clock/advance?seconds=-5", "/clock/advance?seconds=",
                          "/clock/advance?seconds=1.5", "/clock/advance?seconds=99999999999"}) {
    AdminResponse b = call("POST", bad);
    EXPECT_EQ(b.status, 400) << bad;
    EXPECT_EQ(parse(b)["Error"]["Field"], "seconds") << bad;
  }
  EXPECT_EQ(clock_.offsetSeconds(), 600);
  EXPECT_EQ(call("GET", "/clock/advance?seconds=1").status, 405);
}

TEST_F(AdminServiceTest, ClockIs404WithoutTestClock) {
  config_.edge.test_clock = false;
  EXPECT_EQ(call("POST", "/clock/advance?seconds=600").status, 404);
  EXPECT_EQ(call("GET", "/clock").status, 404);
  EXPECT_EQ(clock_.offsetSeconds(), 0);
}

TEST_F(AdminServiceTest, WrongMethodAndUnknownPath) {
  AdminResponse m = call("DELETE", "/invalidations");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.headers.get("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(call("POST", "/healthz").status, 405);
  EXPECT_EQ(call("POST", "/invalidations/IABC").status, 405);
  EXPECT_EQ(call("GET", "/nope").status, 404);
  EXPECT_EQ(call("GET", "/index.html").status, 404);  // the page is at / only
  EXPECT_EQ(call("GET", "/invalidations/a/b").status, 404);
  EXPECT_EQ(call("GET", "/invalidations/").status, 404);
}

TEST_F(AdminServiceTest, CacheCountersInTheCachesOrder) {
  AdminResponse r = call("GET", "/cache");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"Cache":{"Objects":3,"Bytes":300}})");
  call("POST", "/invalidations", batch("c1", {"/images/*"}));
  EXPECT_EQ(parse(call("GET", "/cache"))["Cache"]["Objects"], 1);
  EXPECT_EQ(call("HEAD", "/cache").status, 200);
  EXPECT_EQ(call("POST", "/cache").status, 405);
}

TEST(AdminJson, CacheCountersWithoutACache) {
  EXPECT_EQ(cacheCountersJson({}), R"({"Cache":{}})");
}

TEST(AdminJson, IsoTime) {
  EXPECT_EQ(formatIsoTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatIsoTime(1767225600123), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(errorJson({400, "InvalidArgument", "", "whole body"}),
            R"({"Error":{"Code":"InvalidArgument","Message":"whole body"}})");
}

// --- AdminServer: the real listener on its own thread ----------------------------------------

struct Reply {
  long status = 0;
  std::string body;
  std::string headers;
};

size_t append(char* data, size_t size, size_t n, void* userp) {
  static_cast<std::string*>(userp)->append(data, size * n);
  return size * n;
}

// One easy handle reused across calls, so keep-alive is exercised.
class Client {
 public:
  explicit Client(uint16_t port)
      : base_("http://127.0.0.1:" + std::to_string(port)), easy_(curl_easy_init()) {}

  Reply call(const std::string& method, const std::string& target, const std::string* body) {
    Reply r;
    CURL* e = easy_.get();
    curl_easy_setopt(e, CURLOPT_URL, (base_ + target).c_str());
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);  // resets any earlier POST state
    if (body != nullptr) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    }
    curl_easy_setopt(e, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method == "HEAD" ? nullptr : method.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &append);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &r.headers);
    EXPECT_EQ(curl_easy_perform(e), CURLE_OK) << method << ' ' << target;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }
  long connects() {
    long n = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_NUM_CONNECTS, &n);
    return n;
  }

 private:
  std::string base_;
  origin::CurlEasyPtr easy_;
};

TEST(AdminServer, ServesOnItsOwnThreadAndShutsDown) {
  policies::Config config;
  config.edge.test_clock = true;
  auto fd = openListenSocket({"127.0.0.1", 0});
  ASSERT_TRUE(fd) << fd.error();
  const uint16_t port = boundPort(*fd);
  EdgeClock clock(&fixedWallMs);
  FakeCacheInvalidator cache({"/a.jpg", "/b.jpg"});
  AdminServer server(config, clock, cache, *fd);
  std::promise<void> up;
  server.start([&] { up.set_value(); });
  ASSERT_EQ(up.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);

  Client client(port);
  EXPECT_EQ(client.call("GET", "/readyz", nullptr).status, 503);
  server.setReady(true);
  Reply ready = client.call("GET", "/readyz", nullptr);
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready");

  const std::string body = batch("ref", {"/a.jpg"});
  Reply created = client.call("POST", "/invalidations", &body);
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_NE(created.headers.find("Location: /invalidations/I"), std::string::npos)
      << created.headers;
  EXPECT_NE(created.headers.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(cache.objects(), (std::vector<std::string>{"/b.jpg"}));

  Reply advanced = client.call("POST", "/clock/advance?seconds=30", nullptr);
  EXPECT_EQ(advanced.status, 200) << advanced.body;
  EXPECT_EQ(clock.offsetSeconds(), 30);

  Reply head = client.call("HEAD", "/healthz", nullptr);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  Reply health = client.call("GET", "/healthz", nullptr);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
  EXPECT_EQ(client.connects(), 0) << "the last request did not reuse the connection";

  server.shutdown(1000);
  server.join();
}

TEST(AdminServer, RefusesOversizedBodies) {
  policies::Config config;
  auto fd = openListenSocket({"127.0.0.1", 0});
  ASSERT_TRUE(fd) << fd.error();
  const uint16_t port = boundPort(*fd);
  EdgeClock clock;
  FakeCacheInvalidator cache;
  AdminServer server(config, clock, cache, *fd);
  std::promise<void> up;
  server.start([&] { up.set_value(); });
  ASSERT_EQ(up.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  Client client(port);
  const std::string huge(AdminService::kMaxBodyBytes + 1, ' ');
  Reply r = client.call("POST", "/invalidations", &huge);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(cache.calls(), 0);
  server.shutdown(1000);
  server.join();
}

}  // namespace
}  // namespace edge::engine
