#include "origin/s3/body_cache.h"

#include <fcntl.h>
#include <unistd.h>

namespace edge::s3 {

BodyCache::BodyCache(uint64_t max_object_bytes, uint64_t budget_bytes)
    : max_object_bytes_(max_object_bytes), budget_bytes_(budget_bytes) {}

engine::SharedBytes BodyCache::get(const std::string& path, uint64_t size) {
  if (auto it = map_.find(path); it != map_.end()) {
    if (it->second->bytes->size() == size) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->bytes;
    }
    bytes_ -= it->second->bytes->size();  // cannot happen for an immutable file; drop it
    lru_.erase(it->second);
    map_.erase(it);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  auto data = std::make_shared<std::string>(size, '\0');
  uint64_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, data->data() + got, size - got, static_cast<off_t>(got));
    if (n <= 0) break;
    got += static_cast<uint64_t>(n);
  }
  ::close(fd);
  if (got != size) return nullptr;
  engine::SharedBytes bytes = std::move(data);
  lru_.push_front({path, bytes});
  map_[path] = lru_.begin();
  bytes_ += size;
  while (bytes_ > budget_bytes_ && !lru_.empty()) {
    bytes_ -= lru_.back().bytes->size();
    map_.erase(lru_.back().path);
    lru_.pop_back();
  }
  return bytes;
}

}  // namespace edge::s3
