// The life of one viewer request at the edge, as an explicit state machine (STYLE.md §b): each
// step is one function; the order follows cloudfront-behavior.md §1.1. Loop thread only.
//
//   Recv -> MatchBehavior -> ViewerChecks -> CacheLookup
//     CacheLookup --fresh / stale-while-revalidate--------------------------> ServeObject -> Done
//     CacheLookup --miss / stale--> Join --leader: PlanOrigin, OriginFill (origin_fill.h)
//                                                                           --> ServeObject
//                                       --follower: the leader's object as it arrives--> ServeObject
//     CacheLookup --not cacheable (method, policy)--> PlanOrigin -> Fetch -> Deliver -> Done
//                                                                               (pass-through)
//   Any step --------------------------------------------------------------> Synth (error page)
//
// Every answer records a CacheOutcome (policies/cache_status.h) with its reason: the X-Cache
// value, the debug header (Edge.DebugHeaders) and the access log (through the X-Cache value the
// connection records, plus the detailed error kind given to Exchange::setLogResult) come from it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/cache/cache_store.h"
#include "engine/pipeline/body_writer.h"
#include "engine/pipeline/origin_fill.h"
#include "engine/server/exchange.h"
#include "origin/origin_fetch.h"
#include "policies/cache_key.h"
#include "policies/cache_settings.h"
#include "policies/cache_status.h"
#include "policies/config.h"
#include "policies/object_response.h"
#include "policies/viewer_response.h"

namespace edge::engine {

class EdgeService;

class RequestFsm final : public ExchangeHandler,
                         private origin::FetchObserver,
                         private FillClient {
 public:
  enum class Step : uint8_t {
    Recv,           // request head parsed; request id assigned
    MatchBehavior,  // first matching cache behaviour (§1.2)
    ViewerChecks,   // allowed methods, GET with body, signed URL/cookies (§1.1 steps 4–7)
    PlanOrigin,     // default root object, origin request headers (§1.6, §13)
    CacheLookup,    // cache key (§2), stored object and its freshness (§3)
    Join,           // miss or stale: lead a fill or follow the one in flight (§9.3)
    ServeObject,    // the viewer reads a cached or arriving object (§3.6, §9.1, §9.2)
    Fetch,          // pass-through origin request in flight; request body streaming to it
    Deliver,        // pass-through origin response streaming to the viewer
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
  // FetchObserver (pass-through requests)
  void onOriginHead(int status, policies::HeaderList&& headers) override;
  bool onOriginBody(const char* data, size_t len) override;
  void onRequestBodyDrained() override;
  void onOriginDone(origin::FetchOutcome outcome, bool head_received) override;

  // FillClient (the fill this request leads)
  void onFillDecided(policies::CacheOutcome outcome, bool pass_through,
                     policies::HeaderList&& leader_headers, std::string ttl_reason) override;
  void onPassHead(int status, policies::HeaderList&& origin_headers) override;
  bool onPassBody(const char* data, size_t len, bool must_take) override;
  bool passBlocked() const override;
  void onPassDone(origin::FetchOutcome outcome, bool head_received) override;
  void onFillGone() override;

  // The request being served: the viewer's, or the custom error page's (§7.1).
  const policies::ViewerRequest& req() const;
  // §7.1: CustomErrorResponses has a ResponsePagePath for `status` and no page is being served.
  bool wantsErrorPage(int status) const;
  // Serves the configured page instead (a fresh pass through the steps for its path).
  bool restartForErrorPage(int status);
  int viewerStatus(int status) const;

  bool stepMatchBehavior();
  bool stepViewerChecks();
  // §5: signed URL / signed cookies on a behaviour with TrustedKeyGroups; answers the 403.
  bool checkSignature();
  bool stepPlanOrigin();  // once; hits skip it
  bool planOrigin();      // fills pending_request_; false when the target has no origin
  bool stepCacheLookup();
  bool stepJoin();
  bool stepFetch();
  void synth(policies::EdgeErrorKind kind);
  void transition(Step next);

  // ServeObject: starts reading `reader`'s object for the viewer.
  bool serveObject(BodyReader&& reader, policies::CacheOutcome outcome);
  // Moves the object's head and bytes to the viewer as far as they are available and the
  // connection accepts. Called on start, on the reader's wake-ups and when writable.
  void pump();
  void sendObjectHead(const CachedObject& obj);
  void finishObject();
  void onObjectFailed(const CachedObject& obj);
  // The origin request for a fill: HEAD fetched as GET, viewer conditionals and Range removed
  // (the edge answers them from the object), validators of `stale` added (§3.6).
  FillPlan makeFillPlan(CachedObjectPtr stale) const;
  // The object's path as invalidations match it (only needed when filling).
  const std::string& keyPath();
  // §3.7: one background refresh per key; this viewer is served the stale copy meanwhile.
  void revalidateInBackground(const CachedObjectPtr& stale);
  void detachFill();
  std::string debugReason(const CachedObject* obj) const;

  // Pass-through delivery (shared by bypassed requests and fills that turned out uncacheable).
  void deliverHead(int status, policies::HeaderList&& headers);
  // MaxTTL 0: stores a cacheable error response (§3.3) while it passes through.
  void startErrorFill(int status, const policies::HeaderList& headers);
  bool deliverBody(const char* data, size_t len, bool must_take = false);
  void deliverDone(origin::FetchOutcome outcome, bool head_received);

  static constexpr size_t kBodyHighWater = 1 << 20;
  static constexpr size_t kBodyLowWater = 256 << 10;
  static constexpr uint64_t kReadBatchBytes = 256 << 10;
  static constexpr int kMaxRejoins = 3;

  EdgeService& service_;
  Exchange& ex_;
  Step step_ = Step::Recv;
  std::string request_id_;
  const policies::Behavior* behavior_ = nullptr;
  const policies::Origin* origin_ = nullptr;
  const policies::BehaviorCacheSettings* settings_ = nullptr;
  std::string path_;  // after DefaultRootObject
  bool planned_ = false;  // pending_request_ is ready
  origin::FetchRequest pending_request_;

  // Pass-through.
  std::unique_ptr<origin::OriginFetch> fetch_;
  bool body_paused_ = false;

  // Cache.
  policies::CacheKey key_;
  std::string key_path_;  // what invalidations match (CacheKeyParts::pathAndQuery)
  std::optional<policies::NoCacheReason> no_cache_;
  policies::CacheOutcome outcome_ = policies::CacheOutcome::Miss;
  CachedObjectPtr stale_;
  OriginFill* fill_ = nullptr;  // the fill this request leads, while it runs
  bool leader_ = false;
  bool pass_through_ = false;   // the led fill's response was not shareable
  policies::HeaderList leader_headers_;
  std::string ttl_reason_;
  int rejoins_ = 0;
  bool error_fill_ = false;  // pass-through that may store an error response (MaxTTL 0)
  FillPermit error_permit_;
  BodyReader reader_;
  policies::ObjectResponsePlan plan_;
  BodyWriter writer_;
  std::vector<BodyChunk> chunks_;

  // Custom error page (§7.1).
  std::optional<policies::ViewerRequest> page_request_;
  int error_status_ = 0;       // ResponseCode (or the original status) the page is served with
  int page_after_fetch_ = 0;   // an origin error whose body is being dropped for the page
  uint32_t generation_ = 0;    // bumped on a restart: stale callers stop
};

}  // namespace edge::engine
