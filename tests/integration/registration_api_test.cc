// The bundled registration API (edged-registration) end to end: a real process on 127.0.0.1
// with a real edged-s3 as the certificate target, then edged in front of it (the /api/*
// behaviour).
#include <csignal>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/harness.h"
#include "support/raw_client.h"
#include "support/registration_server.h"
#include "support/s3_server.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> kJson = {"Content-Type: application/json"};

std::string registrationBody(const std::string& name, const std::string& email, const std::string& session = "keynote",
                             const std::string& affiliation = "ACM") {
  return Json{{"name", name}, {"email", email}, {"affiliation", affiliation}, {"session", session}}.dump();
}

Json bodyJson(const HttpResponse& r) {
  Json j = Json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r;
  return j;
}

std::vector<std::string> errorFields(const HttpResponse& r) {
  std::vector<std::string> out;
  Json j = bodyJson(r);
  if (j.is_object() && j.contains("errors"))
    for (const auto& e : j["errors"]) out.push_back(e.value("field", ""));
  return out;
}

// Every answer of the API: JSON (except 204) and not stored by caches.
void expectApiHeaders(const HttpResponse& r) {
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store") << r;
  if (r.status != 204) {
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/json; charset=utf-8") << r;
  }
}

// An RSA-2048 private key PEM written by openssl.
void makePrivateKey(const std::string& pem) {
  CommandResult key = runCommand({"/usr/bin/openssl", "genrsa", "-out", pem, "2048"});
  if (key.status != 0) throw std::runtime_error("openssl genrsa failed: " + key.err);
}

class RegistrationApi : public ::testing::Test {
 protected:
  RegistrationServerOptions options() {
    RegistrationServerOptions o;
    o.s3_endpoint = "127.0.0.1:" + std::to_string(s3_.port());
    return o;
  }
  S3Server s3_;
  Http http_;
};

TEST_F(RegistrationApi, SessionsList) {
  RegistrationServer api(options());
  HttpResponse r = http_.get(api.url("/api/sessions"));
  ASSERT_EQ(r.status, 200) << r;
  expectApiHeaders(r);
  Json j = bodyJson(r);
  EXPECT_EQ(j["conference"], "EdgeConf Test");
  ASSERT_EQ(j["sessions"].size(), 3u);
  EXPECT_EQ(j["sessions"][0], (Json{{"id", "keynote"}, {"title", "Opening keynote"}}));
}

TEST_F(RegistrationApi, PostCreatesPendingThenGetByIdAndEmail) {
  RegistrationServer api(options());
  HttpResponse r = http_.post(api.url("/api/registrations"), kJson, registrationBody(" Ada Lovelace ", "Ada@Example.org"));
  ASSERT_EQ(r.status, 201) << r;
  expectApiHeaders(r);
  Json created = bodyJson(r);
  const std::string id = created.value("id", "");
  ASSERT_EQ(id.size(), 28u) << r.body;
  EXPECT_EQ(id.substr(0, 2), "r_");
  EXPECT_EQ(r.headers.get("Location").value_or(""), "/api/registrations/" + id);
  EXPECT_EQ(created["status"], "pending");
  EXPECT_EQ(created["name"], "Ada Lovelace");
  EXPECT_EQ(created["sessionTitle"], "Opening keynote");
  EXPECT_TRUE(created["issuedAt"].is_null());

  HttpResponse byId = http_.get(api.url("/api/registrations/" + id));
  ASSERT_EQ(byId.status, 200) << byId;
  expectApiHeaders(byId);
  EXPECT_EQ(bodyJson(byId)["id"], id);
  EXPECT_EQ(bodyJson(byId)["email"], "Ada@Example.org");

  HttpResponse byEmail = http_.get(api.url("/api/registrations?email=%20ada%40EXAMPLE.org"));
  ASSERT_EQ(byEmail.status, 200) << byEmail;
  Json list = bodyJson(byEmail)["registrations"];
  ASSERT_EQ(list.size(), 1u) << byEmail.body;
  EXPECT_EQ(list[0]["id"], id);

  HttpResponse none = http_.get(api.url("/api/registrations?email=nobody%40example.org"));
  ASSERT_EQ(none.status, 200) << none;
  EXPECT_EQ(bodyJson(none), (Json{{"registrations", Json::array()}}));

  HttpResponse noEmail = http_.get(api.url("/api/registrations"));
  EXPECT_EQ(noEmail.status, 400) << noEmail;
  EXPECT_EQ(errorFields(noEmail), std::vector<std::string>{"email"});
  HttpResponse badEmail = http_.get(api.url("/api/registrations?email=not-an-email"));
  EXPECT_EQ(badEmail.status, 400) << badEmail;
  EXPECT_EQ(errorFields(badEmail), std::vector<std::string>{"email"});

  HttpResponse unknown = http_.get(api.url("/api/registrations/r_aaaaaaaaaaaaaaaaaaaaaaaaaa"));
  EXPECT_EQ(unknown.status, 404) << unknown;
  expectApiHeaders(unknown);
  EXPECT_EQ(http_.get(api.url("/api/registrations/nonsense")).status, 404);
}

