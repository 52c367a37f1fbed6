// Viewer connection handling: keep-alive, pipelining, HTTP/1.0, Connection: close, origin
// connection reuse (§1.8) and several workers.
#include <gtest/gtest.h>

#include <mutex>
#include <sstream>
#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

TEST(ViewerConnection, KeepAliveReusesViewerAndOriginConnections) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  origin.resetStats();
  Http http;
  long connects = 0;
  for (int i = 0; i < 20; ++i) {
    HttpResponse r = http.get(edged.url("/size/" + std::to_string(100 + i)));
    ASSERT_TRUE(r.ok()) << "request " << i << ": " << r;
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r;
    ASSERT_EQ(r.body, patternBody(100 + i));
    connects += r.connects;
  }
  EXPECT_EQ(connects, 1) << "the viewer connection was not kept alive";
  OriginStats s = origin.stats();
  EXPECT_EQ(s.requests, 20u) << s;
  EXPECT_LE(s.connections, 2u) << "edged did not reuse origin connections: " << s;
}

TEST(ViewerConnection, PipelinedRequestsAnsweredInOrder) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  RawClient c(edged.port());
  ASSERT_TRUE(
      c.send("GET /size/10 HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /echo/p2 HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /size/30 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readResponses(3, Ms(5000));
  auto responses = parseResponses(rr.data);
  ASSERT_EQ(responses.size(), 3u) << rr.data;
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, patternBody(10));
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(parseEcho(responses[1].body).request_line, "GET /echo/p2 HTTP/1.1") << responses[1];
  EXPECT_EQ(responses[2].status, 200);
  EXPECT_EQ(responses[2].body, patternBody(30));
  EXPECT_FALSE(rr.closed) << "a keep-alive connection was closed after pipelined requests";
}

TEST(ViewerConnection, PipelinedRequestsSurviveSlowFirstResponse) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  RawClient c(edged.port());
  // The first response is slow; the second must still come second.
  ASSERT_TRUE(c.send(
      "GET /slow?first_byte_ms=400&chunks=2&chunk_size=5&gap_ms=50 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /size/3 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readResponses(2, Ms(5000));
  auto responses = parseResponses(rr.data);
  ASSERT_EQ(responses.size(), 2u) << rr.data;
  EXPECT_EQ(responses[0].body, patternBody(10));
  EXPECT_EQ(responses[1].body, "abc");
}

TEST(ViewerConnection, Http10WithoutKeepAliveIsClosedAfterResponse) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  RawClient c(edged.port());
  ASSERT_TRUE(c.send("GET /size/5 HTTP/1.0\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readUntilClosed(Ms(5000));
  EXPECT_TRUE(rr.closed) << "HTTP/1.0 connection left open: " << rr.data;
  auto responses = parseResponses(rr.data, /*at_eof=*/true);
  ASSERT_EQ(responses.size(), 1u) << rr.data;
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "abcde");
  EXPECT_FALSE(responses[0].chunked) << "chunked framing sent to an HTTP/1.0 client";
}

TEST(ViewerConnection, ConnectionCloseIsHonoured) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  RawClient c(edged.port());
  ASSERT_TRUE(c.send("GET /size/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ReadResult rr = c.readUntilClosed(Ms(5000));
  EXPECT_TRUE(rr.closed) << rr.data;
  auto responses = parseResponses(rr.data, true);
  ASSERT_EQ(responses.size(), 1u) << rr.data;
  EXPECT_EQ(responses[0].body, "abcdefg");
}

TEST(ViewerConnection, KeepAliveSurvivesOriginConnectionClose) {
  // test_origin closes after Connection: close responses; edged must open a new origin
  // connection for the next request instead of failing it.
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  Http http;
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = http.get(edged.url("/status/200"));
    ASSERT_EQ(r.status, 200) << r;
    HttpResponse reset = http.get(edged.url("/reset"));
    ASSERT_TRUE(reset.ok()) << reset;
    EXPECT_EQ(reset.status, 502) << reset;
  }
}

TEST(Workers, FiftyRequestsOverSeveralConnectionsWithTwoWorkers) {
  TestOrigin origin;
  EdgedOptions opts;
  opts.workers = 2;
  Edged edged(baseConfig(), origin.port(), opts);
  origin.resetStats();
  std::mutex mu;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < 5; ++t) {
    threads.emplace_back([&, t] {
      Http http;
      for (int i = 0; i < 10; ++i) {
        std::string target = "/echo/w/" + std::to_string(t) + "/" + std::to_string(i);
        HttpResponse r = http.get(edged.url(target), {}, RequestOptions{Ms(10000)});
        EchoInfo e = parseEcho(r.body);
        if (!r.ok() || r.status != 200 || e.target != target) {
          std::ostringstream os;
          os << target << ": " << r;
          std::lock_guard<std::mutex> lock(mu);
          failures.push_back(os.str());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(failures.empty()) << failures.size()
                                << " failed; first: " << (failures.empty() ? "" : failures.front());
  EXPECT_EQ(origin.stats().requests, 50u);
  EXPECT_TRUE(edged.running());
}

}  // namespace
}  // namespace edge::itest
