// The /metrics text (engine/metrics/metrics_format.h) from plain values, and the per-worker
// counters summed (engine/metrics/worker_metrics.h).
#include "engine/metrics/metrics_format.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "engine/metrics/worker_metrics.h"

namespace edge::engine {
namespace {

using policies::ResultType;

// The lines of `text` from the first one starting with `from` up to (excluding) the next
// "# HELP" line.
std::string block(const std::string& text, std::string_view from) {
  std::istringstream in(text);
  std::string line, out;
  bool on = false;
  while (std::getline(in, line)) {
    if (on && line.starts_with("# HELP")) break;
    if (!on && line.starts_with(from)) on = true;
    if (on) out += line + "\n";
  }
  return out;
}

bool hasLine(const std::string& text, std::string_view line) {
  return text.find("\n" + std::string(line) + "\n") != std::string::npos ||
         text.starts_with(std::string(line) + "\n");
}

TEST(MetricsFormat, StatusClasses) {
  EXPECT_EQ(statusClassLabel(statusClassIndex(0)), "000");
  EXPECT_EQ(statusClassLabel(statusClassIndex(100)), "1xx");
  EXPECT_EQ(statusClassLabel(statusClassIndex(200)), "2xx");
  EXPECT_EQ(statusClassLabel(statusClassIndex(304)), "3xx");
  EXPECT_EQ(statusClassLabel(statusClassIndex(404)), "4xx");
  EXPECT_EQ(statusClassLabel(statusClassIndex(599)), "5xx");
}

TEST(MetricsFormat, LatencySlotIsTheFirstBoundAtOrAbove) {
  EXPECT_EQ(originLatencySlot(0), 0u);
  EXPECT_EQ(originLatencySlot(5'000), 0u);  // le is inclusive
  EXPECT_EQ(originLatencySlot(5'001), 1u);
  EXPECT_EQ(originLatencySlot(1'000'000), 7u);
  EXPECT_EQ(originLatencySlot(30'000'000), 11u);
  EXPECT_EQ(originLatencySlot(30'000'001), 12u);  // +Inf
}

TEST(MetricsFormat, EscapesLabelValues) {
  EXPECT_EQ(escapeLabelValue("plain"), "plain");
  EXPECT_EQ(escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(MetricsFormat, RequestCountersByResultTypeAndStatusClass) {
  MetricsSnapshot s;
  s.requests[static_cast<size_t>(ResultType::Hit)][2] = 7;
  s.requests[static_cast<size_t>(ResultType::Error)][0] = 1;
  s.bytes_received = 10;
  s.bytes_sent = 20;
  const std::string text = renderMetrics(s);
  EXPECT_TRUE(text.starts_with("# HELP edged_requests_total Viewer exchanges ended"));
  EXPECT_TRUE(hasLine(text, "# TYPE edged_requests_total counter"));
  EXPECT_TRUE(hasLine(text, "edged_requests_total{result_type=\"Hit\",status_class=\"2xx\"} 7"));
  EXPECT_TRUE(hasLine(text, "edged_requests_total{result_type=\"Hit\",status_class=\"4xx\"} 0"));
  EXPECT_TRUE(hasLine(text, "edged_requests_total{result_type=\"Error\",status_class=\"000\"} 1"));
  EXPECT_TRUE(hasLine(text, "edged_requests_total{result_type=\"CapacityExceeded\",status_class=\"5xx\"} 0"));
  EXPECT_EQ(block(text, "# HELP edged_received_bytes_total"),
            "# HELP edged_received_bytes_total Viewer request bytes read (heads and bodies).\n"
            "# TYPE edged_received_bytes_total counter\n"
            "edged_received_bytes_total 10\n");
  EXPECT_TRUE(hasLine(text, "edged_sent_bytes_total 20"));
  EXPECT_TRUE(text.ends_with("\n"));
}

TEST(MetricsFormat, HistogramBucketsAreCumulative) {
  MetricsSnapshot s;
  s.origin_latency[0] = 2;   // ≤ 5 ms
  s.origin_latency[3] = 1;   // ≤ 50 ms
  s.origin_latency[12] = 1;  // > 30 s
  s.origin_latency_sum_us = 31'050'001;
  EXPECT_EQ(block(renderMetrics(s), "edged_origin_response_head_seconds_bucket"),
            "edged_origin_response_head_seconds_bucket{le=\"0.005\"} 2\n"
            "edged_origin_response_head_seconds_bucket{le=\"0.01\"} 2\n"
            "edged_origin_response_head_seconds_bucket{le=\"0.025\"} 2\n"
            "edged_origin_response_head_seconds_bucket{le=\"0.05\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"0.1\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"0.25\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"0.5\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"1\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"2.5\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"5\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"10\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"30\"} 3\n"
            "edged_origin_response_head_seconds_bucket{le=\"+Inf\"} 4\n"
            "edged_origin_response_head_seconds_sum 31.050001\n"
            "edged_origin_response_head_seconds_count 4\n");
}

TEST(MetricsFormat, LabelledFamilies) {
  MetricsSnapshot s;
  s.origin_fetches[static_cast<size_t>(origin::FetchOutcome::ConnectError)] = 3;
  s.compressed[static_cast<size_t>(policies::ContentCoding::Gzip)] = 4;
  s.signed_refusals[static_cast<size_t>(policies::SignedFailure::MissingKey)] = 5;
  const std::string text = renderMetrics(s);
  EXPECT_TRUE(hasLine(text, "edged_origin_fetches_total{outcome=\"ConnectError\"} 3"));
  EXPECT_TRUE(hasLine(text, "edged_origin_fetches_total{outcome=\"Aborted\"} 0"));
  EXPECT_TRUE(hasLine(text, "edged_compressed_responses_total{encoding=\"gzip\"} 4"));
  EXPECT_TRUE(hasLine(text, "edged_compressed_responses_total{encoding=\"br\"} 0"));
  EXPECT_EQ(text.find("encoding=\"identity\""), std::string::npos);
  EXPECT_TRUE(hasLine(text, "edged_signed_refusals_total{reason=\"MissingKey\"} 5"));
  EXPECT_TRUE(hasLine(text, "edged_signed_refusals_total{reason=\"AccessDenied\"} 0"));
}

TEST(MetricsFormat, GaugesAndCache) {
  MetricsSnapshot s;
  s.workers = 2;
  s.connections_opened = 5;
  s.connections_closed = 3;
  std::string text = renderMetrics(s);
  EXPECT_TRUE(hasLine(text, "edged_connections_open 2"));
  EXPECT_TRUE(hasLine(text, "edged_connections_accepted_total 5"));
  EXPECT_TRUE(hasLine(text, "edged_workers 2"));
  EXPECT_EQ(text.find("edged_cache_"), std::string::npos);  // no cache to report

  s.has_cache = true;
  s.cache_objects = 1;
  s.cache_bytes = 100;
  s.cache_evictions = 2;
  s.cache_collapsed = 3;
  text = renderMetrics(s);
  EXPECT_EQ(block(text, "# HELP edged_cache_objects"),
            "# HELP edged_cache_objects Objects in the shared cache.\n"
            "# TYPE edged_cache_objects gauge\n"
            "edged_cache_objects 1\n");
  EXPECT_TRUE(hasLine(text, "edged_cache_bytes 100"));
  EXPECT_TRUE(hasLine(text, "edged_cache_evictions_total 2"));
  EXPECT_TRUE(hasLine(text, "edged_cache_collapsed_total 3"));
}

TEST(WorkerMetrics, SumsEveryWorker) {
  WorkerMetrics a, b;
  a.countExchange(ResultType::Hit, 200, 100, 1000);
  b.countExchange(ResultType::Hit, 206, 50, 500);
  b.countExchange(ResultType::Error, 0, 5, 0);
  a.countOriginFetch(origin::FetchOutcome::Complete);
  a.observeOriginHead(7'000);
  b.observeOriginHead(40'000'000);
  b.countCompressed(policies::ContentCoding::Brotli);
  a.countSignedRefusal(policies::SignedFailure::AccessDenied);
  bump(a.connections_opened, 2);
  bump(b.connections_closed);
  const MetricsSnapshot s = sumWorkerMetrics({&a, &b});
  EXPECT_EQ(s.workers, 2u);
  EXPECT_EQ(s.requests[static_cast<size_t>(ResultType::Hit)][2], 2u);
  EXPECT_EQ(s.requests[static_cast<size_t>(ResultType::Error)][0], 1u);
  EXPECT_EQ(s.bytes_received, 155u);
  EXPECT_EQ(s.bytes_sent, 1500u);
  EXPECT_EQ(s.origin_fetches[0], 1u);
  EXPECT_EQ(s.origin_latency[1], 1u);
  EXPECT_EQ(s.origin_latency[12], 1u);
  EXPECT_EQ(s.origin_latency_sum_us, 40'007'000u);
  EXPECT_EQ(s.compressed[static_cast<size_t>(policies::ContentCoding::Brotli)], 1u);
  EXPECT_EQ(s.signed_refusals[static_cast<size_t>(policies::SignedFailure::AccessDenied)], 1u);
  EXPECT_EQ(s.connections_opened, 2u);
  EXPECT_EQ(s.connections_closed, 1u);
}

}  // namespace
}  // namespace edge::engine
