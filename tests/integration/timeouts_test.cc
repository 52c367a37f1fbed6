// Viewer-side timeouts: slowloris request heads (HeaderTimeoutMs bounds the whole head), idle
// keep-alive connections (IdleTimeoutMs), stalled request bodies (BodyTimeoutMs) and viewers that
// stop reading their response (SendTimeoutMs).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

nlohmann::json timeoutsConfig() {
  auto cfg = baseConfig();
  cfg["Edge"]["HeaderTimeoutMs"] = 1000;
  cfg["Edge"]["IdleTimeoutMs"] = 1000;
  cfg["Edge"]["BodyTimeoutMs"] = 1000;
  cfg["Edge"]["SendTimeoutMs"] = 1000;
  return cfg;
}

// If edged answered before closing, the answer must be 408.
void expectNothingOr408(const std::string& data) {
  if (data.empty()) return;
  auto outcome = parseResponse(data, false, true);
  ASSERT_EQ(outcome.status, ParseStatus::Complete) << data;
  EXPECT_EQ(outcome.response.status, 408) << outcome.response;
}

class ViewerTimeouts : public ::testing::Test {
 protected:
  TestOrigin origin_;
  Edged edged_{timeoutsConfig(), origin_.port()};
};

TEST_F(ViewerTimeouts, IncompleteHeadIsClosedAfterHeaderTimeout) {
  RawClient slow(edged_.port());
  auto t0 = Clock::now();
  ASSERT_TRUE(slow.send("GET / HTTP/1.1\r\nHost: x\r\n"));
  // Meanwhile another viewer is served.
  Http http;
  HttpResponse r = http.get(edged_.url("/size/8"), {}, RequestOptions{Ms(3000)});
  EXPECT_EQ(r.status, 200) << r;
  ReadResult rr = slow.readUntilClosed(Ms(4000));
  int64_t took = elapsedMs(t0);
  EXPECT_TRUE(rr.closed) << "slowloris connection still open after " << took << " ms";
  EXPECT_GE(took, 800) << "closed before HeaderTimeoutMs";
  EXPECT_LE(took, 3000);
  expectNothingOr408(rr.data);
}

TEST_F(ViewerTimeouts, DripFedHeadIsClosedAfterHeaderTimeout) {
  // One byte every 100 ms: each read makes progress, but the whole head never completes.
  RawClient slow(edged_.port());
  const std::string head = "GET /size/1 HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(200, 'p');
  auto t0 = Clock::now();
  bool closed = false;
  std::string received;
  for (size_t i = 0; i < head.size() && elapsedMs(t0) < 5000; ++i) {
    if (!slow.send(head.substr(i, 1), Ms(1000))) {
      closed = true;
      break;
    }
    ReadResult rr = slow.readSome(4096, Ms(100));
    received += rr.data;
    if (rr.closed) {
      closed = true;
      break;
    }
  }
  if (!closed) {
    ReadResult rr = slow.readUntilClosed(Ms(1000));
    received += rr.data;
    closed = rr.closed;
  }
  int64_t took = elapsedMs(t0);
  EXPECT_TRUE(closed) << "drip-fed head not cut off after " << took << " ms";
  EXPECT_LE(took, 3500);
  expectNothingOr408(received);
}

TEST_F(ViewerTimeouts, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  RawClient c(edged_.port());
  ASSERT_TRUE(c.send("GET /size/3 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult first = c.readResponses(1, Ms(3000));
  ASSERT_EQ(parseResponses(first.data).size(), 1u) << first.data;
  // Still usable well within the idle timeout.
  std::this_thread::sleep_for(Ms(300));
  ASSERT_TRUE(c.send("GET /size/4 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult second = c.readResponses(1, Ms(3000));
  auto responses = parseResponses(second.data);
  ASSERT_EQ(responses.size(), 1u) << second.data;
  EXPECT_EQ(responses[0].body, "abcd");
  // Then idle: closed after ~IdleTimeoutMs.
  auto t0 = Clock::now();
  ReadResult rr = c.readUntilClosed(Ms(4000));
  int64_t took = elapsedMs(t0);
  EXPECT_TRUE(rr.closed) << "idle connection still open after " << took << " ms";
  EXPECT_GE(took, 700);
  EXPECT_LE(took, 3000);
  EXPECT_TRUE(rr.data.empty()) << "unexpected bytes on an idle connection: " << rr.data;
}

TEST_F(ViewerTimeouts, ViewerThatStopsReadingIsClosedAfterSendTimeout) {
  // 200 MB streamed through (CachingDisabled); the viewer reads nothing for 4 s. Edged's writes
  // stall, and after SendTimeoutMs it gives the viewer up: what arrives afterwards is what sat
  // in the socket buffers, then the close, far short of the body.
  constexpr size_t kBody = 200u << 20;
  RawClient c(edged_.port());
  ASSERT_TRUE(c.send("GET /big/" + std::to_string(kBody) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(Ms(4000));
  size_t got = 0;
  bool closed = false;
  const auto deadline = Clock::now() + Ms(5000);
  while (!closed && Clock::now() < deadline) {
    ReadResult rr = c.readSome(1 << 20, Ms(1000));
    got += rr.data.size();
    closed = rr.closed;
  }
  EXPECT_TRUE(closed) << "stalled viewer still connected after " << got << " bytes";
  EXPECT_LT(got, kBody / 2) << "the whole body was buffered for a viewer that did not read";
  // Others are served.
  Http http;
  EXPECT_EQ(http.get(edged_.url("/size/5"), {}, RequestOptions{Ms(3000)}).status, 200);
}

TEST_F(ViewerTimeouts, StalledRequestBodyIsClosedAfterBodyTimeout) {
  RawClient c(edged_.port());
  auto t0 = Clock::now();
  ASSERT_TRUE(
      c.send("POST /echo/body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"));
  ReadResult rr = c.readUntilClosed(Ms(5000));
  int64_t took = elapsedMs(t0);
  EXPECT_TRUE(rr.closed) << "stalled upload still open after " << took << " ms";
  EXPECT_LE(took, 3500);
  auto outcome = parseResponse(rr.data, false, true);
  if (outcome.status == ParseStatus::Complete) {
    EXPECT_TRUE(outcome.response.status == 408 || outcome.response.status >= 500)
        << outcome.response;
    EXPECT_NE(outcome.response.status, 200) << outcome.response;
  }
}

TEST_F(ViewerTimeouts, ManySlowlorisConnectionsDoNotBlockService) {
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<RawClient>(edged_.port()));
    ASSERT_TRUE(slow.back()->send("GET / HTTP/1.1\r\nHost: x\r\n"));
  }
  Http http;
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = http.get(edged_.url("/size/2"), {}, RequestOptions{Ms(3000)});
    EXPECT_EQ(r.status, 200) << r;
  }
  // All of them are cut off by the header timeout (one shared deadline keeps this bounded).
  auto deadline = Clock::now() + Ms(4000);
  size_t still_open = 0;
  for (auto& c : slow) {
    auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    if (!c->readUntilClosed(std::max(left, Ms(0))).closed) ++still_open;
  }
  EXPECT_EQ(still_open, 0u) << still_open << " of 50 slowloris connections still open";
}

}  // namespace
}  // namespace edge::itest
