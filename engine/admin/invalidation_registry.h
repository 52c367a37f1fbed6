// The invalidations this edge has carried out (§8): assigns Ids, deduplicates by
// CallerReference, runs each batch against the cache through CacheInvalidator, and keeps the most
// recent ones for `GET /invalidations`. Admin loop thread only (no locking).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/admin/cache_invalidator.h"
#include "engine/admin/invalidation_batch.h"

namespace edge::engine {

struct InvalidationRecord {
  std::string id;              // "I" + 13 upper-case letters / digits, like CloudFront's
  int64_t create_time_ms = 0;  // EdgeClock time of the submission
  InvalidationBatch batch;
  size_t objects_invalidated = 0;  // what CacheInvalidator::invalidate reported (edged extension)
  // Always "Completed": the store is invalidated synchronously (§8 emulator note).
  static constexpr std::string_view kStatus = "Completed";
};

class InvalidationRegistry {
 public:
  static constexpr size_t kDefaultCapacity = 1000;

  enum class Outcome : uint8_t {
    Created,   // new invalidation, the cache was invalidated
    Replayed,  // same CallerReference, same paths: the earlier invalidation, nothing re-run
    Conflict,  // same CallerReference, different paths: InvalidationBatchAlreadyExists
  };
  struct Submitted {
    Outcome outcome;
    // The new invalidation, or the earlier one with that CallerReference. Valid until the next
    // submit().
    const InvalidationRecord* record;
  };

  // Keeps the last `capacity` invalidations (older ones, and their CallerReferences, are
  // forgotten). `seed` 0 seeds the Id generator from std::random_device.
  explicit InvalidationRegistry(CacheInvalidator& cache, size_t capacity = kDefaultCapacity,
                                uint64_t seed = 0);

  Submitted submit(InvalidationBatch&& batch, int64_t now_ms);
  // nullptr when unknown or forgotten.
  const InvalidationRecord* find(std::string_view id) const;
  // Newest first, at most `max_items`.
  std::vector<const InvalidationRecord*> recent(size_t max_items) const;
  size_t size() const { return records_.size(); }

 private:
  std::string newId();

  CacheInvalidator& cache_;
  size_t capacity_;
  std::mt19937_64 rng_;
  // Oldest first. A deque keeps element addresses stable under push_back / pop_front, so the
  // indexes below can point into it.
  std::deque<InvalidationRecord> records_;
  std::unordered_map<std::string_view, const InvalidationRecord*> by_id_;
  std::unordered_map<std::string_view, const InvalidationRecord*> by_caller_ref_;
};

std::string_view toString(InvalidationRegistry::Outcome o);

}  // namespace edge::engine
