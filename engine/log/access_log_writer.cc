#include "engine/log/access_log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "policies/access_log_format.h"

namespace edge::engine {

// Why a mutex-protected buffer and not a lock-free queue: append() only copies bytes under the
// lock, and the writer thread only swaps two strings under it, so a worker waits at most for one
// other worker's memcpy. The disk I/O (write, rename, open) happens outside the lock, on the
// writer thread. That is simple enough to be obviously race-free (TSan runs the tests).

namespace {
size_t countLines(std::string_view s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}
}  // namespace

AccessLogWriter::AccessLogWriter(AccessLogOptions options) : options_(std::move(options)) {}

AccessLogWriter::~AccessLogWriter() { stop(); }

tl::expected<void, std::string> AccessLogWriter::start() {
  if (!openFile()) {
    return tl::unexpected("cannot open access log " + options_.path + ": " + std::strerror(errno));
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    accepting_ = true;
  }
  thread_ = std::thread([this] { run(); });
  return {};
}

void AccessLogWriter::append(std::string_view lines) {
  if (lines.empty()) return;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!accepting_ || pending_.size() + lines.size() > options_.max_pending_bytes) {
      dropped_lines_.fetch_add(countLines(lines), std::memory_order_relaxed);
      return;
    }
    const size_t before = pending_.size();
    pending_.append(lines);
    wake = before == 0 || (before < options_.wake_bytes && pending_.size() >= options_.wake_bytes);
  }
  if (wake) cv_.notify_one();
}

void AccessLogWriter::reopen() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    reopen_ = true;
  }
  cv_.notify_one();
}

void AccessLogWriter::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    accepting_ = false;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  closeFile();
}

void AccessLogWriter::run() {
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    cv_.wait(lk, [this] { return !pending_.empty() || reopen_ || stopping_; });
    // Gather: more lines arrive while this thread sleeps, at no cost to the workers.
    cv_.wait_for(lk, std::chrono::milliseconds(options_.gather_ms), [this] {
      return pending_.size() >= options_.wake_bytes || reopen_ || stopping_;
    });
    const bool reopen = std::exchange(reopen_, false);
    const bool stopping = stopping_;
    batch_.clear();
    batch_.swap(pending_);  // pending_ gets the old batch's capacity back
    lk.unlock();

    if (reopen) {
      closeFile();
      if (openFile()) reported_error_ = false;
      reopens_.fetch_add(1, std::memory_order_relaxed);
    }
    if (!batch_.empty()) writeBatch(batch_);
    const uint64_t dropped = dropped_lines_.load(std::memory_order_relaxed);
    if (dropped != reported_drops_) {
      std::fprintf(stderr, "edged: access log %s: %llu line(s) dropped so far\n",
                   options_.path.c_str(), static_cast<unsigned long long>(dropped));
      reported_drops_ = dropped;
    }

    lk.lock();
    if (stopping && pending_.empty() && !reopen_) break;
  }
  lk.unlock();
  if (fd_ >= 0) ::fdatasync(fd_);
}

bool AccessLogWriter::openFile() {
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    if (!reported_error_) {
      std::fprintf(stderr, "edged: cannot open access log %s: %s\n", options_.path.c_str(),
                   std::strerror(errno));
      reported_error_ = true;
    }
    return false;
  }
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  const std::string_view header = policies::accessLogHeader();
  has_lines_ = size_ > header.size();
  if (size_ == 0) {
    const int saved = errno;
    writeAll(header.data(), header.size());
    errno = saved;
  }
  return true;
}

void AccessLogWriter::closeFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  size_ = 0;
  has_lines_ = false;
}

void AccessLogWriter::rotate() {
  closeFile();
  // <path>.N-1 → <path>.N, …, <path> → <path>.1; rename() replaces the oldest.
  const uint32_t keep = std::max<uint32_t>(1, options_.max_files);
  for (uint32_t i = keep; i > 1; --i) {
    const std::string from = options_.path + "." + std::to_string(i - 1);
    const std::string to = options_.path + "." + std::to_string(i);
    ::rename(from.c_str(), to.c_str());  // ENOENT for the ones not made yet
  }
  const std::string first = options_.path + ".1";
  if (::rename(options_.path.c_str(), first.c_str()) != 0) {
    std::fprintf(stderr, "edged: cannot rotate access log %s: %s\n", options_.path.c_str(),
                 std::strerror(errno));
  }
  rotations_.fetch_add(1, std::memory_order_relaxed);
  openFile();
}

void AccessLogWriter::writeBatch(const std::string& batch) {
  size_t off = 0;
  while (off < batch.size()) {
    if (fd_ < 0 && !openFile()) {
      dropped_lines_.fetch_add(countLines(std::string_view(batch).substr(off)),
                               std::memory_order_relaxed);
      return;
    }
    size_t end = batch.size();
    if (options_.max_bytes > 0) {
      const uint64_t room = size_ < options_.max_bytes ? options_.max_bytes - size_ : 0;
      if (batch.size() - off > room) {
        // The whole lines that fit; a file never passes the limit except by one line longer
        // than the limit itself (written alone into a fresh file).
        const size_t limit = off + static_cast<size_t>(room);
        const size_t nl = limit == off ? std::string::npos : batch.rfind('\n', limit - 1);
        end = nl == std::string::npos || nl < off ? off : nl + 1;
        if (end == off) {
          if (has_lines_) {
            rotate();
            continue;
          }
          const size_t line_end = batch.find('\n', off);
          end = line_end == std::string::npos ? batch.size() : line_end + 1;
        }
      }
    }
    if (!writeAll(batch.data() + off, end - off)) {
      dropped_lines_.fetch_add(countLines(std::string_view(batch).substr(off, end - off)),
                               std::memory_order_relaxed);
    } else {
      has_lines_ = true;
    }
    off = end;
  }
}

bool AccessLogWriter::writeAll(const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = ::write(fd_, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (!reported_error_) {
        std::fprintf(stderr, "edged: cannot write access log %s: %s\n", options_.path.c_str(),
                     std::strerror(errno));
        reported_error_ = true;
      }
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
    size_ += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace edge::engine
