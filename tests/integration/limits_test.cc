// Request size limits (§1.1 step 1, §7.4, §14): 413 for a request head over 20,480 bytes, a URL
// over 8,192 bytes (both then close), too many headers, and a body over MaxRequestBodyBytes.
#include <gtest/gtest.h>

#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

nlohmann::json limitsConfig() {
  auto cfg = baseConfig();
  cfg["Edge"]["MaxRequestBodyBytes"] = 1024;
  cfg["Edge"]["MaxHeaderCount"] = 20;
  return cfg;
}

class Limits : public ::testing::Test {
 protected:
  void SetUp() override { origin_.resetStats(); }

  // One request on a fresh connection; returns the first response (status 0 if none).
  RawResponse exchange(const std::string& request, bool* closed) {
    ReadResult rr = rawExchange(edged_.port(), request, Ms(5000));
    *closed = rr.closed;
    auto responses = parseResponses(rr.data, rr.closed);
    if (responses.empty()) {
      ADD_FAILURE() << "no response; got '" << rr.data.substr(0, 300) << "' (closed=" << rr.closed
                    << " reset=" << rr.reset << ")";
      return {};
    }
    return responses[0];
  }

  TestOrigin origin_;
  Edged edged_{limitsConfig(), origin_.port()};
};

TEST_F(Limits, HeaderBlockOver20KiBGets413AndClose) {
  std::string request =
      "GET /size/1 HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(21000, 'a') + "\r\n\r\n";
  bool closed = false;
  RawResponse r = exchange(request, &closed);
  EXPECT_EQ(r.status, 413) << r;
  EXPECT_TRUE(closed);
  EXPECT_EQ(origin_.stats().requests, 0u);
}

TEST_F(Limits, ManyHeadersSummingOver20KiBGet413) {
  std::string request = "GET /size/1 HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 15; ++i)
    request += "X-H" + std::to_string(i) + ": " + std::string(1500, 'b') + "\r\n";
  request += "\r\n";
  bool closed = false;
  RawResponse r = exchange(request, &closed);
  EXPECT_EQ(r.status, 413) << r;
  EXPECT_TRUE(closed);
}

TEST_F(Limits, HeaderBlockUnderLimitIsServed) {
  std::string request =
      "GET /size/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + std::string(18000, 'a') +
      "\r\n\r\n";
  bool closed = false;
  RawResponse r = exchange(request, &closed);
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, "a");
}

TEST_F(Limits, UrlOver8KiBGets413AndClose) {
  std::string request = "GET /size/1?" + std::string(8300, 'q') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  bool closed = false;
  RawResponse r = exchange(request, &closed);
  EXPECT_EQ(r.status, 413) << r;
  EXPECT_TRUE(closed);
  EXPECT_EQ(origin_.stats().requests, 0u);
}

TEST_F(Limits, UrlUnderLimitIsServed) {
  std::string request =
      "GET /echo/u?" + std::string(7000, 'q') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  bool closed = false;
  RawResponse r = exchange(request, &closed);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(parseEcho(r.body).target, "/echo/u?" + std::string(7000, 'q'));
}

TEST_F(Limits, TooManyHeadersGet413) {
  std::string request = "GET /size/1 HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 30; ++i) request += "X-N" + std::to_string(i) + ": v\r\n";
  request += "\r\n";
  bool closed = false;
  RawResponse r = exchange(request, &closed);
  EXPECT_EQ(r.status, 413) << r;
  EXPECT_EQ(origin_.stats().requests, 0u);
}

TEST_F(Limits, ContentLengthBodyOverLimitGets413WithoutOriginContact) {
  std::string request =
      "POST /echo/b HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'z');
  bool closed = false;
  RawResponse r = exchange(request, &closed);
  EXPECT_EQ(r.status, 413) << r;
  std::this_thread::sleep_for(Ms(200));
  EXPECT_EQ(origin_.stats().requests, 0u) << origin_.stats();
}

TEST_F(Limits, ChunkedBodyOverLimitGets413) {
  std::string request = "POST /echo/b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(512, 'z') + "\r\n";  // 2048 bytes
  request += "0\r\n\r\n";
  bool closed = false;
  RawResponse r = exchange(request, &closed);
  EXPECT_EQ(r.status, 413) << r;
}

TEST_F(Limits, BodyAtLimitIsForwarded) {
  Http http;
  std::string body(1024, 'k');
  HttpResponse r = http.post(edged_.url("/echo/b"), {}, body);
  ASSERT_EQ(r.status, 200) << r;
  EchoInfo e = parseEcho(r.body);
  EXPECT_EQ(e.body_length, 1024u) << e;
  EXPECT_EQ(e.body_sha256, sha256Hex(body));
}

}  // namespace
}  // namespace edge::itest
