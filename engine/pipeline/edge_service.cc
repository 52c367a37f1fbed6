#include "engine/pipeline/edge_service.h"

#include <ctime>

#include "engine/log/access_log_record.h"
#include "engine/pipeline/request_fsm.h"
#include "engine/uv/loop.h"
#include "policies/http_date.h"

namespace edge::engine {

EdgeService::EdgeService(Loop& loop, const EdgeContext& context, WorkerMetrics& metrics)
    : loop_(loop),
      context_(context),
      metrics_(metrics),
      config_(context.config),
      origins_(loop.raw()),
      via_host_(policies::viaHostFor(config_.edge.pop_name)),
      rng_(std::random_device{}()) {
  const auto& d = config_.distribution;
  settings_.emplace(&d.default_behavior,
                    policies::resolveBehaviorCacheSettings(d.default_behavior, config_));
  for (const auto& b : d.behaviors) {
    settings_.emplace(&b, policies::resolveBehaviorCacheSettings(b, config_));
  }
  // The loader refused every PublicKey OpenSSL cannot parse, so this only fails on a Config
  // built by hand; its keys are then missing and signed requests fail with InvalidKey.
  auto keys = policies::PublicKeySet::parse(config_);
  const policies::PublicKeySet no_keys;
  const policies::PublicKeySet& set = keys ? *keys : no_keys;
  trusted_keys_.emplace(&d.default_behavior,
                        policies::TrustedKeys::forBehavior(d.default_behavior, config_, set));
  for (const auto& b : d.behaviors) {
    trusted_keys_.emplace(&b, policies::TrustedKeys::forBehavior(b, config_, set));
  }
  for (const auto& o : d.origins) {
    if (auto signer = policies::originSigner(o, config_)) origin_signers_.emplace(&o, std::move(*signer));
  }
}

const policies::OriginSigner* EdgeService::originSigner(const policies::Origin& origin) const {
  const auto it = origin_signers_.find(&origin);
  return it == origin_signers_.end() ? nullptr : &it->second;
}

const policies::TrustedKeys& EdgeService::trustedKeys(const policies::Behavior& behavior) const {
  return trusted_keys_.at(&behavior);
}

EdgeService::~EdgeService() {
  // Fills first: their fetches use origins_, their permits the store.
  fills_.clear();
}

const policies::BehaviorCacheSettings& EdgeService::cacheSettings(
    const policies::Behavior& behavior) const {
  return settings_.at(&behavior);
}

namespace {
// An origin fetch counted in EdgeService::originFetchesInFlight() for as long as it exists, and
// in the worker's metrics when it ends: it sits between the fetch and its observer, so it sees
// the response head (latency) and the outcome of every fetch, whoever opened it.
class CountedFetch final : public origin::OriginFetch, public origin::FetchObserver {
 public:
  CountedFetch(origin::FetchObserver& observer, std::shared_ptr<size_t> count,
               WorkerMetrics& metrics)
      : observer_(observer), count_(std::move(count)), metrics_(metrics) {
    ++*count_;
  }
  ~CountedFetch() override {
    inner_.reset();
    --*count_;
    // Destroyed before its end (a viewer gone, a fill detached): cancelled by the edge.
    if (started_ && !done_) metrics_.countOriginFetch(origin::FetchOutcome::Aborted);
  }
  // The fetch this one forwards to, opened with this as its observer.
  void attach(origin::OriginFetchPtr inner) { inner_ = std::move(inner); }

  bool start() override {
    start_ns_ = uv_hrtime();
    started_ = inner_->start();
    // It never ran; the caller answers as for a refused connection.
    if (!started_) metrics_.countOriginFetch(origin::FetchOutcome::ConnectError);
    return started_;
  }
  void pushBody(const char* data, size_t len) override { inner_->pushBody(data, len); }
  void endBody() override { inner_->endBody(); }
  size_t bufferedBody() const override { return inner_->bufferedBody(); }
  void resumeResponse() override { inner_->resumeResponse(); }
  void cancel() override { inner_->cancel(); }
  int attempts() const override { return inner_->attempts(); }

  void onOriginHead(int status, policies::HeaderList&& headers) override {
    metrics_.observeOriginHead((uv_hrtime() - start_ns_) / 1000);
    observer_.onOriginHead(status, std::move(headers));
  }
  bool onOriginBody(const char* data, size_t len) override {
    return observer_.onOriginBody(data, len);
  }
  void onRequestBodyDrained() override { observer_.onRequestBodyDrained(); }
  void onOriginDone(origin::FetchOutcome outcome, bool head_received) override {
    done_ = true;
    metrics_.countOriginFetch(outcome);
    observer_.onOriginDone(outcome, head_received);  // may destroy this: nothing after it
  }

