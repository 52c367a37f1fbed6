// Small objects' bytes kept in memory for GetObject, so a hot small object costs no open, read
// and close per request and goes out without a copy (Exchange::sendShared). A data file belongs
// to one version and is never rewritten (object_store.h), so its path is a safe key: a new PUT
// writes a new file, and a deleted version is never looked up again (its entry ages out).
//
// The bench that motivated it (bench/README.md, "S3 origin"): on a 16 KiB GET, open + close of
// the data file took ~12 % of edged-s3's CPU, pread ~7 %, the body copy ~2 %.
// Loop thread only.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include "engine/server/output_queue.h"

namespace edge::s3 {

class BodyCache {
 public:
  // Objects up to `max_object_bytes` are kept, least recently used evicted past `budget_bytes`.
  BodyCache(uint64_t max_object_bytes, uint64_t budget_bytes);

  bool eligible(uint64_t size) const { return size > 0 && size <= max_object_bytes_; }
  // The whole file at `path`, which must be `size` bytes: from memory, else read and kept. Null
  // when the file cannot be read whole (the caller answers with an error).
  engine::SharedBytes get(const std::string& path, uint64_t size);

  uint64_t bytes() const { return bytes_; }
  size_t entries() const { return map_.size(); }

 private:
  struct Entry {
    std::string path;
    engine::SharedBytes bytes;
  };
  uint64_t max_object_bytes_;
  uint64_t budget_bytes_;
  uint64_t bytes_ = 0;
  std::list<Entry> lru_;  // front = most recent
  std::unordered_map<std::string, std::list<Entry>::iterator> map_;
};

}  // namespace edge::s3
