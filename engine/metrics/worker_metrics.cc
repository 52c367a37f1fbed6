#include "engine/metrics/worker_metrics.h"

namespace edge::engine {

namespace {

template <size_t N>
void addAll(std::array<uint64_t, N>& to, const std::array<MetricCounter, N>& from) {
  for (size_t i = 0; i < N; ++i) to[i] += from[i].load(std::memory_order_relaxed);
}

}  // namespace

void WorkerMetrics::addTo(MetricsSnapshot& s) const {
  for (size_t t = 0; t < requests.size(); ++t) addAll(s.requests[t], requests[t]);
  s.bytes_received += bytes_received.load(std::memory_order_relaxed);
  s.bytes_sent += bytes_sent.load(std::memory_order_relaxed);
  addAll(s.origin_fetches, origin_fetches);
  addAll(s.origin_latency, origin_latency);
  s.origin_latency_sum_us += origin_latency_sum_us.load(std::memory_order_relaxed);
  addAll(s.compressed, compressed);
  addAll(s.signed_refusals, signed_refusals);
  // Closed before opened, so that a connection opened and closed between the two reads is not
  // counted closed only (the rendering also clamps the open gauge at zero).
  s.connections_closed += connections_closed.load(std::memory_order_relaxed);
  s.connections_opened += connections_opened.load(std::memory_order_relaxed);
}

MetricsSnapshot sumWorkerMetrics(const WorkerMetricsList& workers) {
  MetricsSnapshot s;
  s.workers = workers.size();
  for (const WorkerMetrics* w : workers) w->addTo(s);
  return s;
}

}  // namespace edge::engine
