// The bytes a viewer connection still has to write: owned pieces (response heads, chunk framing,
// bodies passed by pointer) and shared pieces (cached body chunks, written straight from the
// cache's immutable buffers without a copy: engine/cache/cached_object.h). Handed to the kernel
// with one writev (uv_try_write / uv_write with several buffers). Loop thread only.
#pragma once

#include <uv.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace edge::engine {

// An immutable byte buffer shared with the cache (same type as engine::BodyChunk).
using SharedBytes = std::shared_ptr<const std::string>;

class OutputQueue {
 public:
  // Owned bytes are appended to the last piece when it is owned, else to a new one.
  std::string& tail();
  // A slice of an immutable shared buffer; the queue holds a reference until it is written.
  void appendShared(SharedBytes bytes, size_t offset, size_t len);

  size_t size() const;
  bool empty() const { return size() == 0; }
  // Buffers for the first `max` pieces (all when max = 0), in order.
  void gather(std::vector<uv_buf_t>& out, size_t max = 0) const;
  // Drops the first `n` bytes (written).
  void consume(size_t n);
  void clear();
  void swap(OutputQueue& other) noexcept;

 private:
  struct Piece {
    std::string own;
    SharedBytes shared;
    size_t offset = 0;  // into own or *shared
    size_t len = 0;     // for shared; own pieces use own.size() - offset
    const char* data() const { return (shared ? shared->data() : own.data()) + offset; }
    size_t length() const { return shared ? len : own.size() - offset; }
  };
  std::deque<Piece> pieces_;
  // Bytes of every piece but the last (the last may be an owned piece still growing).
  size_t before_last_ = 0;
};

}  // namespace edge::engine
