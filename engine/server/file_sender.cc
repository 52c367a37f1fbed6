#include "engine/server/file_sender.h"

#include <unistd.h>

#include <algorithm>

namespace edge::engine {

FileSender::FileSender(Exchange& ex, int fd, uint64_t offset, uint64_t length)
    : ex_(ex), fd_(fd), offset_(offset), left_(length) {}

FileSender::~FileSender() { ::close(fd_); }

bool FileSender::pump() {
  char buf[64 * 1024];
  while (left_ > 0 && !ex_.writeBlocked()) {
    const ssize_t n = ::pread(fd_, buf, std::min<uint64_t>(sizeof buf, left_), static_cast<off_t>(offset_));
    if (n <= 0) {
      ex_.abort();
      return false;
    }
    ex_.sendBody(buf, static_cast<size_t>(n));
    offset_ += static_cast<uint64_t>(n);
    left_ -= static_cast<uint64_t>(n);
  }
  if (left_ == 0) {
    ex_.finish();
    return false;
  }
  return true;
}

}  // namespace edge::engine
