// Failures collected from worker or viewer threads: gtest assertions belong on the main thread,
// so the threads record what went wrong here and the test asserts on count() and first().
#pragma once

#include <mutex>
#include <string>
#include <utility>

namespace edge::testing_support {

class ThreadFailures {
 public:
  void add(std::string what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.empty()) first_ = std::move(what);
    ++count_;
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  std::string first() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  int count_ = 0;
  std::string first_;
};

}  // namespace edge::testing_support
