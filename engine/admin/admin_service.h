// The admin API, served on Edge.AdminListen only (never on a viewer listener):
//
//   GET  /healthz                  200 "ok"
//   GET  /readyz                   200 "ready" once the config is loaded and every listener is
//                                  up; 503 "not ready" before that and while shutting down
//   POST /invalidations            CreateInvalidation (§8): an InvalidationBatch in JSON →
//                                  201 {"Invalidation": …} + Location; 400 validation errors;
//                                  409 InvalidationBatchAlreadyExists
//   GET  /invalidations[?MaxItems=N]  ListInvalidations, newest first (default 100)
//   GET  /invalidations/{Id}       GetInvalidation; 404 NoSuchInvalidation
//   GET  /clock                    the test clock (Edge.TestClock only, else 404)
//   POST /clock/advance?seconds=N  moves the test clock forward N ≥ 0 seconds and answers the new
//                                  time (Edge.TestClock only, else 404)
//   GET  /cache                    the shared cache's gauges and counters: {"Cache": {"BudgetBytes",
//                                  "Bytes", "Objects", "Hits", "Misses", "Evictions", …}} (the
//                                  soak bench checks that Bytes stays at its budget)
//   GET  /metrics                  Prometheus text format 0.0.4 (engine/metrics/metrics_format.h):
//                                  requests by result type and status class, bytes, origin
//                                  fetches and their head latency, compression, signed-URL
//                                  refusals, open connections (every worker's counters summed at
//                                  scrape), the cache's objects / bytes / evictions / collapsed
//   GET  /stats                    the same counters as JSON for the dashboard (admin_json.h
//                                  statsJson): requests by result type, origin fetches, cache
//   GET  /cache/keys[?MaxItems=N]  the N (default 20, ≤ 1000) most-hit stored objects with their
//                                  hits, size, age and TTL left (admin_json.h cacheKeysJson)
//   GET  /explain?url=U[&method=M][&h=Name:value…][&origin_status=S][&oh=Name:value…]
//                                  `edged explain` for one request against the running config
//                                  (values percent-decoded): {"Explanation": {…, "Text"}},
//                                  the origin's CustomHeaders values hidden; 400 when url is
//                                  missing or a parameter is malformed
//   GET  /, /dashboard.js, /dashboard.css, /vendor/uplot/…
//                                  the live dashboard (engine/admin/dashboard/, embedded at build
//                                  time: dashboard_assets.h), which polls the routes above
//
// HEAD works wherever GET does. Other methods on these paths → 405 with Allow; other paths →
// 404. Errors are JSON {"Error": {"Code", "Message", "Field"}}. Admin loop thread only, except
// that `ready` is read from the shared flag.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "engine/admin/admin_response.h"
#include "engine/admin/cache_invalidator.h"
#include "engine/admin/edge_clock.h"
#include "engine/admin/invalidation_registry.h"
#include "engine/metrics/worker_metrics.h"
#include "engine/server/exchange.h"
#include "policies/config.h"

namespace edge::engine {

class AdminService final : public HttpService {
 public:
  // Request bodies above this are refused with 413 (a full batch of 3,000 paths of 4,000
  // bytes fits).
  static constexpr uint64_t kMaxBodyBytes = 16u << 20;

  // `ready`: written by whoever knows when every listener is up (AdminServer::setReady).
  // `workers`: every viewer worker's counters for GET /metrics, read at scrape time; they must
  // outlive the service.
  AdminService(const policies::Config& config, EdgeClock& clock, CacheInvalidator& cache,
               const std::atomic<bool>& ready, WorkerMetricsList workers = {});

  // HttpService: buffers the body, answers once the request is complete (so keep-alive works).
  ExchangeHandlerPtr onRequest(Exchange& ex) override;
  void answerParseError(Exchange& ex, int status, std::string_view reason) override;

  // The routing: `req` as parsed, `body` the complete request body.
  AdminResponse handle(const policies::ViewerRequest& req, std::string_view body);

  const InvalidationRegistry& registry() const { return registry_; }

 private:
  AdminResponse postInvalidation(std::string_view body);
  AdminResponse listInvalidations(std::string_view query);
  AdminResponse getInvalidation(std::string_view id);
  AdminResponse clock(std::string_view path, std::string_view query);
  AdminResponse cacheCounters() const;
  AdminResponse metrics() const;
  AdminResponse stats() const;
  AdminResponse cacheKeys(std::string_view query) const;
  AdminResponse explain(std::string_view query) const;

  const policies::Config& config_;
  EdgeClock& clock_;
  const std::atomic<bool>& ready_;
  const CacheInvalidator& cache_;
  InvalidationRegistry registry_;
  WorkerMetricsList workers_;
};

// Sends `r` on `ex` (Content-Length framed) and finishes the exchange.
void sendAdminResponse(Exchange& ex, AdminResponse&& r, bool close_after = false);

}  // namespace edge::engine
