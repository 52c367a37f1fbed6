#include "engine/admin/admin_service.h"

#include <cstdio>
#include <optional>

#include "engine/admin/admin_json.h"
#include "engine/admin/dashboard_assets.h"
#include "policies/explain.h"

namespace edge::engine {

namespace {

using policies::Method;

constexpr std::string_view kInvalidations = "/invalidations";
constexpr size_t kDefaultListItems = 100;

constexpr size_t kDefaultCacheKeys = 20;
// GET /cache/keys caps MaxItems here, as CacheStore::kMaxTopEntries caps the listing.
constexpr size_t kMaxCacheKeys = 1000;
constexpr const char* kHiddenValue = "(hidden: Origins CustomHeaders)";

AdminResponse error(int status, std::string code, std::string field, std::string message) {
  return errorResponse(status, std::move(code), std::move(field), std::move(message));
}

AdminResponse notFound(std::string_view path) {
  return error(404, "NotFound", "", "no admin endpoint at " + std::string(path));
}

AdminResponse methodNotAllowed(std::string_view method, std::string allow) {
  AdminResponse r = error(405, "MethodNotAllowed", "",
                          std::string(method) + " is not allowed here; use " + allow);
  r.headers.add("Allow", std::move(allow));
  return r;
}

// The dashboard's files: no inline script, nothing loaded from elsewhere.
AdminResponse dashboardFile(const EmbeddedFile& f) {
  AdminResponse r{200, std::string(dashboardContentType(f.file_name)), std::string(f.bytes), {}};
  r.headers.add("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "frame-ancestors 'none'");
  r.headers.add("X-Content-Type-Options", "nosniff");
  return r;
}

bool isGet(Method m) { return m == Method::Get || m == Method::Head; }

// GET /explain answers over the network, so the values of the target origin's CustomHeaders are
// hidden: they are often a secret the origin checks (the demo's X-Origin-Verify). `edged explain`
// prints them, to whoever can read the config file anyway.
void hideCustomHeaderValues(policies::Explanation& e, const policies::Config& config) {
  if (!e.origin_request) return;
  for (const policies::Origin& origin : config.distribution.origins) {
    if (origin.id != e.target_origin_id) continue;
    for (policies::Header& h : e.origin_request->headers.items()) {
      if (origin.custom_headers.has(h.name)) h.value = kHiddenValue;
    }
  }
}

// ---- the per-request handler ---------------------------------------------------------------

class AdminExchange final : public ExchangeHandler {
 public:
  AdminExchange(AdminService& service, Exchange& ex) : service_(service), ex_(ex) {}

  void onRequestBody(const char* data, size_t len) override {
    if (too_large_) return;
    if (body_.size() + len > AdminService::kMaxBodyBytes) {
      too_large_ = true;
      body_.clear();
      return;
    }
    body_.append(data, len);
  }

  void onRequestComplete() override {
    if (too_large_) {
      sendAdminResponse(ex_, error(413, "BatchTooLarge", "",
                                   "request body larger than " +
                                       std::to_string(AdminService::kMaxBodyBytes) + " bytes"));
      return;
    }
    sendAdminResponse(ex_, service_.handle(ex_.request(), body_));
  }

  void onWritable() override {}
  void onViewerGone() override {}

 private:
  AdminService& service_;
  Exchange& ex_;
  std::string body_;
  bool too_large_ = false;
};

}  // namespace

void sendAdminResponse(Exchange& ex, AdminResponse&& r, bool close_after) {
  policies::HeaderList headers = std::move(r.headers);
  headers.add("Content-Type", std::move(r.content_type));
  headers.add("Cache-Control", "no-store");
  headers.add("Server", "edged-admin");
  const size_t length = r.body.size();
  ex.sendHead(r.status, std::move(headers), length, close_after);
  ex.sendBody(r.body.data(), r.body.size());
  ex.finish();
}

AdminService::AdminService(const policies::Config& config, EdgeClock& clock,
                           CacheInvalidator& cache, const std::atomic<bool>& ready,
                           WorkerMetricsList workers)
    : config_(config),
      clock_(clock),
      ready_(ready),
      cache_(cache),
      registry_(cache),
      workers_(std::move(workers)) {}

ExchangeHandlerPtr AdminService::onRequest(Exchange& ex) {
  return std::make_unique<AdminExchange>(*this, ex);
}

void AdminService::answerParseError(Exchange& ex, int status, std::string_view reason) {
  const char* code = status == 413   ? "BatchTooLarge"
                     : status == 408 ? "RequestTimeout"
                                     : "BadRequest";
  sendAdminResponse(ex, error(status, code, "", std::string(reason)), /*close_after=*/true);
}

AdminResponse AdminService::handle(const policies::ViewerRequest& req, std::string_view body) {
  const std::string_view path = req.path;
  const Method m = req.method;
  if (path == "/healthz") {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return textResponse(200, "ok");
  }
  if (path == "/readyz") {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return ready_.load() ? textResponse(200, "ready") : textResponse(503, "not ready");
  }
  if (path == kInvalidations) {
    if (m == Method::Post) return postInvalidation(body);
    if (isGet(m)) return listInvalidations(req.query);
    return methodNotAllowed(req.method_name, "GET, HEAD, POST");
  }
  if (path.starts_with(kInvalidations) && path.size() > kInvalidations.size() + 1 &&
      path[kInvalidations.size()] == '/' &&
      path.find('/', kInvalidations.size() + 1) == std::string_view::npos) {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return getInvalidation(path.substr(kInvalidations.size() + 1));
  }
  if (path == "/clock" || path == "/clock/advance") {
    if (!config_.edge.test_clock) {
      return error(404, "NotFound", "", "the test clock is off (Edge.TestClock is false)");
    }
    if (path == "/clock" && !isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    if (path == "/clock/advance" && m != Method::Post) {
      return methodNotAllowed(req.method_name, "POST");
    }
    return clock(path, req.query);
  }
  if (path == "/cache") {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return cacheCounters();
  }
  if (path == "/metrics") {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return metrics();
  }
  if (path == "/stats") {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return stats();
  }
  if (path == "/cache/keys") {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return cacheKeys(req.query);
  }
  if (path == "/explain") {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return explain(req.query);
  }
  if (const EmbeddedFile* f = findDashboardFile(path)) {
    if (!isGet(m)) return methodNotAllowed(req.method_name, "GET, HEAD");
    return dashboardFile(*f);
  }
  return notFound(path);
}

AdminResponse AdminService::postInvalidation(std::string_view body) {
  auto batch = parseInvalidationBatch(body);
  if (!batch) {
    AdminResponse r{batch.error().status, "application/json", errorJson(batch.error()), {}};
    return r;
  }
  const std::string caller_reference = batch->caller_reference;
  const auto sub = registry_.submit(std::move(*batch), clock_.nowMs());
  const InvalidationRecord& rec = *sub.record;
  if (sub.outcome == InvalidationRegistry::Outcome::Conflict) {
    return error(409, "InvalidationBatchAlreadyExists", "CallerReference",
                 "'" + caller_reference + "' was already used by invalidation " + rec.id +
                     " with different paths");
  }
  if (sub.outcome == InvalidationRegistry::Outcome::Created) {
    std::fprintf(stderr, "edged: admin: invalidation %s (%zu path(s)): %zu object(s) removed\n",
                 rec.id.c_str(), rec.batch.paths.size(), rec.objects_invalidated);
  }
  // A replay answers like the original (CloudFront returns the earlier invalidation).
  AdminResponse r{201, "application/json", invalidationJson(rec), {}};
  r.headers.add("Location", std::string(kInvalidations) + "/" + rec.id);
  return r;
}

AdminResponse AdminService::listInvalidations(std::string_view query) {
  size_t max_items = kDefaultListItems;
  if (auto v = queryParam(query, "MaxItems")) {
    auto n = parseCount(*v, static_cast<int64_t>(InvalidationRegistry::kDefaultCapacity));
    if (!n || *n == 0) {
      return error(
          400, "InvalidArgument", "MaxItems",
          "must be an integer from 1 to " + std::to_string(InvalidationRegistry::kDefaultCapacity));
    }
    max_items = static_cast<size_t>(*n);
  }
  const auto items = registry_.recent(max_items);
  return {200,
          "application/json",
          invalidationListJson(items, max_items, registry_.size() > items.size()),
          {}};
}

AdminResponse AdminService::getInvalidation(std::string_view id) {
  const InvalidationRecord* rec = registry_.find(id);
  if (rec == nullptr) {
    return error(404, "NoSuchInvalidation", "Id",
                 "no invalidation " + std::string(id) + " (unknown or no longer kept)");
  }
  return {200, "application/json", invalidationJson(*rec), {}};
}

AdminResponse AdminService::clock(std::string_view path, std::string_view query) {
  if (path == "/clock/advance") {
    const auto v = queryParam(query, "seconds");
    if (!v) return error(400, "InvalidArgument", "seconds", "is required (?seconds=N)");
    const auto n = parseCount(*v, EdgeClock::kMaxAdvanceSeconds);
    if (!n) {
      return error(400, "InvalidArgument", "seconds",
                   "must be an integer from 0 to " + std::to_string(EdgeClock::kMaxAdvanceSeconds) +
                       " (the clock only moves forward), not '" + std::string(*v) + "'");
    }
    clock_.advance(*n);
    std::fprintf(stderr, "edged: admin: clock advanced %lld s (offset now %lld s)\n",
                 static_cast<long long>(*n), static_cast<long long>(clock_.offsetSeconds()));
  }
  return {200, "application/json", clockJson(clock_.nowMs(), clock_.offsetSeconds()), {}};
}

AdminResponse AdminService::cacheCounters() const {
  return {200, "application/json", cacheCountersJson(cache_.counters()), {}};
}

AdminResponse AdminService::metrics() const {
  MetricsSnapshot s = sumWorkerMetrics(workers_);
  // The cache's gauges and counters, as GET /cache reports them (summed over its shards).
  for (const auto& [name, value] : cache_.counters()) {
    s.has_cache = true;
    if (name == "Objects") s.cache_objects = value;
    else if (name == "Bytes") s.cache_bytes = value;
    else if (name == "Evictions") s.cache_evictions = value;
    else if (name == "Collapsed") s.cache_collapsed = value;
  }
  return {200, std::string(kMetricsContentType), renderMetrics(s), {}};
}

AdminResponse AdminService::stats() const {
  return jsonResponse(200,
                      statsJson(sumWorkerMetrics(workers_), cache_.counters(), clock_.nowMs()));
}

AdminResponse AdminService::cacheKeys(std::string_view query) const {
  size_t max_items = kDefaultCacheKeys;
  if (auto v = queryParam(query, "MaxItems")) {
    constexpr auto kMax = static_cast<int64_t>(kMaxCacheKeys);
    auto n = parseCount(*v, kMax);
    if (!n || *n == 0) {
      return error(400, "InvalidArgument", "MaxItems",
                   "must be an integer from 1 to " + std::to_string(kMax));
    }
    max_items = static_cast<size_t>(*n);
  }
  return jsonResponse(200,
                      cacheKeysJson(cache_.topEntries(max_items), max_items, clock_.nowSeconds()));
}

AdminResponse AdminService::explain(std::string_view query) const {
  policies::ExplainArgs args;
  // Each parameter percent-decoded; `bad` names the first one with a malformed %-escape.
  std::string bad;
  auto all = [&](std::string_view name) {
    auto v = decodedQueryParams(query, name);
    if (!v) {
      if (bad.empty()) bad = std::string(name);
      return std::vector<std::string>{};
    }
    return std::move(*v);
  };
  const std::vector<std::string> urls = all("url");
  const std::vector<std::string> methods = all("method");
  args.headers = all("h");
  args.origin_headers = all("oh");
  const std::vector<std::string> statuses = all("origin_status");
  if (!bad.empty()) return error(400, "InvalidArgument", bad, "has a malformed %-escape");
  if (urls.size() != 1 || urls[0].empty()) {
    return error(400, "InvalidArgument", "url",
                 "exactly one url=/path?query (or http://host/path) is required");
  }
  args.url = urls[0];
  if (methods.size() > 1) return error(400, "InvalidArgument", "method", "given more than once");
  if (!methods.empty()) args.method = methods[0];
  if (statuses.size() > 1) {
    return error(400, "InvalidArgument", "origin_status", "given more than once");
  }
  if (!statuses.empty()) {
    const auto n = parseCount(statuses[0], 599);
    if (!n || *n < 100) {
      return error(400, "InvalidArgument", "origin_status", "must be a status from 100 to 599");
    }
    args.origin_status = static_cast<int>(*n);
  }
  auto request = policies::buildExplainRequest(args, config_.edge.domain_name, clock_.nowSeconds());
  if (!request) return error(400, "InvalidArgument", "", request.error());
  policies::Explanation e = policies::explainRequest(config_, *request);
  hideCustomHeaderValues(e, config_);
  return jsonResponse(200, explanationJson(e, request->viewer));
}

}  // namespace edge::engine
