// GET /metrics: the Prometheus text exposition format (0.0.4) of edged's counters. The values
// arrive as plain numbers (MetricsSnapshot: the workers' counters summed at scrape time, plus the
// shared cache's gauges), so the rendering is pure and tested without a server.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "origin/origin_fetch.h"
#include "policies/compression.h"
#include "policies/result_type.h"
#include "policies/signed_request.h"

namespace edge::engine {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Status classes of the requests counter: index 0 is "000" (no response sent), 1..5 the
// classes 1xx..5xx.
inline constexpr size_t kStatusClassCount = 6;
inline size_t statusClassIndex(int status) {
  if (status < 100) return 0;
  return status >= 600 ? 5 : static_cast<size_t>(status / 100);
}
std::string_view statusClassLabel(size_t index);  // "000", "1xx", … "5xx"

// Origin response-head latency buckets, upper bounds in microseconds (le="0.005" … le="30"
// seconds); a last, implicit bucket is +Inf.
inline constexpr std::array<uint64_t, 12> kOriginLatencyBoundsUs = {
    5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000,
    10'000'000, 30'000'000};
inline constexpr size_t kOriginLatencySlots = kOriginLatencyBoundsUs.size() + 1;
// The bucket of an observation: the first bound ≥ it, else the +Inf slot.
size_t originLatencySlot(uint64_t micros);

inline constexpr size_t kFetchOutcomeCount =
    static_cast<size_t>(origin::FetchOutcome::Aborted) + 1;
inline constexpr size_t kContentCodingCount =
    static_cast<size_t>(policies::ContentCoding::Brotli) + 1;
inline constexpr size_t kSignedFailureCount =
    static_cast<size_t>(policies::SignedFailure::AccessDenied) + 1;

// Every value GET /metrics reports. Counters are monotonic (summed over the workers).
struct MetricsSnapshot {
  uint64_t workers = 0;
  // [result type][status class]: exchanges ended (policies/result_type.h, statusClassIndex).
  std::array<std::array<uint64_t, kStatusClassCount>, policies::kResultTypeCount> requests{};
  uint64_t bytes_received = 0;  // request head and body bytes read
  uint64_t bytes_sent = 0;      // response bytes queued for the viewer
  std::array<uint64_t, kFetchOutcomeCount> origin_fetches{};  // by FetchOutcome
  // Per slot (not cumulative), and the sum of the observations in microseconds.
  std::array<uint64_t, kOriginLatencySlots> origin_latency{};
  uint64_t origin_latency_sum_us = 0;
  std::array<uint64_t, kContentCodingCount> compressed{};  // by ContentCoding (Identity unused)
  std::array<uint64_t, kSignedFailureCount> signed_refusals{};  // by SignedFailure
  uint64_t connections_opened = 0;
  uint64_t connections_closed = 0;
  // The shared cache (CacheInvalidator::counters); has_cache false: no cache to report.
  bool has_cache = false;
  uint64_t cache_objects = 0;
  uint64_t cache_bytes = 0;
  uint64_t cache_evictions = 0;
  uint64_t cache_collapsed = 0;
};

// The exposition text: # HELP / # TYPE, then the samples, every family prefixed edged_.
std::string renderMetrics(const MetricsSnapshot& s);

// A label value escaped for the text format: backslash, double quote and newline.
std::string escapeLabelValue(std::string_view v);

}  // namespace edge::engine
