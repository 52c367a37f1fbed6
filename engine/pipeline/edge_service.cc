#include "engine/pipeline/edge_service.h"

#include <ctime>

#include "engine/pipeline/request_fsm.h"
#include "engine/uv/loop.h"
#include "policies/http_date.h"

namespace edge::engine {

EdgeService::EdgeService(Loop& loop, const policies::Config& config)
    : loop_(loop),
      config_(config),
      origins_(loop.raw()),
      via_host_(policies::viaHostFor(config.edge.pop_name)),
      rng_(std::random_device{}()) {}

EdgeService::~EdgeService() = default;

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
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (now != date_second_) {
    date_second_ = now;
    date_ = policies::formatHttpDate(now);
  }
  return date_;
}

void EdgeService::sendGenerated(Exchange& ex, int status, std::string_view reason_html,
                                std::string_view request_id, policies::XCache x_cache,
                                bool close_after) {
  const std::string body = policies::renderErrorPage(status, reason_html, request_id);
  policies::HeaderList headers;
  headers.add("Server", "CloudFront");
  headers.add("Date", httpDate());
  headers.add("Content-Type", "text/html");
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
  sendGenerated(ex, status, policies::edgeError(kind).reason_html, id, policies::XCache::Error,
                /*close_after=*/true);
}

}  // namespace edge::engine
