// The edge application on one worker loop: turns each viewer request into a RequestFsm and
// answers malformed requests with CloudFront's error pages. Owns what the requests of one loop
// share: the origin client (connection pool, curl multi handle), the request-id generator, the cached Date value. Loop thread only.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "engine/server/exchange.h"
#include "origin/origin_client.h"
#include "policies/config.h"
#include "policies/viewer_response.h"

namespace edge::engine {

class EdgeService final : public HttpService {
 public:
  EdgeService(Loop& loop, const policies::Config& config);
  ~EdgeService() override;

  ExchangeHandlerPtr onRequest(Exchange& ex) override;
  void answerParseError(Exchange& ex, int status, std::string_view reason) override;

  const policies::Config& config() const { return config_; }
  origin::OriginClient& origins() { return origins_; }
  const std::string& viaHost() const { return via_host_; }
  // A fresh X-Amz-Cf-Id.
  std::string newRequestId();
  // The current IMF-fixdate, recomputed at most once a second.
  const std::string& httpDate();

  // Sends a CloudFront-generated response (error page, §7.3) and finishes the exchange.
  void sendGenerated(Exchange& ex, int status, std::string_view reason_html,
                     std::string_view request_id, policies::XCache x_cache, bool close_after);

 private:
  Loop& loop_;
  const policies::Config& config_;
  origin::OriginClient origins_;
  std::string via_host_;
  std::mt19937_64 rng_;
  int64_t date_second_ = -1;
  std::string date_;
};

}  // namespace edge::engine