TEST_F(RegistrationApi, ValidationListsEveryBadField) {
  RegistrationServer api(options());
  HttpResponse r = http_.post(api.url("/api/registrations"), kJson,
                              R"({"name":"","email":"bad","session":"nope","affiliation":7,"admin":true})");
  ASSERT_EQ(r.status, 400) << r;
  expectApiHeaders(r);
  EXPECT_EQ(bodyJson(r)["message"], "Validation failed");
  EXPECT_EQ(errorFields(r), (std::vector<std::string>{"name", "email", "affiliation", "session", "admin"}));
  HttpResponse notObject = http_.post(api.url("/api/registrations"), kJson, "[1,2]");
  EXPECT_EQ(notObject.status, 400) << notObject;
  EXPECT_EQ(errorFields(notObject), std::vector<std::string>{"body"});
}

TEST_F(RegistrationApi, DuplicateEmailIsConflictWhateverTheCase) {
  RegistrationServer api(options());
  ASSERT_EQ(http_.post(api.url("/api/registrations"), kJson, registrationBody("Ann", "ann@example.org")).status, 201);
  HttpResponse dup = http_.post(api.url("/api/registrations"), kJson, registrationBody("Ann B", "  ANN@Example.ORG "));
  EXPECT_EQ(dup.status, 409) << dup;
  expectApiHeaders(dup);
  EXPECT_EQ(errorFields(dup), std::vector<std::string>{"email"});
  HttpResponse list = http_.get(api.url("/api/registrations?email=ann%40example.org"));
  EXPECT_EQ(bodyJson(list)["registrations"].size(), 1u);
}

TEST_F(RegistrationApi, ContentTypeSizeMethodsAndPaths) {
  RegistrationServer api(options());
  HttpResponse text = http_.post(api.url("/api/registrations"), {"Content-Type: text/plain"},
                                 registrationBody("A", "a@b.cd"));
  EXPECT_EQ(text.status, 415) << text;
  expectApiHeaders(text);
  HttpResponse big = http_.post(api.url("/api/registrations"), kJson,
                                registrationBody(std::string(17 * 1024, 'x'), "big@b.cd"));
  EXPECT_EQ(big.status, 413) << big;
  expectApiHeaders(big);
  Http fresh;  // the 413 closed that connection
  HttpResponse put = fresh.put(api.url("/api/registrations"), kJson, "{}");
  EXPECT_EQ(put.status, 405) << put;
  EXPECT_NE(put.headers.get("Allow").value_or("").find("POST"), std::string::npos) << put;
  HttpResponse del = fresh.request("DELETE", api.url("/api/sessions"), {}, nullptr);
  EXPECT_EQ(del.status, 405) << del;
  EXPECT_TRUE(del.headers.has("Allow")) << del;
  EXPECT_EQ(fresh.get(api.url("/api/nothing")).status, 404);
  EXPECT_EQ(fresh.get(api.url("/index.html")).status, 404);
}

TEST_F(RegistrationApi, CorsForListedOriginsOnly) {
  RegistrationServer api(options());
  HttpResponse pre = http_.request("OPTIONS", api.url("/api/registrations"),
                                   {"Origin: http://127.0.0.1:8080", "Access-Control-Request-Method: POST",
                                    "Access-Control-Request-Headers: content-type"},
                                   nullptr);
  ASSERT_EQ(pre.status, 204) << pre;
  EXPECT_EQ(pre.headers.get("Access-Control-Allow-Origin").value_or(""), "http://127.0.0.1:8080");
  EXPECT_EQ(pre.headers.get("Access-Control-Allow-Methods").value_or(""), "GET, POST, OPTIONS");
  EXPECT_EQ(pre.headers.get("Access-Control-Allow-Headers").value_or(""), "Content-Type");
  EXPECT_EQ(pre.headers.get("Access-Control-Max-Age").value_or(""), "600");
  EXPECT_NE(pre.headers.get("Vary").value_or("").find("Origin"), std::string::npos);
  expectApiHeaders(pre);

  HttpResponse other = http_.request("OPTIONS", api.url("/api/registrations"),
                                     {"Origin: http://evil.example", "Access-Control-Request-Method: POST"}, nullptr);
  ASSERT_EQ(other.status, 204) << other;
  EXPECT_FALSE(other.headers.has("Access-Control-Allow-Origin")) << other;
  EXPECT_FALSE(other.headers.has("Access-Control-Allow-Methods")) << other;

  HttpResponse get = http_.get(api.url("/api/sessions"), {"Origin: http://127.0.0.1:8080"});
  EXPECT_EQ(get.headers.get("Access-Control-Allow-Origin").value_or(""), "http://127.0.0.1:8080") << get;
  EXPECT_NE(get.headers.get("Vary").value_or("").find("Origin"), std::string::npos) << get;
  HttpResponse getOther = http_.get(api.url("/api/sessions"), {"Origin: http://evil.example"});
  EXPECT_FALSE(getOther.headers.has("Access-Control-Allow-Origin")) << getOther;
}