 private:
  origin::FetchObserver& observer_;
  origin::OriginFetchPtr inner_;
  std::shared_ptr<size_t> count_;
  WorkerMetrics& metrics_;
  uint64_t start_ns_ = 0;
  bool started_ = false;
  bool done_ = false;
};
}  // namespace

bool EdgeService::originCapacityLeft() const {
  return *fetches_in_flight_ < config_.edge.max_origin_fetches_per_worker;
}

std::unique_ptr<origin::OriginFetch> EdgeService::openFetch(origin::FetchRequest&& request,
                                                            origin::FetchObserver& observer) {
  auto counted = std::make_unique<CountedFetch>(observer, fetches_in_flight_, metrics_);
  origin::OriginFetchPtr inner = origins_.open(std::move(request), *counted);
  if (!inner) {
    metrics_.countOriginFetch(origin::FetchOutcome::ConnectError);  // as the caller answers
    return nullptr;
  }
  counted->attach(std::move(inner));
  if (!counted->start()) return nullptr;
  return counted;
}

OriginFill* EdgeService::startFill(FillPermit&& permit, FillPlan&& plan, FillClient* client) {
  auto fill = std::make_unique<OriginFill>(*this, std::move(permit), std::move(plan), client);
  OriginFill* raw = fill.get();
  fills_.emplace(raw, std::move(fill));
  // A fetch that cannot start finishes the fill at once (onFillGone told the client).
  return raw->start() ? raw : nullptr;
}

void EdgeService::noteUncacheable(KeyId key, int64_t now) {
  if (uncacheable_.size() >= 100000) {
    std::erase_if(uncacheable_, [now](const auto& kv) { return kv.second <= now; });
    if (uncacheable_.size() >= 100000) uncacheable_.clear();
  }
  uncacheable_[key] = now + kUncacheableMemoSeconds;
}

bool EdgeService::recentlyUncacheable(KeyId key, int64_t now) const {
  auto it = uncacheable_.find(key);
  return it != uncacheable_.end() && it->second > now;
}

void EdgeService::fillFinished(OriginFill* fill) {
  loop_.defer([this, fill] { fills_.erase(fill); });
}

ExchangeHandlerPtr EdgeService::onRequest(Exchange& ex) {
  auto fsm = std::make_unique<RequestFsm>(*this, ex);
  if (!fsm->start()) return nullptr;
  return fsm;
}

std::string EdgeService::newRequestId() {
  std::array<uint8_t, 40> bytes{};
  for (size_t i = 0; i < bytes.size(); i += 8) {
    uint64_t r = rng_();
    for (size_t j = 0; j < 8 && i + j < bytes.size(); ++j) bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  return policies::formatRequestId(bytes);
}

const std::string& EdgeService::httpDate() {
  const int64_t now = nowSeconds();
  if (now != date_second_) {
    date_second_ = now;
    date_ = policies::formatHttpDate(now);
  }
  return date_;
}

void EdgeService::sendGenerated(Exchange& ex, int status, std::string_view reason_html,
                                std::string_view request_id, policies::XCache x_cache,
                                bool close_after) {
  sendEdgeResponse(ex, status, "text/html",
                   policies::renderErrorPage(status, reason_html, request_id), request_id, x_cache,
                   close_after);
}

void EdgeService::sendEdgeResponse(Exchange& ex, int status, std::string_view content_type,
                                   std::string_view body, std::string_view request_id,
                                   policies::XCache x_cache, bool close_after) {
  policies::HeaderList headers;
  headers.add("Server", "CloudFront");
  headers.add("Date", httpDate());
  headers.add("Content-Type", std::string(content_type));
  const auto& req = ex.request();
  policies::stampEdgeHeaders(headers, {x_cache, request_id, config_.edge.pop_name, via_host_,
                                       req.http_major, req.http_minor});
  ex.sendHead(status, std::move(headers), body.size(), close_after);
  ex.sendBody(body.data(), body.size());
  ex.finish();
}

void EdgeService::answerParseError(Exchange& ex, int status, std::string_view reason) {
  (void)reason;  // the detail goes to the log (access-log issue); the page is CloudFront's
  const std::string id = newRequestId();
  const auto kind = status == 413 ? policies::EdgeErrorKind::RequestTooLarge
                                  : policies::EdgeErrorKind::BadRequest;
  // A 408 (head or body timeout) is no malformed request: its log line says plain Error.
  ex.setLogResult(id, status == 408 ? std::string_view() : policies::edgeError(kind).detailed_result);
  sendGenerated(ex, status, policies::edgeError(kind).reason_html, id, policies::XCache::Error,
                /*close_after=*/true);
}

void EdgeService::onExchangeEnd(const Exchange& ex, const ExchangeLog& log) {
  metrics_.countExchange(log.resultType(), log.status, log.bytes_received, log.bytes_sent);
  if (context_.access_log == nullptr) return;
  const policies::AccessLogRecord rec =
      makeAccessLogRecord(ex.request(), log, config_.edge, context_.clock.nowMs());
  log_line_.clear();  // keeps its capacity: no allocation per request
  policies::appendAccessLogLine(log_line_, rec);
  context_.access_log->append(log_line_);
}

}  // namespace edge::engine
