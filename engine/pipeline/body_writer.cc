#include "engine/pipeline/body_writer.h"

#include <algorithm>

namespace edge::engine {

using policies::RangeOutcome;

void BodyWriter::begin(Exchange& ex, const policies::ObjectResponsePlan& plan) {
  ex_ = &ex;
  plan_ = &plan;
  ranged_ = plan.range.outcome == RangeOutcome::Partial ||
            plan.range.outcome == RangeOutcome::Multipart;
  pos_ = 0;
  range_ = 0;
  part_head_sent_ = false;
  ended_ = false;
}

void BodyWriter::write(const SharedBytes& chunk) {
  const uint64_t size = chunk->size();
  const uint64_t start = pos_;
  pos_ += size;
  if (!ranged_) {
    ex_->sendShared(chunk, 0, static_cast<size_t>(size));
    return;
  }
  const bool multipart = plan_->range.outcome == RangeOutcome::Multipart;
  const auto& ranges = plan_->range.ranges;
  while (range_ < ranges.size()) {
    const policies::ByteRange& r = ranges[range_];
    if (r.first >= start + size) return;  // starts in a later chunk
    const uint64_t from = std::max(r.first, start);
    const uint64_t to = std::min(r.last, start + size - 1);  // inclusive
    if (from <= to) {
      if (multipart && !part_head_sent_) {
        const std::string& head = plan_->part_heads[range_];
        ex_->sendBody(head.data(), head.size());
        part_head_sent_ = true;
      }
      ex_->sendShared(chunk, static_cast<size_t>(from - start), static_cast<size_t>(to - from + 1));
    }
    if (r.last > start + size - 1) return;  // continues in the next chunk
    ++range_;
    part_head_sent_ = false;
  }
}

bool BodyWriter::done() const { return ranged_ && range_ >= plan_->range.ranges.size(); }

void BodyWriter::end() {
  if (ended_) return;
  ended_ = true;
  if (plan_ != nullptr && plan_->range.outcome == RangeOutcome::Multipart) {
    ex_->sendBody(plan_->multipart_tail.data(), plan_->multipart_tail.size());
  }
}

}  // namespace edge::engine
