// The edge application on one worker loop: turns each viewer request into a RequestFsm and
// answers malformed requests with CloudFront's error pages. Owns what the requests of one loop
// share: the origin client, the cache settings resolved per behaviour, the origin fills in flight
// (origin_fill.h), the request-id generator, the cached Date value. Loop thread only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>

#include "engine/metrics/worker_metrics.h"
#include "engine/pipeline/edge_context.h"
#include "engine/pipeline/origin_fill.h"
#include "engine/server/exchange.h"
#include "origin/origin_client.h"
#include "policies/cache_settings.h"
#include "policies/config.h"
#include "policies/signature_memo.h"
#include "policies/signed_keys.h"
#include "policies/viewer_response.h"

namespace edge::engine {

class EdgeService final : public HttpService {
 public:
  // `metrics`: this worker's counters, written from this loop only.
  EdgeService(Loop& loop, const EdgeContext& context, WorkerMetrics& metrics);
  ~EdgeService() override;

  ExchangeHandlerPtr onRequest(Exchange& ex) override;
  void answerParseError(Exchange& ex, int status, std::string_view reason) override;
  // Every exchange's end is counted (metrics); with Edge.AccessLog on, its line is formatted
  // here and handed to the writer.
  ExchangeReport exchangeReport() const override {
    return context_.access_log != nullptr ? ExchangeReport::Full : ExchangeReport::Counts;
  }
  void onExchangeEnd(const Exchange& ex, const ExchangeLog& log) override;
  void onConnectionOpened() override { bump(metrics_.connections_opened); }
  void onConnectionClosed() override { bump(metrics_.connections_closed); }

  // This worker's counters (GET /metrics).
  WorkerMetrics& metrics() { return metrics_; }

  const policies::Config& config() const { return config_; }
  Loop& loop() { return loop_; }
  CacheStore& store() { return context_.store; }
  // The edge clock (TestClock may have moved it forward), epoch seconds.
  int64_t nowSeconds() const { return context_.clock.nowSeconds(); }
  // The behaviour's cache settings, resolved once at start.
  const policies::BehaviorCacheSettings& cacheSettings(const policies::Behavior& behavior) const;
  // §5: the public keys a behaviour's TrustedKeyGroups name, parsed once at start, and this
  // worker's memo of verified signatures (a repeated signed URL skips the RSA/ECDSA verify).
  const policies::TrustedKeys& trustedKeys(const policies::Behavior& behavior) const;
  policies::SignatureMemo& signatureMemo() { return signature_memo_; }

  // §12: the SigV4 signer for requests to `origin` (origin access control), built once at
  // start; null when the origin's requests go unsigned.
  const policies::OriginSigner* originSigner(const policies::Origin& origin) const;

  origin::OriginClient& origins() { return origins_; }
  // Edge.MaxOriginFetchesPerWorker: false when this worker's origin fetches are at the limit (a
  // request needing one more answers 503 CapacityExceeded instead, §7.4).
  bool originCapacityLeft() const;
  size_t originFetchesInFlight() const { return *fetches_in_flight_; }
  // A started origin fetch reporting to `observer`, or null when it could not start.
  std::unique_ptr<origin::OriginFetch> openFetch(origin::FetchRequest&& request,
                                                 origin::FetchObserver& observer);
  // Starts a fill owned by this service. Returns it (also when its fetch failed to start: the
  // failure then already reached the object's readers), or null when it is already gone.
  OriginFill* startFill(FillPermit&& permit, FillPlan&& plan, FillClient* client);
  // A fill ended; it is destroyed on a later iteration.
  void fillFinished(OriginFill* fill);
  size_t fillsInFlight() const { return fills_.size(); }

  // Hit-for-miss (Varnish's term): a key whose last response could not be shared is fetched
  // without collapsing for a while, so concurrent viewers do not queue behind each other's
  // uncacheable responses (§9.3 "no collapsing for such objects"). Per worker; keyed by the
  // key's 64-bit id (a collision only turns collapsing off for the other key).
  void noteUncacheable(KeyId key, int64_t now);
  bool recentlyUncacheable(KeyId key, int64_t now) const;
  static constexpr int64_t kUncacheableMemoSeconds = 60;
  const std::string& viaHost() const { return via_host_; }
  // A fresh X-Amz-Cf-Id.
  std::string newRequestId();
  // The current IMF-fixdate, recomputed at most once a second.
  const std::string& httpDate();

  // Sends a CloudFront-generated response (error page, §7.3) and finishes the exchange.
  void sendGenerated(Exchange& ex, int status, std::string_view reason_html,
                     std::string_view request_id, policies::XCache x_cache, bool close_after);
  // The same for any body the edge itself produces (the §5.7 XML refusals).
  void sendEdgeResponse(Exchange& ex, int status, std::string_view content_type,
                        std::string_view body, std::string_view request_id,
                        policies::XCache x_cache, bool close_after);

 private:
  Loop& loop_;
  EdgeContext context_;
  WorkerMetrics& metrics_;
  const policies::Config& config_;
  origin::OriginClient origins_;
  std::unordered_map<const policies::Behavior*, policies::BehaviorCacheSettings> settings_;
  std::unordered_map<const policies::Behavior*, policies::TrustedKeys> trusted_keys_;
  policies::SignatureMemo signature_memo_;
  std::unordered_map<const policies::Origin*, policies::OriginSigner> origin_signers_;
  std::unordered_map<OriginFill*, std::unique_ptr<OriginFill>> fills_;
  // Origin fetches alive on this loop (shared with each fetch's counting wrapper).
  std::shared_ptr<size_t> fetches_in_flight_ = std::make_shared<size_t>(0);
  std::unordered_map<KeyId, int64_t> uncacheable_;  // key → until (epoch s)
  std::string via_host_;
  std::mt19937_64 rng_;
  int64_t date_second_ = -1;
  std::string date_;
  std::string log_line_;  // the access log line being formatted (reused)
};

}  // namespace edge::engine
