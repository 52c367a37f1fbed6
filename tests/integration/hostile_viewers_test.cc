// Hostile viewers (issue 8 item 3): each attack runs against edged while a well-behaved client
// keeps fetching; the test asserts the functional outcome: the service continues, the attacker is
// closed or held back, and edged's RSS stays under a stated ceiling. Latency under attack is
// measured by bench/hostile/ (timing does not belong in a unit test on a shared machine).
// The request-smuggling corpus is in smuggling_test.cc.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

// Caching default behaviour (TTL 60 s, path + query in the key). Memory tests shrink ASan's
// quarantine (sanitizer builds would count freed blocks as RSS, as in streaming_test.cc).
Json hostileConfig() {
  return cachingConfig();
}

EdgedOptions memoryOptions() {
  EdgedOptions opts;
  opts.env.push_back(asanOptionsWith("quarantine_size_mb=16"));
  return opts;
}

// The well-behaved client: `n` GETs of `path`, each must be a complete 200.
void expectServed(Edged& edged, const std::string& path, int n, size_t body_size) {
  Http http;
  for (int i = 0; i < n; ++i) {
    HttpResponse r = http.get(edged.url(path), {}, RequestOptions{Ms(5000)});
    ASSERT_EQ(r.status, 200) << "well-behaved request " << i << ": " << r;
    ASSERT_EQ(r.body.size(), body_size) << i;
  }
}

long peakRssKb(Edged& edged) {
  MemInfo m = treeMemInfo(edged.pid());
  EXPECT_GT(m.hwm_kb, 0) << "cannot read /proc/" << edged.pid() << "/status";
  return m.hwm_kb;
}

// True once recv() on `fd` reports EOF or an error (the peer closed); data is discarded.
bool peerClosed(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n > 0) continue;
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
}

// Waits until every fd in `fds` saw its peer close, or the deadline; returns how many did not.
size_t waitAllClosed(const std::vector<int>& fds, Ms timeout) {
  std::vector<bool> closed(fds.size(), false);
  size_t open = fds.size();
  const auto deadline = Clock::now() + timeout;
  while (open > 0 && Clock::now() < deadline) {
    std::vector<pollfd> pfds;
    std::vector<size_t> idx;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!closed[i]) {
        pfds.push_back({fds[i], POLLIN, 0});
        idx.push_back(i);
      }
    }
    if (::poll(pfds.data(), pfds.size(), 100) < 0 && errno != EINTR) break;
    for (size_t k = 0; k < pfds.size(); ++k) {
      if (pfds[k].revents != 0 && peerClosed(pfds[k].fd)) {
        closed[idx[k]] = true;
        --open;
      }
    }
  }
  return open;
}

// Slowloris: 300 connections drip a request head one byte every 200 ms. HeaderTimeoutMs (2 s)
// cuts every one of them off (408 or a plain close) while others are served.
TEST(HostileViewers, SlowlorisHeaderDripIsCutOffWhileServiceContinues) {
  TestOrigin origin;
  Json cfg = hostileConfig();
  cfg["Edge"]["HeaderTimeoutMs"] = 2000;
  Edged edged(cfg, origin.port(), memoryOptions());
  expectServed(edged, "/size/4096?w", 1, 4096);

  const std::string head = "GET /size/4096?w HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  std::vector<std::unique_ptr<RawClient>> drip;
  for (int i = 0; i < 300; ++i) drip.push_back(std::make_unique<RawClient>(edged.port()));
  // Drip for 3 s (past the header timeout), serving the well-behaved client between drips.
  size_t sent = 0;
  const auto until = Clock::now() + Ms(3000);
  while (Clock::now() < until) {
    const char byte = sent < head.size() ? head[sent] : 'a';
    for (auto& c : drip) c->send(std::string_view(&byte, 1), Ms(50));
    ++sent;
    expectServed(edged, "/size/4096?w", 2, 4096);
    std::this_thread::sleep_for(Ms(200));
  }
  std::vector<int> fds;
  for (auto& c : drip) fds.push_back(c->fd());
  EXPECT_EQ(waitAllClosed(fds, Ms(3000)), 0u) << "slowloris connections still open";
  expectServed(edged, "/size/4096?w", 5, 4096);
  const long peak = peakRssKb(edged);
  EXPECT_LT(peak, 150 * 1024) << "edged peak RSS " << peak << " kB";
  EXPECT_TRUE(edged.running());
}

