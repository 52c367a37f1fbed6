// Helpers shared by the cache store, collapsing and cached object tests.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <string>
#include <string_view>
#include <thread>

#include <xxhash.h>

#include "engine/cache/cache_store.h"
#include "engine/cache/cached_object.h"
#include "engine/uv/loop.h"
#include "policies/cache_key.h"

namespace edge::engine::cachetest {

inline policies::CacheKey makeKey(std::string_view text) {
  policies::CacheKey k;
  k.text = std::string(text);
  k.hash = XXH3_128bits(text.data(), text.size());
  return k;
}

// A key whose hash is chosen by the test: how hash collisions are made.
inline policies::CacheKey forgedKey(std::string_view text, uint64_t low64, uint64_t high64) {
  policies::CacheKey k;
  k.text = std::string(text);
  k.hash.low64 = low64;
  k.hash.high64 = high64;
  return k;
}

inline ObjectHead makeHead(int status = 200, int64_t stored_at = 1'000) {
  ObjectHead h;
  h.status = status;
  h.headers.add("Content-Type", "text/plain");
  h.headers.add("ETag", "\"v1\"");
  h.freshness.stored_at = stored_at;
  h.freshness.ttl = 60;
  h.freshness.has_validators = true;
  return h;
}

inline BodyChunk chunk(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

inline std::shared_ptr<CachedObject> makeObject(const policies::CacheKey& key, std::string path,
                                                std::string body) {
  std::vector<BodyChunk> chunks;
  if (!body.empty()) chunks.push_back(chunk(std::move(body)));
  return CachedObject::makeComplete(key, std::move(path), makeHead(), std::move(chunks));
}

// Reads until Wait / End / Failed, appending the bytes to `out`; returns the last status.
inline ReadStatus drain(BodyReader& r, std::string& out, uint64_t max_bytes = UINT64_MAX) {
  std::vector<BodyChunk> chunks;
  for (;;) {
    chunks.clear();
    const ReadStatus s = r.read(chunks, max_bytes);
    for (const BodyChunk& c : chunks) out += *c;
    if (s != ReadStatus::Data) return s;
  }
}

// Runs `loop` on this thread until `done()` holds (checked every millisecond) or the timeout.
inline bool runUntil(Loop& loop, const std::function<bool()>& done, uint64_t timeout_ms = 5'000) {
  bool ok = false;
  const uint64_t deadline = loop.nowMs() + timeout_ms;
  Timer t(loop);
  t.start(
      1,
      [&] {
        if (done()) {
          ok = true;
        } else if (loop.nowMs() < deadline) {
          return;
        }
        t.stop();
        loop.stop();
      },
      1);
  loop.run();
  return ok;
}

// Runs `loop` for about `ms` milliseconds: every task posted before the call has run by then.
inline void runFor(Loop& loop, uint64_t ms) {
  const uint64_t until = loop.nowMs() + ms;
  runUntil(
      loop, [&] { return loop.nowMs() >= until; }, ms + 1'000);
}

// A Loop running on a thread of its own (a worker), kept alive until destruction.
class LoopThread {
 public:
  LoopThread() {
    std::promise<std::thread::id> started;
    auto id = started.get_future();
    thread_ = std::thread([this, &started] {
      started.set_value(std::this_thread::get_id());
      Timer keepalive(loop_);
      keepalive.start(
          1,
          [this, &keepalive] {
            if (quit_.load()) keepalive.stop();
          },
          1);
      loop_.run();
    });
    id_ = id.get();
  }
  ~LoopThread() {
    quit_.store(true);
    thread_.join();
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  Loop& loop() { return loop_; }
  std::thread::id id() const { return id_; }

  // Runs `fn` on the loop thread and waits for it.
  void call(const std::function<void()>& fn) {
    std::promise<void> done;
    loop_.post([&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }
  // Runs `fn` on the loop thread without waiting (tasks run in posting order).
  void post(std::function<void()> fn) { loop_.post(std::move(fn)); }

 private:
  Loop loop_;
  std::atomic<bool> quit_{false};
  std::thread::id id_;
  std::thread thread_;
};

}  // namespace edge::engine::cachetest