TEST_F(RegistrationApi, OriginVerifyHeaderRequiredWhenConfigured) {
  RegistrationServerOptions o = options();
  o.origin_verify = std::make_pair(std::string("X-Origin-Verify"), std::string("s3cr3t"));
  RegistrationServer api(o);
  HttpResponse missing = http_.get(api.url("/api/sessions"));
  EXPECT_EQ(missing.status, 403) << missing;
  expectApiHeaders(missing);
  HttpResponse wrong = http_.get(api.url("/api/sessions"), {"X-Origin-Verify: nope"});
  EXPECT_EQ(wrong.status, 403) << wrong;
  HttpResponse post = http_.post(api.url("/api/registrations"), kJson, registrationBody("A", "a@b.cd"));
  EXPECT_EQ(post.status, 403) << post;
  HttpResponse right = http_.get(api.url("/api/sessions"), {"X-Origin-Verify: s3cr3t"});
  EXPECT_EQ(right.status, 200) << right;
}

TEST_F(RegistrationApi, CommittedBeforeTheCreatedAnswer) {
  RegistrationServer api(options());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = http_.post(api.url("/api/registrations"), kJson,
                                registrationBody("Kill " + std::to_string(i), "kill" + std::to_string(i) + "@b.cd"));
    ASSERT_EQ(r.status, 201) << r;
    api.kill();  // SIGKILL the instant the 201 is in
    ids.push_back(bodyJson(r)["id"]);
    api.restart();
  }
  Http fresh;
  for (const auto& id : ids) {
    HttpResponse g = fresh.get(api.url("/api/registrations/" + id));
    EXPECT_EQ(g.status, 200) << g;
  }
}

TEST_F(RegistrationApi, CertificateIssuedThenSignedCookies) {
  TempDir keys;
  const std::string pem = keys.file("private.pem");
  makePrivateKey(pem);
  RegistrationServerOptions o = options();
  o.cookie_key_file = pem;
  o.cookie_key_pair_id = "K2EDGEDTESTKEY";
  RegistrationServer api(o);
  HttpResponse r = http_.post(api.url("/api/registrations"), kJson, registrationBody("Grace Hopper", "grace@navy.mil"));
  ASSERT_EQ(r.status, 201) << r;
  const std::string id = bodyJson(r)["id"];
  // Pending: no cookies.
  HttpResponse pending = http_.get(api.url("/api/registrations/" + id));
  ASSERT_EQ(pending.status, 200);
  if (bodyJson(pending)["status"] == "pending") {
    EXPECT_FALSE(pending.headers.has("Set-Cookie")) << pending;
  }

  HttpResponse issued;
  const bool done = waitUntil(
      [&] {
        issued = http_.get(api.url("/api/registrations/" + id));
        return issued.status == 200 && bodyJson(issued)["status"] == "issued";
      },
      Ms(15000), Ms(100));
  ASSERT_TRUE(done) << issued << "\n" << api.stderrText();
  Json j = bodyJson(issued);
  EXPECT_EQ(j["certificateUrl"], "/certificates/" + id + ".svg");
  EXPECT_TRUE(j["issuedAt"].is_string());

  std::map<std::string, std::string> cookies;
  for (const auto& c : issued.headers.all("Set-Cookie")) {
    const size_t eq = c.find('=');
    ASSERT_NE(eq, std::string::npos) << c;
    cookies[c.substr(0, eq)] = c;
    EXPECT_NE(c.find("; Path=/certificates/"), std::string::npos) << c;
    EXPECT_NE(c.find("; HttpOnly"), std::string::npos) << c;
    EXPECT_NE(c.find("; SameSite=Lax"), std::string::npos) << c;
    EXPECT_EQ(c.find("Domain="), std::string::npos) << c;
  }
  ASSERT_EQ(cookies.size(), 3u) << issued;
  EXPECT_TRUE(cookies.count("CloudFront-Policy"));
  EXPECT_TRUE(cookies.count("CloudFront-Signature"));
  ASSERT_TRUE(cookies.count("CloudFront-Key-Pair-Id"));
  EXPECT_EQ(cookies["CloudFront-Key-Pair-Id"].rfind("CloudFront-Key-Pair-Id=K2EDGEDTESTKEY;", 0), 0u);
  // Asked again within the reuse window (a tenth of TtlSeconds, at most 60 s): the same cookies,
  // not a fresh RSA signature.
  HttpResponse again = http_.get(api.url("/api/registrations/" + id));
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.headers.all("Set-Cookie"), issued.headers.all("Set-Cookie"));

  // The certificate is in the bucket under KeyPrefix + id + ".svg".
  const std::string key = "/site/certificates/" + id + ".svg";
  HttpResponse object = http_.get(s3_.url(key), s3_.signedHeaders("GET", key, "", ""));
  ASSERT_EQ(object.status, 200) << object;
  EXPECT_NE(object.body.find("Grace Hopper"), std::string::npos);
  EXPECT_EQ(object.headers.get("Content-Type").value_or(""), "image/svg+xml");
}

