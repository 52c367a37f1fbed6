// The shared CacheStore used by several worker threads at once, as `edged serve --workers N` does
// (issue 8, item 6): lookups, joins (leaders filling, followers reading a fill in flight, hits),
// abandoned fills, evictions under a small budget, invalidations and stats from an admin thread,
// all on a few keys so that every path meets every other. Each object read must be whole and
// byte-exact. Its value is under ThreadSanitizer (scripts/test.sh's tsan flavour, label
// `multiworker`); in a plain build it is a quick smoke test of the same interleavings.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/cache/cache_store.h"
#include "support/thread_failures.h"
#include "tests/engine/cache/cache_test_util.h"

namespace edge::engine {
namespace {

using cachetest::drain;
using cachetest::makeHead;
using cachetest::makeKey;

constexpr int kKeys = 24;

std::string keyText(int k) { return "/k" + std::to_string(k); }
// Key k's body: 2,000 + 500·k bytes of one letter, so any mix-up or truncation shows.
std::string bodyOf(int k) {
  return std::string(2000 + 500 * static_cast<size_t>(k), static_cast<char>('a' + k % 26));
}

using Failures = testing_support::ThreadFailures;

// Reads `reader` to its end, polling (no loop runs here: the wake callback is null), for at most
// 5 s. Returns false when the fill failed; records a failure when the body is not key k's.
bool readWhole(BodyReader& reader, int k, Failures& failures) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    const ReadStatus s = drain(reader, out);
    if (s == ReadStatus::End) {
      if (out != bodyOf(k)) {
        failures.add(keyText(k) + ": read " + std::to_string(out.size()) + " bytes, want " +
                     std::to_string(bodyOf(k).size()));
      }
      return true;
    }
    if (s == ReadStatus::Failed) return false;
    if (std::chrono::steady_clock::now() > deadline) {
      failures.add(keyText(k) + ": a fill in flight never ended");
      return false;
    }
    std::this_thread::yield();
  }
}

// One worker thread: `iterations` requests on random keys.
void worker(CacheStore& store, unsigned seed, int iterations, Failures& failures) {
  Loop loop;  // this worker's loop: only for the readers' subscriptions
  std::mt19937 rng(seed);
  for (int i = 0; i < iterations; ++i) {
    const int k = static_cast<int>(rng() % kKeys);
    const auto key = makeKey(keyText(k));
    if (CachedObjectPtr hit = store.lookup(key)) {
      BodyReader reader(hit, loop, nullptr);
      readWhole(reader, k, failures);
      continue;
    }
    JoinResult r = store.join(key, keyText(k), loop, nullptr);
    if (r.role != JoinRole::Leader) {
      readWhole(r.reader, k, failures);
      continue;
    }
    r.reader.reset();  // the leader writes the origin's bytes to its viewer directly
    r.permit.setHead(makeHead());
    const std::string body = bodyOf(k);
    const size_t third = body.size() / 3;
    r.permit.append(std::string_view(body).substr(0, third));
    std::this_thread::yield();  // let followers join mid-body
    r.permit.append(std::string_view(body).substr(third, third));
    if (rng() % 8 == 0) {
      r.permit.abandon(FillFailure::Truncated);  // the origin broke off
      continue;
    }
    r.permit.append(std::string_view(body).substr(2 * third));
    r.permit.complete();
  }
}

TEST(CacheStoreConcurrency, WorkersFillReadEvictAndInvalidateTheSameKeys) {
  CacheStoreOptions o;
  o.memory_bytes = 64 << 10;  // about a third of the 24 bodies: evictions all the time
  o.shards = 4;
  o.max_object_bytes = 16 << 10;
  CacheStore store(o);
  Failures failures;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> invalidated{0};
  std::thread admin([&] {
    for (int i = 0; !stop.load(); ++i) {
      const std::string prefix = "/k" + std::to_string(i % 3);  // /k0*, /k1*, /k2*
      invalidated += store.invalidate(
          [&](std::string_view path) { return path.substr(0, prefix.size()) == prefix; });
      const CacheStats s = store.stats();
      if (s.bytes > o.memory_bytes) failures.add("over budget: " + std::to_string(s.bytes));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] { worker(store, 1234 + w, 1500, failures); });
  }
  for (auto& t : workers) t.join();
  stop = true;
  admin.join();

  EXPECT_EQ(failures.count(), 0) << failures.first();
  const CacheStats s = store.stats();
  EXPECT_EQ(s.fills_inflight, 0u) << s;
  EXPECT_LE(s.bytes, o.memory_bytes) << s;
  EXPECT_GT(s.hits, 0u) << s;
  EXPECT_GT(s.evictions + s.erased, 0u) << s;
  // Whatever is stored now is whole.
  Loop loop;
  for (int k = 0; k < kKeys; ++k) {
    if (CachedObjectPtr obj = store.lookup(makeKey(keyText(k)))) {
      BodyReader reader(obj, loop, nullptr);
      EXPECT_TRUE(readWhole(reader, k, failures));
    }
  }
  EXPECT_EQ(failures.count(), 0) << failures.first();
}

}  // namespace
}  // namespace edge::engine
