#include "engine/server/output_queue.h"

namespace edge::engine {

std::string& OutputQueue::tail() {
  if (pieces_.empty() || pieces_.back().shared) {
    if (!pieces_.empty()) before_last_ += pieces_.back().length();
    pieces_.emplace_back();
  }
  return pieces_.back().own;
}

void OutputQueue::appendShared(SharedBytes bytes, size_t offset, size_t len) {
  if (len == 0) return;
  if (!pieces_.empty()) before_last_ += pieces_.back().length();
  Piece p;
  p.shared = std::move(bytes);
  p.offset = offset;
  p.len = len;
  pieces_.push_back(std::move(p));
}

size_t OutputQueue::size() const {
  return pieces_.empty() ? 0 : before_last_ + pieces_.back().length();
}

void OutputQueue::gather(std::vector<uv_buf_t>& out, size_t max) const {
  for (const Piece& p : pieces_) {
    if (max != 0 && out.size() >= max) break;
    const size_t len = p.length();
    if (len == 0) continue;
    out.push_back(uv_buf_init(const_cast<char*>(p.data()), static_cast<unsigned>(len)));
  }
}

void OutputQueue::consume(size_t n) {
  while (n > 0 && !pieces_.empty()) {
    Piece& p = pieces_.front();
    const size_t len = p.length();
    const bool last = pieces_.size() == 1;
    if (n < len) {
      p.offset += n;
      if (p.shared) p.len -= n;
      if (!last) before_last_ -= n;
      return;
    }
    n -= len;
    if (!last) before_last_ -= len;
    pieces_.pop_front();
  }
  if (pieces_.size() <= 1) before_last_ = 0;
}

void OutputQueue::clear() {
  pieces_.clear();
  before_last_ = 0;
}

void OutputQueue::swap(OutputQueue& other) noexcept {
  pieces_.swap(other.pieces_);
  std::swap(before_last_, other.before_last_);
}

}  // namespace edge::engine
