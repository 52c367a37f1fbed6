#include "engine/pipeline/request_fsm.h"

#include "engine/pipeline/edge_service.h"
#include "policies/behavior_match.h"
#include "policies/freshness.h"
#include "policies/origin_request.h"
#include "policies/signed_request.h"
#include "policies/vary.h"

namespace edge::engine {

using policies::CacheOutcome;
using policies::EdgeErrorKind;

std::string_view RequestFsm::toString(Step s) {
  switch (s) {
    case Step::Recv: return "Recv";
    case Step::MatchBehavior: return "MatchBehavior";
    case Step::ViewerChecks: return "ViewerChecks";
    case Step::PlanOrigin: return "PlanOrigin";
    case Step::CacheLookup: return "CacheLookup";
    case Step::Join: return "Join";
    case Step::ServeObject: return "ServeObject";
    case Step::Fetch: return "Fetch";
    case Step::Deliver: return "Deliver";
    case Step::Synth: return "Synth";
    case Step::Done: return "Done";
  }
  return "?";
}

RequestFsm::RequestFsm(EdgeService& service, Exchange& ex) : service_(service), ex_(ex) {}

RequestFsm::~RequestFsm() {
  detachFill();
  reader_.reset();
}

void RequestFsm::transition(Step next) { step_ = next; }

const policies::ViewerRequest& RequestFsm::req() const {
  return page_request_ ? *page_request_ : ex_.request();
}

// ---- custom error responses (§7.1) ---------------------------------------------------------------

bool RequestFsm::wantsErrorPage(int status) const {
  if (page_request_ || status < 400 || ex_.headSent()) return false;
  for (const auto& cer : service_.config().distribution.custom_error_responses) {
    if (cer.error_code == status && !cer.response_page_path.empty()) return true;
  }
  return false;
}

bool RequestFsm::restartForErrorPage(int status) {
  const policies::CustomErrorResponse* cer = nullptr;
  for (const auto& c : service_.config().distribution.custom_error_responses) {
    if (c.error_code == status && !c.response_page_path.empty()) cer = &c;
  }
  if (cer == nullptr) return false;
  // The page is fetched as a normal request: the first behaviour matching its path decides the
  // origin and the caching (§7.1). It is answered with ResponseCode (or the original status).
  error_status_ = cer->response_code.value_or(status);
  policies::ViewerRequest page = ex_.request();
  const std::string& target = cer->response_page_path;
  const size_t q = target.find('?');
  page.path = target.substr(0, q);
  page.query = q == std::string::npos ? "" : target.substr(q + 1);
  page.has_query = q != std::string::npos;
  page.method = policies::Method::Get;
  page.method_name = "GET";
  page.has_body = false;
  removeViewerConditionals(page.headers);
  page.headers.remove("content-length");
  page.headers.remove("transfer-encoding");
  page_request_ = std::move(page);
  ++generation_;
  error_fill_ = false;
  fetch_.reset();
  detachFill();
  reader_.reset();
  stale_.reset();
  leader_ = false;
  pass_through_ = false;
  leader_headers_ = {};
  rejoins_ = 0;
  pending_request_ = {};
  planned_ = false;
  if (!stepMatchBehavior() || !stepViewerChecks()) return true;
  stepCacheLookup();
  return true;
}

int RequestFsm::viewerStatus(int status) const {
  // Serving a custom error page: its ResponseCode, unless fetching the page failed too (then the
  // status of that failure, §7.1).
  if (page_request_ && status < 400) return error_status_;
  return status;
}

void RequestFsm::detachFill() {
  if (fill_ == nullptr) return;
  OriginFill* f = fill_;
  fill_ = nullptr;
  f->detachClient();
}

bool RequestFsm::start() {
  request_id_ = service_.newRequestId();
  ex_.setLogResult(request_id_, {});
  // A refused request is answered (Done) unless a custom error page is being fetched for it.
  if (!stepMatchBehavior() || !stepViewerChecks()) return step_ != Step::Done;
  return stepCacheLookup();
}

bool RequestFsm::stepMatchBehavior() {
  transition(Step::MatchBehavior);
  behavior_ = &policies::matchBehavior(service_.config().distribution, req().path);
  settings_ = &service_.cacheSettings(*behavior_);
  return true;
}

bool RequestFsm::stepViewerChecks() {
  transition(Step::ViewerChecks);
  const auto& req = this->req();
  if (!behavior_->allows(req.method)) {
    synth(EdgeErrorKind::MethodNotAllowed);
    return false;
  }
  // §1.1 step 7: GET requests that include a body are rejected.
  if ((req.method == policies::Method::Get || req.method == policies::Method::Head) && req.has_body) {
    synth(EdgeErrorKind::GetWithBody);
    return false;
  }
  return !policies::requiresSignedRequests(*behavior_) || checkSignature();
}

bool RequestFsm::checkSignature() {
  // §5: the viewer's own request is checked (a custom error page's fetch carries its cookies).
  const policies::SignedCheck check =
      policies::checkSignedRequest(req(), "http", service_.trustedKeys(*behavior_),
                                   service_.signatureMemo(), service_.nowSeconds());
  if (check.ok()) return true;
  service_.metrics().countSignedRefusal(*check.failure);
  // §5.7: a 403 the edge generates, never cached; custom error pages for 403 apply (inf).
  if (wantsErrorPage(403)) {
    restartForErrorPage(403);
    return false;
  }
  transition(Step::Synth);
  service_.sendEdgeResponse(ex_, 403, "text/xml", policies::signedFailureBody(*check.failure),
                            request_id_, policies::XCache::Error, /*close_after=*/false);
  transition(Step::Done);
  return false;
}

bool RequestFsm::stepPlanOrigin() {
  if (planned_) return true;
  transition(Step::PlanOrigin);
  if (!planOrigin()) {  // the config loader rejects this; never on a valid config
    synth(EdgeErrorKind::OriginConnectError);
    return false;
  }
  return true;
}

bool RequestFsm::planOrigin() {
  if (planned_) return true;
  const auto& config = service_.config();
  origin_ = config.findOrigin(behavior_->target_origin_id);
  if (origin_ == nullptr) {
    // An origin group: until failover lands (later issue) its primary member serves.
    for (const auto& g : config.distribution.origin_groups) {
      if (g.id == behavior_->target_origin_id && !g.member_origin_ids.empty()) {
        origin_ = config.findOrigin(g.member_origin_ids.front());
      }
    }
  }
  if (origin_ == nullptr) return false;
  const auto& req = this->req();
  policies::OriginRequestPlan plan = policies::planOriginRequest(
      {req, *behavior_, *origin_, config, path_, request_id_, service_.viaHost()});

  const bool https = origin_->protocol_policy == policies::OriginProtocolPolicy::HttpsOnly;
  const uint16_t port = https ? origin_->https_port : origin_->http_port;
  origin::FetchRequest& f = pending_request_;
  f.method = std::move(plan.method);
  f.https = https;
  f.host = origin_->domain_name;
  f.port = port;
  f.path_and_query = std::move(plan.path_and_query);
  f.headers = std::move(plan.headers);
  f.has_body = req.has_body;
  if (auto cl = req.headers.get("content-length"); cl && !req.headers.has("transfer-encoding")) {
    f.body_length = policies::parseContentLength(*cl);
  }
  if (auto it = config.edge.origin_address_overrides.find(origin_->domain_name);
      it != config.edge.origin_address_overrides.end()) {
    f.connect_host = it->second.host;
    f.connect_port = it->second.port;
  } else {
    f.connect_host = origin_->domain_name;
    f.connect_port = port;
  }
  f.connection_attempts = origin_->connection_attempts;
  f.connect_timeout_s = origin_->connection_timeout_s;
  f.read_timeout_s = origin_->read_timeout_s;
  f.keepalive_timeout_s = origin_->keepalive_timeout_s;
  f.completion_timeout_s = origin_->response_completion_timeout_s;
  f.retry_read_timeout = req.method == policies::Method::Get || req.method == policies::Method::Head;
  f.signer = service_.originSigner(*origin_);
  planned_ = true;
  return true;
}

// ---- cache ---------------------------------------------------------------------------------------

bool RequestFsm::stepCacheLookup() {
  transition(Step::CacheLookup);
  const auto& req = this->req();
  path_ = policies::applyDefaultRootObject(req.path,
                                           service_.config().distribution.default_root_object);
  key_ = policies::makeCacheKey(settings_->key, req, service_.config().edge.domain_name, path_);
  key_path_.clear();  // computed on a miss (keyPath)
  no_cache_ = policies::requestNoCacheReason(req.method, *settings_, key_);
  if (no_cache_) {
    outcome_ = CacheOutcome::Bypass;
    ttl_reason_ = std::string(policies::toString(*no_cache_));
    return stepPlanOrigin() && stepFetch();
  }
  if (CachedObjectPtr obj = service_.store().lookup(key_)) {
    const auto use = policies::evaluateFreshness(obj->freshness(), service_.nowSeconds());
    switch (use.status) {
      case policies::Usability::Fresh:
        return serveObject(BodyReader(std::move(obj)), CacheOutcome::Hit);
      case policies::Usability::StaleWhileRevalidate:
        revalidateInBackground(obj);
        return serveObject(BodyReader(std::move(obj)), CacheOutcome::StaleWhileRevalidate);
      case policies::Usability::MustRevalidate:
      case policies::Usability::Expired:
        stale_ = std::move(obj);
        break;
    }
  }
  if (settings_->ttl.max_ttl == 0) {
    // CachingDisabled-like TTLs: no 2xx/3xx is ever stored and nothing collapses (§9.3); only
    // an error may be stored, for ErrorCachingMinTTL (§3.3). Straight to the origin, keeping an
    // error response on the way (deliverHead).
    outcome_ = CacheOutcome::Bypass;
    ttl_reason_ = "MaxTTL 0";
    error_fill_ = req.method == policies::Method::Get && !req.headers.has("range");
    stale_.reset();
    return stepPlanOrigin() && stepFetch();
  }
  return stepJoin();
}

const std::string& RequestFsm::keyPath() {
  if (key_path_.empty()) {
    key_path_ = policies::makeCacheKeyParts(settings_->key, req(),
                                            service_.config().edge.domain_name, path_)
                    .pathAndQuery();
  }
  return key_path_;
}

FillPlan RequestFsm::makeFillPlan(CachedObjectPtr stale) const {
  FillPlan p;
  p.behavior = behavior_;
  p.settings = settings_;
  p.method = req().method;
  p.request = pending_request_;
  if (p.request.method == "HEAD") p.request.method = "GET";
  removeViewerConditionals(p.request.headers);
  if (stale && stale->freshness().conditional_revalidation && stale->freshness().has_validators) {
    policies::HeaderList validators = policies::revalidationHeaders(stale->headers());
    for (auto& h : validators.items()) {
      // §4.6: the edge made the origin's strong ETag weak on compressing; the origin is asked
      // with its own form (weak comparison, RFC 9110 §13.1.2, treats both alike).
      if (stale->head().edge_coding != policies::ContentCoding::Identity &&
          policies::iequals(h.name, "if-none-match") && h.value.starts_with("W/")) {
        h.value.erase(0, 2);
      }
      p.request.headers.add(std::move(h.name), std::move(h.value));
    }
    p.revalidating = true;
  }
  p.stale = std::move(stale);
  if (settings_->compress_gzip || settings_->compress_brotli) {
    const auto& k = settings_->key;
    p.offered = policies::offeredCoding(
        policies::normalizedAcceptEncoding(req(), k.gzip, k.brotli, k.compress),
        settings_->compress_gzip, settings_->compress_brotli);
  }
  return p;
}

bool RequestFsm::stepJoin() {
  transition(Step::Join);
  auto& store = service_.store();
  auto wake = [this] { pump(); };
  const bool collapse =
      settings_->collapse && !service_.recentlyUncacheable(key_.hash.low64, service_.nowSeconds());
  JoinResult r = collapse
                     ? store.join(key_, keyPath(), ex_.loop(), wake, stale_.get())
                     : store.startFill(key_, keyPath(), ex_.loop(), wake);
  switch (r.role) {
    case JoinRole::Hit:
      return serveObject(std::move(r.reader), CacheOutcome::Hit);
    case JoinRole::Follower:
      return serveObject(std::move(r.reader), CacheOutcome::CollapsedFollower);
    case JoinRole::Leader:
      break;
  }
  // Edge.MaxOriginFetchesPerWorker: shed the miss rather than queue it (§7.4 CapacityExceeded).
  // Followers that joined meanwhile (another worker) get the same page.
  if (!service_.originCapacityLeft()) {
    r.reader.reset();
    r.permit.abandon(FillFailure::OriginFailed, EdgeErrorKind::ServiceUnavailable);
    synth(EdgeErrorKind::ServiceUnavailable);
    return false;
  }
  // The origin request is planned only now: hits never need it.
  if (!stepPlanOrigin()) return false;
  leader_ = true;
  outcome_ = CacheOutcome::Miss;
  reader_ = std::move(r.reader);
  transition(Step::Fetch);
  fill_ = service_.startFill(std::move(r.permit), makeFillPlan(stale_), this);
  if (pass_through_) return step_ != Step::Done;
  // The leader reads its own fill like any follower (the reader came with the permit).
  transition(Step::ServeObject);
  pump();
  return step_ != Step::Done;
}

void RequestFsm::revalidateInBackground(const CachedObjectPtr& stale) {
  if (!service_.originCapacityLeft()) return;  // the stale copy serves; a later request refreshes
  if (!planOrigin()) return;
  JoinResult r = service_.store().join(key_, keyPath(), ex_.loop(), [] {}, stale.get());
  if (r.role != JoinRole::Leader) return;  // a refresh is in flight already
  service_.startFill(std::move(r.permit), makeFillPlan(stale), nullptr);
}

bool RequestFsm::serveObject(BodyReader&& reader, CacheOutcome outcome) {
  transition(Step::ServeObject);
  outcome_ = outcome;
  reader_ = std::move(reader);
  pump();
  return step_ != Step::Done;
}

void RequestFsm::pump() {
  if (step_ != Step::ServeObject || !reader_) return;
  const CachedObjectPtr obj = reader_.object();
  if (!ex_.headSent()) {
    if (obj->failed()) {
      onObjectFailed(*obj);
      return;
    }
    if (!obj->hasHead()) return;  // woken when it arrives
    const uint32_t generation = generation_;
    sendObjectHead(*obj);
    if (step_ != Step::ServeObject || generation != generation_) return;
  }
  for (;;) {
    if (ex_.writeBlocked()) return;  // onWritable resumes
    chunks_.clear();
    const ReadStatus st = reader_.read(chunks_, kReadBatchBytes);
    for (const BodyChunk& c : chunks_) writer_.write(c);
    chunks_.clear();
    if (writer_.done()) {
      finishObject();
      return;
    }
    switch (st) {
      case ReadStatus::Data:
        continue;
      case ReadStatus::Wait:
        return;
      case ReadStatus::End:
        finishObject();
        return;
      case ReadStatus::Failed:
        // Broken after the head: cut the connection so the viewer sees the truncation.
        transition(Step::Done);
        reader_.reset();
        ex_.setLogResult({}, "OriginReadError");
        ex_.abort();
        return;
    }
  }
}

void RequestFsm::sendObjectHead(const CachedObject& obj) {
  const auto& req = this->req();
  const auto& config = service_.config();
  const int64_t now = service_.nowSeconds();
  std::optional<uint64_t> length = obj.head().content_length;
  if (obj.complete()) length = obj.bodyBytes();
  if (wantsErrorPage(obj.status())) {
    restartForErrorPage(obj.status());
    return;
  }
  plan_ = policies::planObjectResponse(
      {req, obj.status(), obj.headers(), length, obj.freshness().stored_at});
  plan_.status = viewerStatus(plan_.status);
  policies::HeaderList headers = std::move(plan_.headers);
  plan_.headers = {};
  if (outcome_ != CacheOutcome::Miss) {
    // §3.9: served from the cache: the object's age (its origin Age carried on).
    headers.set("Age", std::to_string(policies::currentAge(obj.freshness(), now)));
  }
  for (const auto& h : leader_headers_) headers.add(h.name, h.value);
  if (!headers.has("date")) headers.add("Date", service_.httpDate());
  if (config.edge.debug_headers) headers.add("X-Edged-Cache-Reason", debugReason(&obj));
  policies::stampEdgeHeaders(
      headers, {page_request_ ? policies::XCache::Error : policies::xCacheFor(outcome_, plan_.status),
                request_id_, config.edge.pop_name,
                service_.viaHost(), req.http_major, req.http_minor});
  ex_.sendHead(plan_.status, std::move(headers), plan_.content_length);
  if (!plan_.send_body || req.method == policies::Method::Head) {
    transition(Step::Done);
    reader_.reset();
    ex_.finish();
    return;
  }
  writer_.begin(ex_, plan_);
}

void RequestFsm::finishObject() {
  writer_.end();
  transition(Step::Done);
  reader_.reset();
  ex_.finish();
}

void RequestFsm::onObjectFailed(const CachedObject& obj) {
  const FillFailure failure = obj.failure();
  const std::optional<EdgeErrorKind> error = obj.error();
  reader_.reset();
  if (leader_) {
    // Our own fill: it failed before any response head (a head would have been served).
    synth(error.value_or(EdgeErrorKind::OriginInvalidResponse));
    return;
  }
  switch (adviseFollower(failure, error.has_value(), ex_.headSent())) {
    case FollowerAction::Rejoin:
      if (++rejoins_ <= kMaxRejoins) {
        stepJoin();
        return;
      }
      [[fallthrough]];
    case FollowerAction::FetchAlone:
      outcome_ = CacheOutcome::Bypass;
      if (stepPlanOrigin()) stepFetch();
      return;
    case FollowerAction::ServeError:
      synth(error.value_or(EdgeErrorKind::OriginInvalidResponse));
      return;
    case FollowerAction::Abort:
      transition(Step::Done);
      ex_.abort();
      return;
  }
}

std::string RequestFsm::debugReason(const CachedObject* obj) const {
  std::string out(policies::toString(outcome_));
  if (outcome_ == CacheOutcome::Bypass) return out + "; " + ttl_reason_;
  if (obj != nullptr) {
    const auto& f = obj->freshness();
    out += "; ttl=" + std::to_string(f.ttl) + "; age=" +
           std::to_string(policies::currentAge(f, service_.nowSeconds()));
    const std::string& reason = obj->head().ttl_reason.empty() ? ttl_reason_ : obj->head().ttl_reason;
    if (!reason.empty()) out += "; " + reason;
  }
  return out;
}

// ---- FillClient ----------------------------------------------------------------------------------

void RequestFsm::onFillDecided(CacheOutcome outcome, bool pass_through,
                               policies::HeaderList&& leader_headers, std::string ttl_reason) {
  outcome_ = outcome;
  ttl_reason_ = std::move(ttl_reason);
  leader_headers_ = std::move(leader_headers);
  if (pass_through) {
    pass_through_ = true;
    reader_.reset();  // the object is abandoned for the followers; this viewer gets the response
    transition(Step::Fetch);
  }
}

void RequestFsm::onPassHead(int status, policies::HeaderList&& origin_headers) {
  deliverHead(status, std::move(origin_headers));
}

bool RequestFsm::onPassBody(const char* data, size_t len, bool must_take) {
  return deliverBody(data, len, must_take);
}

bool RequestFsm::passBlocked() const { return ex_.writeBlocked(); }

void RequestFsm::onPassDone(origin::FetchOutcome outcome, bool head_received) {
  deliverDone(outcome, head_received);
}

void RequestFsm::onFillGone() { fill_ = nullptr; }

// ---- pass-through --------------------------------------------------------------------------------

bool RequestFsm::stepFetch() {
  transition(Step::Fetch);
  if (!service_.originCapacityLeft()) {
    synth(EdgeErrorKind::ServiceUnavailable);
    return false;
  }
  fetch_ = service_.openFetch(std::move(pending_request_), static_cast<origin::FetchObserver&>(*this));
  if (!fetch_) {
    synth(EdgeErrorKind::OriginConnectError);
    return false;
  }
  return true;
}

void RequestFsm::synth(EdgeErrorKind kind) {
  const policies::EdgeError err = policies::edgeError(kind);
  const bool origin_failure = kind != EdgeErrorKind::BadRequest &&
                              kind != EdgeErrorKind::RequestTooLarge &&
                              kind != EdgeErrorKind::MethodNotAllowed &&
                              kind != EdgeErrorKind::GetWithBody;
  if (origin_failure && wantsErrorPage(err.status)) {
    restartForErrorPage(err.status);
    return;
  }
  transition(Step::Synth);
  ex_.setLogResult({}, err.detailed_result);
  // A request body still unread closes the connection after the page (see Connection::sendHead).
  const bool close_after =
      kind == EdgeErrorKind::RequestTooLarge || kind == EdgeErrorKind::BadRequest;
  service_.sendGenerated(ex_, err.status, err.reason_html, request_id_, policies::XCache::Error,
                         close_after);
  transition(Step::Done);
}

void RequestFsm::onRequestBody(const char* data, size_t len) {
  if (!fetch_) return;
  fetch_->pushBody(data, len);
  if (!body_paused_ && fetch_->bufferedBody() > kBodyHighWater) {
    body_paused_ = true;
    ex_.pauseRequestBody(true);
  }
}

void RequestFsm::onRequestComplete() {
  if (fetch_) fetch_->endBody();
}

void RequestFsm::onWritable() {
  if (fetch_) fetch_->resumeResponse();
  if (pass_through_ && fill_ != nullptr) fill_->resumePassThrough();
  if (step_ == Step::ServeObject) pump();
}

void RequestFsm::onViewerGone() {
  fetch_.reset();  // cancels the transfer
  detachFill();    // the fill goes on for its followers and the store
  reader_.reset();
  transition(Step::Done);
}

void RequestFsm::onRequestBodyDrained() {
  if (body_paused_ && fetch_ && fetch_->bufferedBody() < kBodyLowWater) {
    body_paused_ = false;
    ex_.pauseRequestBody(false);
  }
}

void RequestFsm::onOriginHead(int status, policies::HeaderList&& headers) {
  deliverHead(status, std::move(headers));
}

bool RequestFsm::onOriginBody(const char* data, size_t len) { return deliverBody(data, len); }

void RequestFsm::onOriginDone(origin::FetchOutcome outcome, bool head_received) {
  deliverDone(outcome, head_received);
}

void RequestFsm::startErrorFill(int status, const policies::HeaderList& headers) {
  error_fill_ = false;
  const auto& config = service_.config();
  const int64_t now = service_.nowSeconds();
  const policies::TtlDecision d =
      decideResponseTtl(req().method, status, headers, *settings_, config, now);
  const auto* cacheable = std::get_if<policies::Cacheable>(&d);
  if (cacheable == nullptr) return;
  JoinResult r = service_.store().startFill(key_, keyPath(), ex_.loop(), [] {});
  r.reader.reset();
  error_permit_ = std::move(r.permit);
  ObjectHead head =
      makeObjectHead(status, headers, *cacheable, *behavior_, *settings_, config, now, nullptr);
  const std::optional<uint64_t> length = head.content_length;
  error_permit_.setHead(std::move(head), length);
}

void RequestFsm::deliverHead(int status, policies::HeaderList&& headers) {
  transition(Step::Deliver);
  if (error_fill_ && status >= 400) startErrorFill(status, headers);
  if (wantsErrorPage(status)) {
    // Inside the fetch's callback: drop this body, switch to the page when the fetch is done.
    page_after_fetch_ = status;
    return;
  }
  status = viewerStatus(status);
  std::optional<uint64_t> length;
  if (!headers.has("transfer-encoding")) {
    if (auto cl = headers.get("content-length")) length = policies::parseContentLength(*cl);
  }
  const auto& config = service_.config();
  policies::HeaderList out = policies::filterOriginResponseHeaders(headers, *behavior_, config);
  policies::applyViewerVary(out, settings_->rules);
  if (!out.has("date")) out.add("Date", service_.httpDate());
  if (config.edge.debug_headers) out.add("X-Edged-Cache-Reason", debugReason(nullptr));
  const auto& req = this->req();
  policies::stampEdgeHeaders(
      out, {page_request_ ? policies::XCache::Error : policies::xCacheFor(CacheOutcome::Bypass, status),
            request_id_, config.edge.pop_name,
            service_.viaHost(), req.http_major, req.http_minor});
  ex_.sendHead(status, std::move(out), length);
}

bool RequestFsm::deliverBody(const char* data, size_t len, bool must_take) {
  if (page_after_fetch_ != 0) {  // the origin's error body, replaced by the page
    if (error_permit_) error_permit_.append(std::string_view(data, len));
    return true;
  }
  if (!must_take && ex_.writeBlocked()) return false;
  if (error_permit_) error_permit_.append(std::string_view(data, len));
  ex_.sendBody(data, len);
  return true;
}

void RequestFsm::deliverDone(origin::FetchOutcome outcome, bool head_received) {
  using origin::FetchOutcome;
  if (error_permit_) {
    if (outcome == FetchOutcome::Complete) error_permit_.complete();
    else error_permit_.abandon(FillFailure::Truncated);
  }
  if (step_ == Step::Done) return;
  if (page_after_fetch_ != 0) {
    const int status = page_after_fetch_;
    page_after_fetch_ = 0;
    restartForErrorPage(status);
    return;
  }
  if (outcome == FetchOutcome::Complete) {
    transition(Step::Done);
    ex_.finish();
    return;
  }
  if (head_received || ex_.headSent()) {
    // Too late for an error page: cut the viewer connection so the truncation is visible.
    transition(Step::Done);
    ex_.setLogResult({}, "OriginReadError");
    ex_.abort();
    return;
  }
  synth(edgeErrorFor(outcome));
}

}  // namespace edge::engine
