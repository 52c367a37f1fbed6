// One worker's counters for GET /metrics. The worker thread is the only writer of its
// WorkerMetrics; the admin thread reads every worker's at scrape time and sums them
// (MetricsSnapshot). No counter is shared between workers, so a request pays no atomic
// read-modify-write and no cache line bouncing: each field is an atomic only so that the
// admin thread's reads are defined, written with a relaxed load and a relaxed store (a plain
// add on x86).
//
// Lifetime: `edged serve` (engine/cli/main.cc) owns one per worker, created before the workers
// and the admin server and destroyed after both are joined.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/metrics/metrics_format.h"

namespace edge::engine {

using MetricCounter = std::atomic<uint64_t>;

// Adds `n` to a counter only the calling thread writes: no lock prefix, TSan-clean.
inline void bump(MetricCounter& c, uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

struct alignas(64) WorkerMetrics {
  // Written by the owning worker thread only (the count* functions); read by any thread.
  std::array<std::array<MetricCounter, kStatusClassCount>, policies::kResultTypeCount> requests{};
  MetricCounter bytes_received{0};
  MetricCounter bytes_sent{0};
  std::array<MetricCounter, kFetchOutcomeCount> origin_fetches{};
  std::array<MetricCounter, kOriginLatencySlots> origin_latency{};
  MetricCounter origin_latency_sum_us{0};
  std::array<MetricCounter, kContentCodingCount> compressed{};
  std::array<MetricCounter, kSignedFailureCount> signed_refusals{};
  MetricCounter connections_opened{0};
  MetricCounter connections_closed{0};

  // Worker thread.
  void countExchange(policies::ResultType type, int status, uint64_t received, uint64_t sent) {
    bump(requests[static_cast<size_t>(type)][statusClassIndex(status)]);
    bump(bytes_received, received);
    bump(bytes_sent, sent);
  }
  void countOriginFetch(origin::FetchOutcome outcome) {
    bump(origin_fetches[static_cast<size_t>(outcome)]);
  }
  void observeOriginHead(uint64_t micros) {
    bump(origin_latency[originLatencySlot(micros)]);
    bump(origin_latency_sum_us, micros);
  }
  void countCompressed(policies::ContentCoding coding) {
    bump(compressed[static_cast<size_t>(coding)]);
  }
  void countSignedRefusal(policies::SignedFailure reason) {
    bump(signed_refusals[static_cast<size_t>(reason)]);
  }

  // Any thread: adds this worker's counters to `s` (relaxed reads; each counter is exact, the
  // set is not one instant's).
  void addTo(MetricsSnapshot& s) const;
};
using WorkerMetricsPtr = std::unique_ptr<WorkerMetrics>;

// Every worker's metrics, in worker order (what the admin service sums).
using WorkerMetricsList = std::vector<const WorkerMetrics*>;

// The sum over `workers` (workers = their count); the cache fields are left as they are.
MetricsSnapshot sumWorkerMetrics(const WorkerMetricsList& workers);

}  // namespace edge::engine
