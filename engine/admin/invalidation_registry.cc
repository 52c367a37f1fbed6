#include "engine/admin/invalidation_registry.h"

#include <algorithm>

namespace edge::engine {

std::string_view toString(InvalidationRegistry::Outcome o) {
  switch (o) {
    case InvalidationRegistry::Outcome::Created:
      return "created";
    case InvalidationRegistry::Outcome::Replayed:
      return "replayed";
    case InvalidationRegistry::Outcome::Conflict:
      return "conflict";
  }
  return "?";
}

InvalidationRegistry::InvalidationRegistry(CacheInvalidator& cache, size_t capacity, uint64_t seed)
    : cache_(cache),
      capacity_(capacity == 0 ? 1 : capacity),
      rng_(seed != 0 ? seed : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {}

std::string InvalidationRegistry::newId() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (;;) {
    std::string id = "I";
    for (int i = 0; i < 13; ++i) id += kAlphabet[rng_() % (sizeof kAlphabet - 1)];
    if (by_id_.find(id) == by_id_.end()) return id;
  }
}

InvalidationRegistry::Submitted InvalidationRegistry::submit(InvalidationBatch&& batch,
                                                             int64_t now_ms) {
  if (auto it = by_caller_ref_.find(batch.caller_reference); it != by_caller_ref_.end()) {
    const InvalidationRecord* earlier = it->second;
    return {samePaths(earlier->batch, batch) ? Outcome::Replayed : Outcome::Conflict, earlier};
  }
  if (records_.size() >= capacity_) {
    const InvalidationRecord& oldest = records_.front();
    by_id_.erase(oldest.id);
    by_caller_ref_.erase(oldest.batch.caller_reference);
    records_.pop_front();
  }
  InvalidationRecord& r = records_.emplace_back();
  r.id = newId();
  r.create_time_ms = now_ms;
  r.batch = std::move(batch);
  r.objects_invalidated = cache_.invalidate(InvalidationMatcher(r.batch.paths, now_ms));
  by_id_.emplace(r.id, &r);
  by_caller_ref_.emplace(r.batch.caller_reference, &r);
  return {Outcome::Created, &r};
}

const InvalidationRecord* InvalidationRegistry::find(std::string_view id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<const InvalidationRecord*> InvalidationRegistry::recent(size_t max_items) const {
  std::vector<const InvalidationRecord*> out;
  out.reserve(std::min(max_items, records_.size()));
  for (auto it = records_.rbegin(); it != records_.rend() && out.size() < max_items; ++it) {
    out.push_back(&*it);
  }
  return out;
}

}  // namespace edge::engine
