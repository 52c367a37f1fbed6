// Process lifecycle: the ready file, graceful shutdown on SIGTERM (in-flight requests finish,
// the listener closes at once, idle connections do not hold the process), the shutdown grace
// bound, and SIGTERM with several workers.
#include <gtest/gtest.h>

#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

TEST(Lifecycle, ReadyFileNamesTheListenAddress) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  auto lines = edged.readyLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "127.0.0.1:" + std::to_string(edged.port()));
  EXPECT_FALSE(connectRefused(edged.port()));
}

TEST(Lifecycle, SigtermLetsInFlightRequestFinish) {
  TestOrigin origin;
  Edged edged(baseConfig(), origin.port());
  HttpResponse slow;
  std::thread client([&] {
    Http http;
    slow = http.get(edged.url("/slow?first_byte_ms=1500&gap_ms=100&chunks=5&chunk_size=1000"), {},
                    RequestOptions{Ms(15000)});
  });
  auto t0 = Clock::now();
  // The request is in flight once the origin has it.
  bool at_origin = waitUntil([&] { return origin.stats().path("/slow") == 1; }, Ms(2000));
  EXPECT_TRUE(at_origin);
  std::this_thread::sleep_for(Ms(300) - (Clock::now() - t0));
  edged.signal(SIGTERM);
  auto t_term = Clock::now();
  // New connections are refused promptly once shutdown began.
  EXPECT_TRUE(waitUntil([&] { return connectRefused(edged.port(), Ms(200)); }, Ms(1000)))
      << "edged still accepts connections after SIGTERM";
  client.join();
  EXPECT_TRUE(slow.ok()) << slow;
  EXPECT_EQ(slow.status, 200) << slow;
  EXPECT_EQ(slow.body, patternBody(5000));
  auto status = edged.waitExit(Ms(15000));
  ASSERT_TRUE(status.has_value()) << "edged did not exit after the in-flight request finished";
  EXPECT_EQ(*status, 0);
  EXPECT_LT(elapsedMs(t_term), 5000) << "exit waited for the shutdown grace instead of the request";
}

TEST(Lifecycle, IdleKeepAliveConnectionsDoNotDelayShutdown) {
  TestOrigin origin;
  auto cfg = baseConfig();
  cfg["Edge"]["IdleTimeoutMs"] = 60000;
  cfg["Edge"]["ShutdownGraceMs"] = 5000;
  Edged edged(cfg, origin.port());
  RawClient idle(edged.port());
  ASSERT_TRUE(idle.send("GET /size/1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(parseResponses(idle.readResponses(1, Ms(3000)).data).size(), 1u);
  auto t0 = Clock::now();
  edged.signal(SIGTERM);
  ReadResult rr = idle.readUntilClosed(Ms(4000));
  EXPECT_TRUE(rr.closed) << "idle keep-alive connection not closed on shutdown";
  auto status = edged.waitExit(Ms(4000));
  ASSERT_TRUE(status.has_value()) << "edged still running " << elapsedMs(t0) << " ms after SIGTERM";
  EXPECT_EQ(*status, 0);
  EXPECT_LT(elapsedMs(t0), 3000);
}

TEST(Lifecycle, ShutdownGraceBoundsExit) {
  TestOrigin origin;
  auto cfg = baseConfig();
  cfg["Edge"]["ShutdownGraceMs"] = 1000;
  Edged edged(cfg, origin.port());
  HttpResponse hung;
  std::thread client([&] {
    Http http;
    hung = http.get(edged.url("/hang"), {}, RequestOptions{Ms(10000)});
  });
  EXPECT_TRUE(waitUntil([&] { return origin.stats().path("/hang") == 1; }, Ms(2000)));
  auto t0 = Clock::now();
  edged.signal(SIGTERM);
  auto status = edged.waitExit(Ms(5000));
  int64_t took = elapsedMs(t0);
  client.join();
  ASSERT_TRUE(status.has_value()) << "edged ignored ShutdownGraceMs 1000";
  EXPECT_GE(took, 800) << "in-flight request not given its grace";
  EXPECT_LE(took, 3500);
  EXPECT_FALSE(hung.ok() && hung.status == 200) << hung;
}

TEST(Lifecycle, SigtermWithTwoWorkersExitsCleanly) {
  TestOrigin origin;
  EdgedOptions opts;
  opts.workers = 2;
  Edged edged(baseConfig(), origin.port(), opts);
  Http http;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(http.get(edged.url("/size/1")).status, 200);
  auto t0 = Clock::now();
  EXPECT_EQ(edged.stop(SIGTERM, Ms(5000)), 0);
  EXPECT_LT(elapsedMs(t0), 3000);
}

}  // namespace
}  // namespace edge::itest
