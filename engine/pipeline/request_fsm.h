// The life of one viewer request at the edge, as an explicit state machine (STYLE.md §b): each
// step is one function; the order follows cloudfront-behavior.md §1.1. Loop thread only.
//
//   Recv -> MatchBehavior -> ViewerChecks -> PlanOrigin -> Fetch -> Deliver -> Done
//                                 \--------------\-----------\------> Synth (error page) -> Done
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/server/exchange.h"
#include "origin/origin_fetch.h"
#include "policies/config.h"
#include "policies/viewer_response.h"

namespace edge::engine {

class EdgeService;

class RequestFsm final : public ExchangeHandler, private origin::FetchObserver {
 public:
  enum class Step : uint8_t {
    Recv,           // request head parsed; request id assigned
    MatchBehavior,  // first matching cache behaviour (§1.2)
    ViewerChecks,   // allowed methods, GET with body (§1.1 steps 6–7)
    PlanOrigin,     // default root object, origin request headers (§1.6, §13)
    Fetch,          // origin request in flight; request body streaming to it
    Deliver,        // origin response streaming to the viewer
    Synth,          // CloudFront-generated response (error page)
    Done,           // response complete or connection gone
  };
  static std::string_view toString(Step s);

  RequestFsm(EdgeService& service, Exchange& ex);
  ~RequestFsm() override;

  // Runs the synchronous steps. Returns false when the exchange was answered already (the
  // handler is then not needed).
  bool start();
  Step step() const { return step_; }

  // ExchangeHandler
  void onRequestBody(const char* data, size_t len) override;
  void onRequestComplete() override;
  void onWritable() override;
  void onViewerGone() override;

 private:
  // FetchObserver
  void onOriginHead(int status, policies::HeaderList&& headers) override;
  bool onOriginBody(const char* data, size_t len) override;
  void onRequestBodyDrained() override;
  void onOriginDone(origin::FetchOutcome outcome, bool head_received) override;

  bool stepMatchBehavior();
  bool stepViewerChecks();
  bool stepPlanOrigin();
  bool stepFetch();
  void synth(policies::EdgeErrorKind kind);
  void transition(Step next);

  static constexpr size_t kBodyHighWater = 1 << 20;
  static constexpr size_t kBodyLowWater = 256 << 10;

  EdgeService& service_;
  Exchange& ex_;
  Step step_ = Step::Recv;
  std::string request_id_;
  const policies::Behavior* behavior_ = nullptr;
  const policies::Origin* origin_ = nullptr;
  std::unique_ptr<origin::OriginFetch> fetch_;
  origin::FetchRequest pending_request_;
  bool body_paused_ = false;
};

}  // namespace edge::engine
