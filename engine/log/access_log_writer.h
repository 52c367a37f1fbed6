// The access log file (Edge.AccessLog, cloudfront-behavior.md §10): workers hand it finished
// lines; one thread of its own appends them to the file, so a worker loop never waits on the
// disk. It writes the #Version/#Fields header at the top of every new file, rotates by size
// (Edge.AccessLogMaxBytes: <file> becomes <file>.1, <file>.1 becomes <file>.2, … up to
// Edge.AccessLogMaxFiles), and reopens the file when asked (SIGHUP, so logrotate can move it
// away). stop() writes every line handed in before it returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <tl/expected.hpp>

namespace edge::engine {

struct AccessLogOptions {
  std::string path;
  uint64_t max_bytes = 0;  // rotate before a file would pass this size; 0 = never
  uint32_t max_files = 5;  // rotated files kept (<path>.1 … <path>.N), at least 1
  // Lines waiting for the writer thread. Beyond it new lines are dropped and counted (a disk
  // that stalls must not grow a worker's memory without bound, nor block it).
  size_t max_pending_bytes = 64u << 20;
  // The writer gathers lines for up to this long after the first one (or until wake_bytes are
  // pending) before it writes: one wake-up and one write() per batch, not per request. A thread
  // switch per line cost ~30 % of hit-path req/s in bench/cache_bench.sh (edged-log). At 1 MiB a
  // worker logging 75,000 hits/s (about 20 MB/s) wakes the writer about 20 times a second.
  uint32_t gather_ms = 100;
  size_t wake_bytes = 1u << 20;
};

class AccessLogWriter {
 public:
  explicit AccessLogWriter(AccessLogOptions options);
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;
  ~AccessLogWriter();  // stop()

  // Opens (or creates) the file and starts the writer thread. Call once, before any append();
  // the error names the file (startup: edged refuses to start without its log).
  tl::expected<void, std::string> start();

  // Any thread. Queues whole lines (each ending in '\n'). Never touches the disk: it holds a
  // mutex only for a memcpy into the pending buffer, and wakes the writer only for the first
  // line of a batch and when wake_bytes are pending. Over max_pending_bytes (or after stop())
  // the lines are dropped and counted.
  void append(std::string_view lines);

  // Any thread (the main loop's SIGHUP handler): the writer thread closes the file and opens
  // the path again before writing further lines. Never blocks on the disk.
  void reopen();

  // Writes what is pending, closes the file and joins the thread. Idempotent.
  void stop();

  uint64_t droppedLines() const { return dropped_lines_.load(std::memory_order_relaxed); }
  // Test hooks (any thread): reopens done so far, rotations done so far.
  uint64_t reopens() const { return reopens_.load(std::memory_order_relaxed); }
  uint64_t rotations() const { return rotations_.load(std::memory_order_relaxed); }

 private:
  void run();
  // Writer thread (and start(), before the thread exists) only.
  bool openFile();
  void closeFile();
  void rotate();
  void writeBatch(const std::string& batch);
  bool writeAll(const char* data, size_t len);

  const AccessLogOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;      // guarded by mu_
  bool reopen_ = false;      // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  bool accepting_ = false;   // guarded by mu_: between start() and stop()

  // Writer thread only.
  int fd_ = -1;
  uint64_t size_ = 0;        // bytes in the open file
  bool has_lines_ = false;   // the open file holds more than the header
  bool reported_error_ = false;
  uint64_t reported_drops_ = 0;
  std::string batch_;        // the buffer swapped with pending_

  std::atomic<uint64_t> dropped_lines_{0};
  std::atomic<uint64_t> reopens_{0};
  std::atomic<uint64_t> rotations_{0};
  std::thread thread_;
};
using AccessLogWriterPtr = std::unique_ptr<AccessLogWriter>;

}  // namespace edge::engine
