#include "engine/pipeline/origin_fill.h"

#include "engine/pipeline/edge_service.h"
#include "policies/freshness.h"
#include "policies/ttl.h"
#include "policies/vary.h"
#include "policies/viewer_response.h"

namespace edge::engine {

using origin::FetchOutcome;
using policies::CacheOutcome;
using policies::HeaderList;

namespace {
// A body too large to store streams through the object; the origin is paused while its readers
// have more than this much unread.
constexpr uint64_t kStreamingHighWater = 1 << 20;
constexpr uint64_t kStreamingLowWater = 256 << 10;
constexpr uint64_t kPollMs = 20;
}  // namespace

policies::EdgeErrorKind edgeErrorFor(FetchOutcome outcome) {
  using policies::EdgeErrorKind;
  switch (outcome) {
    case FetchOutcome::DnsError: return EdgeErrorKind::OriginDnsError;
    case FetchOutcome::ConnectError: return EdgeErrorKind::OriginConnectError;
    case FetchOutcome::ConnectTimeout: return EdgeErrorKind::OriginConnectTimeout;
    case FetchOutcome::ReadTimeout: return EdgeErrorKind::OriginReadTimeout;
    case FetchOutcome::HeaderTooBig: return EdgeErrorKind::OriginHeaderTooBig;
    default: return EdgeErrorKind::OriginInvalidResponse;
  }
}

policies::TtlDecision decideResponseTtl(policies::Method method, int status,
                                        const HeaderList& headers,
                                        const policies::BehaviorCacheSettings& settings,
                                        const policies::Config& config, int64_t received_at) {
  return policies::decideTtl({method, settings.options_cached, status, headers, settings.ttl,
                              config.distribution.custom_error_responses,
                              settings.forwards_cookies, received_at});
}

void removeViewerConditionals(HeaderList& headers) {
  for (std::string_view name : {"range", "if-range", "if-none-match", "if-modified-since",
                                "if-match", "if-unmodified-since"}) {
    headers.remove(name);
  }
}

ObjectHead makeObjectHead(int status, const HeaderList& origin_headers,
                          const policies::Cacheable& decision, const policies::Behavior& behavior,
                          const policies::BehaviorCacheSettings& settings,
                          const policies::Config& config, int64_t received_at,
                          HeaderList* leader_only) {
  ObjectHead head;
  head.status = status;
  if (!origin_headers.has("transfer-encoding")) {
    if (auto cl = origin_headers.get("content-length")) {
      head.content_length = policies::parseContentLength(*cl);
    }
  }
  head.headers = policies::filterOriginResponseHeaders(origin_headers, behavior, config);
  policies::applyViewerVary(head.headers, settings.rules);
  if (decision.set_cookie == policies::SetCookieHandling::NotStored) {
    for (const auto& h : head.headers) {
      if (leader_only != nullptr && policies::iequals(h.name, "set-cookie")) {
        leader_only->add(h.name, h.value);
      }
    }
    head.headers.remove("set-cookie");
  }
  head.freshness =
      policies::makeStoredFreshness(decision, head.headers, received_at, settings.legacy_cookies);
  head.ttl_reason = decision.explanation();
  return head;
}

OriginFill::OriginFill(EdgeService& service, FillPermit&& permit, FillPlan&& plan,
                       FillClient* client)
    : service_(service),
      permit_(std::move(permit)),
      plan_(std::move(plan)),
      client_(client),
      poll_(service.loop()) {}

OriginFill::~OriginFill() {
  fetch_.reset();
  if (permit_) permit_.abandon(engine::FillFailure::LeaderGone);
}

bool OriginFill::start() {
  fetch_ = service_.openFetch(origin::FetchRequest(plan_.request),
                              static_cast<origin::FetchObserver&>(*this));
  if (fetch_) return true;
  // Could not even start: as if the origin could not be reached.
  onOriginDone(FetchOutcome::ConnectError, false);
  return false;
}

void OriginFill::detachClient() {
  client_ = nullptr;
  if (mode_ == Mode::PassThrough) {
    fetch_.reset();
    finish();
    return;
  }
  checkStreamingOnly();
}

void OriginFill::resumePassThrough() {
  if (mode_ == Mode::PassThrough && fetch_) fetch_->resumeResponse();
}

void OriginFill::decide(CacheOutcome outcome, bool pass_through, HeaderList&& leader,
                        std::string ttl_reason) {
  if (client_ != nullptr) {
    client_->onFillDecided(outcome, pass_through, std::move(leader), std::move(ttl_reason));
  }
}

void OriginFill::completeFromStale(HeaderList headers, policies::StoredFreshness freshness,
                                   CacheOutcome outcome, std::string ttl_reason) {
  const CachedObject& stale = *plan_.stale;
  ObjectHead head;
  head.status = stale.status();
  head.headers = std::move(headers);
  head.freshness = freshness;
  head.content_length = stale.bodyBytes();
  head.ttl_reason = ttl_reason;
  head.edge_coding = stale.head().edge_coding;
  decide(outcome, false, {}, std::move(ttl_reason));
  permit_.setHead(std::move(head), stale.bodyBytes());
  permit_.appendBodyOf(stale);
  permit_.complete();
  mode_ = Mode::Discarding;
}

bool OriginFill::serveStaleOnError(int status) {
  if (!plan_.stale) return false;
  const int64_t now = service_.nowSeconds();
  const auto& errors = service_.config().distribution.custom_error_responses;
  const int64_t hold = policies::errorCachingMinTtl(errors, status == 0 ? 502 : status);
  const policies::StaleOnError decision =
      policies::decideStaleOnError(plan_.stale->freshness(), now, {status}, hold);
  if (!decision.serve_stale) return false;
  // Served again and held for ErrorCachingMinTTL without asking the origin (§3.4): the same
  // body and headers, fresh for `hold` seconds from now, its Age carried on.
  policies::StoredFreshness f = plan_.stale->freshness();
  f.age_at_store = policies::currentAge(f, now);
  f.stored_at = now;
  f.ttl = decision.hold_seconds;
  f.stale_while_revalidate = 0;
  completeFromStale(plan_.stale->headers(), f, CacheOutcome::StaleOnError,
                    "stale copy served after origin " +
                        (status == 0 ? std::string("failure") : std::to_string(status)) +
                        ", held " + std::to_string(decision.hold_seconds) + " s");
  return true;
}

policies::CompressVerdict OriginFill::startCompression(int status, HeaderList& headers) {
  const policies::CompressVerdict verdict =
      policies::decideCompression(plan_.offered, status, headers);
  if (verdict != policies::CompressVerdict::Compress) return verdict;
  const auto& edge = service_.config().edge;
  const std::optional<uint64_t> length =
      policies::parseContentLength(headers.get("content-length").value_or(""));
  compressor_ = BodyCompressor::make(plan_.offered, {edge.gzip_level, edge.brotli_quality}, length);
  // Best effort (§4.1 condition 12): without an encoder the identity body is stored.
  if (compressor_ == nullptr) return policies::CompressVerdict::NotOffered;
  service_.metrics().countCompressed(plan_.offered);
  policies::applyCompressedHeaders(headers, plan_.offered);
  return verdict;
}

bool OriginFill::compress(const char* data, size_t len) {
  compressed_.clear();
  return compressor_->write(std::string_view(data, len), compressed_);
}

bool OriginFill::finishCompression() {
  compressed_.clear();
  return compressor_->finish(compressed_);
}

void OriginFill::failCompression() {
  // An encoder error (out of memory): the body cannot be completed. Readers and the pass-through
  // viewer see a truncation; the fetch is stopped outside its own callback.
  const bool pass = mode_ == Mode::PassThrough;
  mode_ = Mode::Discarding;
  keep_ = false;
  compressor_.reset();
  permit_.abandon(FillFailure::Truncated);
  if (pass && client_ != nullptr) client_->onPassDone(FetchOutcome::InvalidResponse, true);
  poll_.start(0, [this] {
    fetch_.reset();
    finish();
  });
}

void OriginFill::passCompressed() {
  for (std::string& piece : compressed_) {
    if (client_ != nullptr) client_->onPassBody(piece.data(), piece.size(), true);
    if (keep_) keepPiece(std::move(piece));
  }
  compressed_.clear();
}

void OriginFill::appendCompressed() {
  for (std::string& piece : compressed_) permit_.append(std::move(piece));
  compressed_.clear();
}

void OriginFill::keepPiece(std::string&& bytes) {
  keep_bytes_ += bytes.size();
  if (keep_bytes_ > service_.store().storableBodyBytes()) {
    keep_ = false;
    keep_chunks_.clear();
  } else {
    keep_chunks_.push_back(std::make_shared<const std::string>(std::move(bytes)));
  }
}

void OriginFill::onOriginHead(int status, HeaderList&& headers) {
  const auto& config = service_.config();
  const auto& settings = *plan_.settings;
  received_at_ = service_.nowSeconds();

  // §3.6: the origin confirmed the stored object.
  if (plan_.revalidating && status == 304 && plan_.stale) {
    HeaderList merged = plan_.stale->headers();
    policies::updateStoredHeaders(merged, policies::filterOriginResponseHeaders(
                                              headers, *plan_.behavior, config));
    // The stored body stays compressed: the 304's ETag / Vary are made to match it (§4.6).
    const policies::ContentCoding coding = plan_.stale->head().edge_coding;
    if (coding != policies::ContentCoding::Identity) {
      policies::applyCompressedHeaders(merged, coding);
    }
    const policies::TtlDecision d = decideResponseTtl(plan_.method, plan_.stale->status(), merged,
                                                      settings, config, received_at_);
    policies::StoredFreshness f;
    std::string reason;
    if (const auto* c = std::get_if<policies::Cacheable>(&d)) {
      f = policies::makeStoredFreshness(*c, merged, received_at_, settings.legacy_cookies);
      reason = "refreshed by 304: " + c->explanation();
    } else {
      // Now uncacheable: this viewer still gets the confirmed copy; it is kept with TTL 0 so the
      // next request asks the origin again.
      f = plan_.stale->freshness();
      f.stored_at = received_at_;
      f.age_at_store = 0;
      f.ttl = 0;
      f.stale_while_revalidate = 0;
      reason = "refreshed by 304, now " +
               std::string(policies::toString(std::get<policies::Uncacheable>(d).reason));
    }
    completeFromStale(std::move(merged), f, CacheOutcome::RefreshHit, std::move(reason));
    return;
  }
  // §3.4 / §3.7: a 5xx answer to a stale object's refetch.
  if (status >= 500 && serveStaleOnError(status)) return;

  const policies::TtlDecision d =
      decideResponseTtl(plan_.method, status, headers, settings, config, received_at_);
  const auto* cacheable = std::get_if<policies::Cacheable>(&d);
  // §9.3: with MinTTL 0, a response that says max-age=0 / s-maxage=0 (TTL 0) is not shared with
  // the requests waiting for it; it is still stored, to be revalidated by the next request.
  const bool ttl_zero = cacheable != nullptr && cacheable->ttl_seconds == 0 &&
                        settings.ttl.min_ttl == 0 && status != 304;
  // §4: compressed whether stored or passed through (conditions 6-10 decide, not cacheability).
  const policies::CompressVerdict verdict = startCompression(status, headers);
  const auto withCompression = [&](std::string reason) {
    if (plan_.offered == policies::ContentCoding::Identity) return reason;
    return reason + "; " +
           (verdict == policies::CompressVerdict::Compress
                ? "compressed " + std::string(policies::toString(plan_.offered))
                : std::string(policies::toString(verdict)));
  };
  if (cacheable == nullptr || status == 304 || ttl_zero) {
    // Not shareable: followers fetch on their own; the leader's viewer gets this response.
    mode_ = Mode::PassThrough;
    const CachedObjectPtr obj = permit_.object();
    service_.noteUncacheable(obj->keyId(), received_at_);
    std::string reason;
    if (ttl_zero) {
      keep_ = true;
      keep_key_.text = obj->keyText();
      keep_key_.hash = obj->keyHash();
      keep_path_ = obj->path();
      keep_head_ = makeObjectHead(status, headers, *cacheable, *plan_.behavior, settings, config,
                                  received_at_, nullptr);
      if (compressor_) keep_head_.edge_coding = plan_.offered;
      reason = "TTL 0: stored but not shared with waiting requests; " + keep_head_.ttl_reason;
    } else if (const auto* u = std::get_if<policies::Uncacheable>(&d)) {
      reason = std::string(policies::toString(u->reason));
    } else {
      reason = "304 to an unconditional request";
    }
    decide(CacheOutcome::Bypass, true, {}, withCompression(std::move(reason)));
    permit_.abandon(FillFailure::Uncacheable);
    if (client_ != nullptr) client_->onPassHead(status, std::move(headers));
    return;
  }
  HeaderList leader;
  ObjectHead head = makeObjectHead(status, headers, *cacheable, *plan_.behavior, settings, config,
                                   received_at_, &leader);
  head.ttl_reason = withCompression(std::move(head.ttl_reason));
  if (compressor_) head.edge_coding = plan_.offered;
  const std::optional<uint64_t> length = head.content_length;
  mode_ = Mode::Filling;
  decide(CacheOutcome::Miss, false, std::move(leader), head.ttl_reason);
  permit_.setHead(std::move(head), length);
}

bool OriginFill::onOriginBody(const char* data, size_t len) {
  switch (mode_) {
    case Mode::PassThrough: {
      if (client_ == nullptr) return true;
      if (compressor_) {
        if (client_->passBlocked()) return false;  // not taken: the origin is paused
        if (!compress(data, len)) {
          failCompression();
          return true;
        }
        passCompressed();
        return true;
      }
      if (!client_->onPassBody(data, len, false)) return false;
      if (keep_) keepPiece(std::string(data, len));
      return true;
    }
    case Mode::Filling: {
      if (!permit_.storing()) {
        // Too large to store: the object only holds what its readers have not read yet.
        const CachedObjectPtr obj = permit_.object();
        if (obj->readerCount() == 0) {
          mode_ = Mode::Discarding;  // nobody wants it any more; stopped in checkStreamingOnly
          poll_.start(0, [this] { checkStreamingOnly(); });
          return true;
        }
        if (obj->retainedBytes() > kStreamingHighWater) {
          if (!paused_) {
            paused_ = true;
            poll_.start(kPollMs, [this] { checkStreamingOnly(); }, kPollMs);
          }
          return false;
        }
      }
      if (compressor_) {
        if (!compress(data, len)) {
          failCompression();
          return true;
        }
        appendCompressed();
        return true;
      }
      permit_.append(std::string_view(data, len));
      return true;
    }
    default:
      return true;  // a 304's or a replaced error's body: not needed
  }
}

void OriginFill::checkStreamingOnly() {
  if (finished_ || mode_ == Mode::Done) return;
  const CachedObjectPtr obj = permit_ ? permit_.object() : nullptr;
  if (obj == nullptr) return;
  if (!permit_.storing() && obj->hasHead() && obj->readerCount() == 0) {
    // A too-large body nobody reads: stop fetching it.
    poll_.stop();
    fetch_.reset();
    permit_.abandon(FillFailure::LeaderGone);
    finish();
    return;
  }
  if (paused_ && obj->retainedBytes() < kStreamingLowWater) {
    paused_ = false;
    poll_.stop();
    if (fetch_) fetch_->resumeResponse();
  }
}

void OriginFill::onOriginDone(FetchOutcome outcome, bool head_received) {
  switch (mode_) {
    case Mode::PassThrough:
      if (compressor_ && outcome == FetchOutcome::Complete) {
        if (finishCompression()) {
          passCompressed();
        } else {
          outcome = FetchOutcome::InvalidResponse;
        }
      }
      if (keep_ && outcome == FetchOutcome::Complete) {
        service_.store().insert(CachedObject::makeComplete(
            keep_key_, std::move(keep_path_), std::move(keep_head_), std::move(keep_chunks_)));
      }
      keep_ = false;
      if (client_ != nullptr) client_->onPassDone(outcome, head_received);
      break;
    case Mode::Filling:
      if (outcome == FetchOutcome::Complete && compressor_) {
        if (finishCompression()) {
          appendCompressed();
        } else {
          outcome = FetchOutcome::InvalidResponse;
        }
      }
      if (outcome == FetchOutcome::Complete) {
        permit_.complete();
      } else {
        // With the error the leader's viewer gets (if its head is not out yet): followers that
        // have not answered either serve it too (adviseFollower).
        permit_.abandon(FillFailure::Truncated, edgeErrorFor(outcome));
      }
      break;
    case Mode::AwaitingHead:
      if (!serveStaleOnError(0)) {
        const auto kind = edgeErrorFor(outcome);
        decide(CacheOutcome::Miss, false, {}, "origin failed: " + std::string(toString(outcome)));
        permit_.abandon(FillFailure::OriginFailed, kind);
      }
      break;
    case Mode::Discarding:
    case Mode::Done:
      break;
  }
  mode_ = Mode::Done;
  finish();
}

void OriginFill::finish() {
  if (finished_) return;
  finished_ = true;
  mode_ = Mode::Done;
  poll_.stop();
  if (permit_) permit_.abandon(FillFailure::LeaderGone);
  if (client_ != nullptr) {
    FillClient* c = client_;
    client_ = nullptr;
    c->onFillGone();
  }
  service_.fillFinished(this);
}

}  // namespace edge::engine
