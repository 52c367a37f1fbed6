#include "engine/pipeline/request_fsm.h"

#include "engine/pipeline/edge_service.h"
#include "policies/behavior_match.h"
#include "policies/origin_request.h"

namespace edge::engine {

using policies::EdgeErrorKind;

std::string_view RequestFsm::toString(Step s) {
  switch (s) {
    case Step::Recv: return "Recv";
    case Step::MatchBehavior: return "MatchBehavior";
    case Step::ViewerChecks: return "ViewerChecks";
    case Step::PlanOrigin: return "PlanOrigin";
    case Step::Fetch: return "Fetch";
    case Step::Deliver: return "Deliver";
    case Step::Synth: return "Synth";
    case Step::Done: return "Done";
  }
  return "?";
}

RequestFsm::RequestFsm(EdgeService& service, Exchange& ex) : service_(service), ex_(ex) {}

RequestFsm::~RequestFsm() = default;

void RequestFsm::transition(Step next) { step_ = next; }

bool RequestFsm::start() {
  request_id_ = service_.newRequestId();
  if (!stepMatchBehavior() || !stepViewerChecks() || !stepPlanOrigin() || !stepFetch()) return false;
  return true;
}

bool RequestFsm::stepMatchBehavior() {
  transition(Step::MatchBehavior);
  behavior_ = &policies::matchBehavior(service_.config().distribution, ex_.request().path);
  return true;
}

bool RequestFsm::stepViewerChecks() {
  transition(Step::ViewerChecks);
  const auto& req = ex_.request();
  if (!behavior_->allows(req.method)) {
    synth(EdgeErrorKind::MethodNotAllowed);
    return false;
  }
  // §1.1 step 7: GET requests that include a body are rejected.
  if ((req.method == policies::Method::Get || req.method == policies::Method::Head) && req.has_body) {
    synth(EdgeErrorKind::GetWithBody);
    return false;
  }
  return true;
}

bool RequestFsm::stepPlanOrigin() {
  transition(Step::PlanOrigin);
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
  if (origin_ == nullptr) {  // the config loader rejects this; never on a valid config
    synth(EdgeErrorKind::OriginConnectError);
    return false;
  }
  const auto& req = ex_.request();
  const std::string path =
      policies::applyDefaultRootObject(req.path, config.distribution.default_root_object);
  policies::OriginRequestPlan plan = policies::planOriginRequest(
      {req, *behavior_, *origin_, config, path, request_id_, service_.viaHost()});

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
  return true;
}

bool RequestFsm::stepFetch() {
  transition(Step::Fetch);
  fetch_ = service_.origins().open(std::move(pending_request_),
                                   static_cast<origin::FetchObserver&>(*this));
  if (!fetch_->start()) {
    fetch_.reset();
    synth(EdgeErrorKind::OriginConnectError);
    return false;
  }
  return true;
}

void RequestFsm::synth(EdgeErrorKind kind) {
  transition(Step::Synth);
  const policies::EdgeError err = policies::edgeError(kind);
  // A request body still unread closes the connection after the page (see Connection::sendHead).
  const bool close_after =
      kind == EdgeErrorKind::RequestTooLarge || kind == EdgeErrorKind::BadRequest;
  service_.sendGenerated(ex_, err.status, err.reason_html, request_id_, policies::XCache::Error,
                         close_after);
  transition(Step::Done);
}

// ---- viewer side ---------------------------------------------------------------------------------

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
}

void RequestFsm::onViewerGone() {
  fetch_.reset();  // cancels the transfer
  transition(Step::Done);
}

// ---- origin side ---------------------------------------------------------------------------------

void RequestFsm::onRequestBodyDrained() {
  if (body_paused_ && fetch_ && fetch_->bufferedBody() < kBodyLowWater) {
    body_paused_ = false;
    ex_.pauseRequestBody(false);
  }
}

void RequestFsm::onOriginHead(int status, policies::HeaderList&& headers) {
  transition(Step::Deliver);
  std::optional<uint64_t> length;
  if (!headers.has("transfer-encoding")) {
    if (auto cl = headers.get("content-length")) length = policies::parseContentLength(*cl);
  }
  const auto& config = service_.config();
  policies::HeaderList out = policies::filterOriginResponseHeaders(headers, *behavior_, config);
  if (!out.has("date")) out.add("Date", service_.httpDate());
  const auto& req = ex_.request();
  policies::stampEdgeHeaders(
      out, {status >= 400 ? policies::XCache::Error : policies::XCache::Miss, request_id_,
            config.edge.pop_name, service_.viaHost(), req.http_major, req.http_minor});
  ex_.sendHead(status, std::move(out), length);
}

bool RequestFsm::onOriginBody(const char* data, size_t len) {
  if (ex_.writeBlocked()) return false;
  ex_.sendBody(data, len);
  return true;
}

void RequestFsm::onOriginDone(origin::FetchOutcome outcome, bool head_received) {
  using origin::FetchOutcome;
  if (outcome == FetchOutcome::Complete) {
    transition(Step::Done);
    ex_.finish();
    return;
  }
  if (head_received || ex_.headSent()) {
    // Too late for an error page: cut the viewer connection so the truncation is visible.
    transition(Step::Done);
    ex_.abort();
    return;
  }
  EdgeErrorKind kind = EdgeErrorKind::OriginInvalidResponse;
  switch (outcome) {
    case FetchOutcome::DnsError: kind = EdgeErrorKind::OriginDnsError; break;
    case FetchOutcome::ConnectError: kind = EdgeErrorKind::OriginConnectError; break;
    case FetchOutcome::ConnectTimeout: kind = EdgeErrorKind::OriginConnectTimeout; break;
    case FetchOutcome::ReadTimeout: kind = EdgeErrorKind::OriginReadTimeout; break;
    case FetchOutcome::HeaderTooBig: kind = EdgeErrorKind::OriginHeaderTooBig; break;
    default: break;
  }
  synth(kind);
}

}  // namespace edge::engine