// engine/server/serve_loop.h: the first SIGTERM drains (an unfinished request keeps the
// process up), a second one closes what is left, and the process still exits 0 (the demo's
// Ctrl-C reaches the programs from the terminal and then again from the script's cleanup).
TEST_F(RegistrationApi, SecondSignalEndsTheDrainAndStillExitsCleanly) {
  RegistrationServer api(options());
  RawClient slow(api.port());
  ASSERT_TRUE(slow.send("POST /api/registrations HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
                        "Content-Length: 100\r\n\r\n{\"name\":"));
  std::this_thread::sleep_for(Ms(200));  // the head is parsed and the exchange is in flight
  ASSERT_EQ(::kill(api.pid(), SIGTERM), 0);
  std::this_thread::sleep_for(Ms(700));
  EXPECT_TRUE(api.running()) << "the unfinished request is waited for\n" << api.stderrText();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(api.stop(SIGTERM, Ms(5000)), 0) << api.stderrText();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, Ms(5000));
  // The viewer's connection was closed without an answer.
  EXPECT_TRUE(slow.readUntilClosed(Ms(2000)).closed);
}

TEST_F(RegistrationApi, BadCookieKeyFileIsAStartupError) {
  TempDir dir;
  RegistrationServerOptions o = options();
  o.cookie_key_file = dir.file("missing.pem");
  EXPECT_THROW(RegistrationServer{o}, std::runtime_error);
  writeFile(dir.file("garbage.pem"), "not a key");
  o.cookie_key_file = dir.file("garbage.pem");
  try {
    RegistrationServer api(o);
    ADD_FAILURE() << "started with a garbage key";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("status 2"), std::string::npos) << what;
    EXPECT_NE(what.find("garbage.pem"), std::string::npos) << what;
  }
}

// edged in front: /api/* goes to the API with CachingDisabled and AllViewerExceptHost (which
// forwards Content-Type, Origin and the query string the API needs).
TEST_F(RegistrationApi, ThroughTheEdge) {
  RegistrationServer api(options());
  TestOrigin origin;
  Json cfg = baseConfig();
  addOrigin(cfg, makeOrigin("api", "api.test"), api.address());
  Json behavior = makeBehavior("/api/*", "api", kOrpAllViewerExceptHost);
  behavior["CachePolicyId"] = kCachingDisabled;
  addBehavior(cfg, behavior);
  Edged edged(cfg, origin.port());

  HttpResponse post = http_.post(edged.url("/api/registrations"), {"Content-Type: application/json",
                                                                    "Origin: http://127.0.0.1:8080"},
                                 registrationBody("Edge User", "edge@example.org"));
  ASSERT_EQ(post.status, 201) << post;
  EXPECT_EQ(post.headers.get("X-Cache").value_or(""), "Miss from cloudfront") << post;
  EXPECT_EQ(post.headers.get("Access-Control-Allow-Origin").value_or(""), "http://127.0.0.1:8080") << post;
  const std::string id = bodyJson(post)["id"];
  ASSERT_FALSE(id.empty());

  HttpResponse get = http_.get(edged.url("/api/registrations/" + id));
  ASSERT_EQ(get.status, 200) << get;
  EXPECT_EQ(get.headers.get("X-Cache").value_or(""), "Miss from cloudfront") << get;
  EXPECT_EQ(bodyJson(get)["name"], "Edge User");

  HttpResponse byEmail = http_.get(edged.url("/api/registrations?email=EDGE%40example.org"));
  ASSERT_EQ(byEmail.status, 200) << byEmail;
  EXPECT_EQ(bodyJson(byEmail)["registrations"].size(), 1u) << byEmail.body;
  EXPECT_EQ(byEmail.headers.get("X-Cache").value_or(""), "Miss from cloudfront") << byEmail;
}

}  // namespace
}  // namespace edge::itest