// Slow readers of large objects: 20 viewers ask for a cached 12 MiB object and 8 for distinct
// 256 MiB objects too large to cache (streamed through), and read nothing. Cached bodies are
// shared (no per-connection copy) and the streamed fills pause their origin when nobody reads,
// so RSS stays near one object, not object size x connections (20 x 12 MiB + 8 x 256 MiB).
// (12 MiB: a stored object must fit one cache shard, CacheMemoryBytes / 16.)
TEST(HostileViewers, SlowReadersOfLargeObjectsDoNotGrowMemory) {
  TestOrigin origin;
  Json cfg = hostileConfig();
  cfg["Edge"]["MaxCacheObjectBytes"] = 16 << 20;
  Edged edged(cfg, origin.port(), memoryOptions());
  const size_t kCached = 12u << 20;
  const std::string cached_path = "/size/" + std::to_string(kCached);
  expectServed(edged, cached_path, 1, kCached);
  {
    Http http;
    HttpResponse r = http.get(edged.url(cached_path), {}, RequestOptions{Ms(5000)});
    ASSERT_EQ(r.headers.get("X-Cache").value_or(""), "Hit from cloudfront") << r;
  }

  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<RawClient>(edged.port()));
    ASSERT_TRUE(slow.back()->send("GET " + cached_path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::make_unique<RawClient>(edged.port()));
    ASSERT_TRUE(slow.back()->send("GET /big/268435456?r" + std::to_string(i) +
                                  " HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  std::this_thread::sleep_for(Ms(1500));  // let edged fill every socket buffer it can
  expectServed(edged, "/size/4096?w", 5, 4096);
  expectServed(edged, cached_path, 1, kCached);
  const long peak = peakRssKb(edged);
  EXPECT_LT(peak, 150 * 1024) << "edged peak RSS " << peak << " kB with 28 slow readers";

  // The slow readers are still served correctly once they read (byte i = 'a' + i % 26).
  for (size_t k : {size_t{0}, size_t{20}}) {
    ReadResult rr = slow[k]->readUntil([](std::string_view d) { return d.size() >= (1u << 20); },
                                       Ms(5000));
    ASSERT_GE(rr.data.size(), 1u << 20) << "slow reader " << k << " got " << rr.data.size();
    const size_t body = rr.data.find("\r\n\r\n");
    ASSERT_NE(body, std::string::npos);
    EXPECT_EQ(rr.data.compare(0, 12, "HTTP/1.1 200"), 0) << rr.data.substr(0, 100);
    for (size_t i = body + 4, j = 0; i < rr.data.size(); ++i, ++j) {
      ASSERT_EQ(rr.data[i], static_cast<char>('a' + j % 26)) << "reader " << k << " byte " << j;
    }
  }
  EXPECT_TRUE(edged.running());
}

// 10,000 idle connections (nothing sent): edged holds them all (MaxConnectionsPerWorker 12,000)
// while serving others, then the header timeout closes every one. The test process raises its
// own RLIMIT_NOFILE (edged inherits it); a hard limit too low for this is a failure.
TEST(HostileViewers, TenThousandIdleConnections) {
  constexpr size_t kIdle = 10000;
  rlimit lim{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
  ASSERT_GE(lim.rlim_max, kIdle + 500)
      << "RLIMIT_NOFILE hard limit " << lim.rlim_max << " is too low for " << kIdle
      << " connections: raise it (ulimit -Hn) to run this test";
  const rlimit saved = lim;
  lim.rlim_cur = lim.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lim), 0);

  TestOrigin origin;
  Json cfg = hostileConfig();
  cfg["Edge"]["MaxConnectionsPerWorker"] = 12000;
  cfg["Edge"]["HeaderTimeoutMs"] = 6000;
  Edged edged(cfg, origin.port(), memoryOptions());
  expectServed(edged, "/size/4096?w", 1, 4096);
  const long before = treeMemInfo(edged.pid()).rss_kb;

  std::vector<int> fds;
  fds.reserve(kIdle);
  const auto start = Clock::now();
  for (size_t i = 0; i < kIdle; ++i) {
    const int fd = connectLoopback(edged.port(), Ms(3000));
    if (fd < 0) {
      ADD_FAILURE() << "connect " << i << " failed: errno " << -fd;
      break;
    }
    fds.push_back(fd);
  }
  EXPECT_EQ(fds.size(), kIdle);
  // Every connection was accepted and kept (none closed yet: the header timeout is 6 s).
  std::this_thread::sleep_for(Ms(300));
  size_t closed_early = 0;
  for (int fd : fds) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) ++closed_early;
  }
  const auto connected_in = std::chrono::duration_cast<Ms>(Clock::now() - start);
  if (connected_in < Ms(5500)) {
    EXPECT_EQ(closed_early, 0u) << "edged closed idle connections before the header timeout";
  }
  expectServed(edged, "/size/4096?w", 20, 4096);
  const long during = treeMemInfo(edged.pid()).rss_kb;
  EXPECT_LT(during, 150 * 1024) << "edged RSS " << during << " kB with " << kIdle
                                << " idle connections (" << before << " kB before)";

  EXPECT_EQ(waitAllClosed(fds, Ms(15000)), 0u) << "idle connections outlived the header timeout";
  for (int fd : fds) ::close(fd);
  expectServed(edged, "/size/4096?w", 5, 4096);
  EXPECT_TRUE(edged.running());
  ::setrlimit(RLIMIT_NOFILE, &saved);
}

// A pipelined flood: thousands of requests on one connection whose responses are never read.
// HEAD requests (no body whose write would wait for the backlog by itself): edged answers until
// MaxConnectionBufferBytes of responses wait, then stops reading, so the attacker's send stalls
// and memory stays bounded; the other viewers are served throughout.
TEST(HostileViewers, PipelinedFloodWithoutReadingIsHeldBack) {
  TestOrigin origin;
  Edged edged(hostileConfig(), origin.port(), memoryOptions());
  expectServed(edged, "/size/65536?f", 1, 65536);
  std::string flood;
  const std::string one = "HEAD /size/65536?f HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 400000; ++i) flood += one;  // 16 MB of requests, ~160 MB of answers

  std::vector<std::unique_ptr<RawClient>> attackers;
  for (int i = 0; i < 4; ++i) {
    attackers.push_back(std::make_unique<RawClient>(edged.port()));
    EXPECT_FALSE(attackers.back()->send(flood, Ms(1500)))
        << "edged read a whole pipelined flood nobody reads the answers to";
  }
  expectServed(edged, "/size/65536?f", 10, 65536);
  const long peak = peakRssKb(edged);
  EXPECT_LT(peak, 150 * 1024) << "edged peak RSS " << peak << " kB";
  // The pipeliners would be closed once they stall past SendTimeoutMs (60 s default); not
  // waited for here. Closing them is clean.
  attackers.clear();
  expectServed(edged, "/size/65536?f", 5, 65536);
  EXPECT_TRUE(edged.running());
}

}  // namespace
}  // namespace edge::itest
