// A CacheInvalidator for tests: records every matcher's verdict on a fixed set of stored objects
// (their CacheKeyParts::pathAndQuery()) and removes the matching ones; lists the entries a test
// sets as the top keys.
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "engine/admin/cache_invalidator.h"

namespace edge::engine::testing_admin {

class FakeCacheInvalidator final : public CacheInvalidator {
 public:
  explicit FakeCacheInvalidator(std::vector<std::string> objects = {})
      : objects_(std::move(objects)) {}

  size_t invalidate(const InvalidationMatcher& matcher) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    last_issued_at_ms_ = matcher.issuedAtMs();
    std::vector<std::string> kept;
    size_t removed = 0;
    for (auto& o : objects_) {
      if (matcher.matches(o)) {
        removed_.push_back(o);
        ++removed;
      } else {
        kept.push_back(std::move(o));
      }
    }
    objects_ = std::move(kept);
    return removed;
  }

  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<std::string> objects() const {
    std::lock_guard<std::mutex> lock(mu_);
    return objects_;
  }
  std::vector<std::string> removed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return removed_;
  }
  // "Objects": how many objects are left.
  std::vector<std::pair<std::string, uint64_t>> counters() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return {{"Objects", objects_.size()}, {"Bytes", 100 * objects_.size()}};
  }
  // GET /cache/keys: the first `limit` of the entries set below.
  std::vector<CacheEntrySummary> topEntries(size_t limit) const override {
    std::lock_guard<std::mutex> lock(mu_);
    last_limit_ = limit;
    const auto n = static_cast<std::ptrdiff_t>(std::min(limit, entries_.size()));
    return std::vector<CacheEntrySummary>(entries_.begin(), entries_.begin() + n);
  }
  void setEntries(std::vector<CacheEntrySummary> entries) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_ = std::move(entries);
  }
  size_t lastLimit() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_limit_;
  }
  int64_t lastIssuedAtMs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_issued_at_ms_;
  }

 private:
  mutable std::mutex mu_;  // invalidate() runs on the admin thread in AdminServer tests
  std::vector<std::string> objects_;
  std::vector<std::string> removed_;
  int calls_ = 0;
  int64_t last_issued_at_ms_ = 0;
  std::vector<CacheEntrySummary> entries_;
  mutable size_t last_limit_ = 0;
};

}  // namespace edge::engine::testing_admin
