#include "origin/http_fetch.h"

#include <cstdio>
#include <cstring>

namespace edge::origin {

namespace {

// Marks a call the pipeline made on the fetch: onOriginDone must not run inside it.
struct ApiScope {
  explicit ApiScope(int& depth) : depth_(depth) { ++depth_; }
  ~ApiScope() { --depth_; }
  int& depth_;
};

bool idempotent(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS" ||
         m == "TRACE";
}

}  // namespace

HttpFetch::HttpFetch(OriginPool& pool, FetchRequest&& req, FetchObserver& observer)
    : pool_(pool), req_(std::move(req)), observer_(observer) {}

HttpFetch::~HttpFetch() { cancel(); }

void HttpFetch::cancel() {
  phase_ = Phase::Done;
  dropConn();
  if (watched_) {
    pool_.unwatch(this);
    watched_ = false;
  }
  if (gai_ != nullptr) {
    gai_->data = nullptr;  // freed by its callback
    gai_ = nullptr;
  }
  if (kicked_) {
    pool_.unkick(this);
    kicked_ = false;
  }
  done_pending_ = false;
  resume_pending_ = false;
  begin_pending_ = false;
}

void HttpFetch::buildHead() {
  size_t size = req_.method.size() + req_.path_and_query.size() + 64;
  for (const auto& h : req_.headers) size += h.name.size() + h.value.size() + 4;
  head_.reserve(size);
  head_.append(req_.method).append(" ").append(req_.path_and_query).append(" HTTP/1.1\r\n");
  for (const auto& h : req_.headers) {
    head_.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  if (req_.has_body) {
    if (req_.body_length) {
      char buf[48];
      const int n = std::snprintf(buf, sizeof buf, "Content-Length: %llu\r\n",
                                  static_cast<unsigned long long>(*req_.body_length));
      head_.append(buf, static_cast<size_t>(n));
    } else {
      chunked_ = true;
      head_.append("Transfer-Encoding: chunked\r\n");
    }
  }
  head_.append("\r\n");
}

bool HttpFetch::start() {
  ApiScope api(in_api_);
  buildHead();
  key_.reserve(req_.connect_host.size() + 6);
  key_.append(req_.connect_host).append(":").append(std::to_string(req_.connect_port));
  const uint64_t now = uv_now(pool_.loop());
  if (req_.completion_timeout_s) {
    completion_deadline_ms_ = now + static_cast<uint64_t>(*req_.completion_timeout_s) * 1000;
  }
  pool_.watch(this);
  watched_ = true;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr_);
  have_addr_ = uv_ip4_addr(req_.connect_host.c_str(), req_.connect_port, v4) == 0 ||
               uv_ip6_addr(req_.connect_host.c_str(), req_.connect_port, v6) == 0;
  if (req_.has_body) {
    // The viewer's body is still being parsed: the origin connection is taken on the next loop
    // turn, once the bytes already read are, so a body found malformed in that same read (a
    // smuggling attempt) gets its 400 without costing a connection to the origin or spoiling a
    // pooled one. The body pushed meanwhile waits in out_.
    begin_pending_ = true;
    kickSoon();
    return true;
  }
  beginAttempt(/*allow_reuse=*/true);
  return true;
}

void HttpFetch::beginAttempt(bool allow_reuse) {
  ++attempts_;
  response_.reset(/*head_request=*/req_.method == "HEAD");
  got_bytes_ = false;
  keep_alive_ = false;
  head_off_ = 0;
  write_failed_ = false;
  attempt_started_ms_ = last_progress_ms_ = uv_now(pool_.loop());
  if (allow_reuse) {
    conn_ = pool_.takeIdle(key_, this);
    if (conn_ != nullptr) {
      reused_ = true;
      phase_ = Phase::Exchanging;
      flush();
      return;
    }
  }
  reused_ = false;
  if (!have_addr_) {
    resolve();
    return;
  }
  connectNew();
}

void HttpFetch::resolve() {
  phase_ = Phase::Resolving;
  gai_ = new uv_getaddrinfo_t;
  gai_->data = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string port = std::to_string(req_.connect_port);
  const int rc = uv_getaddrinfo(
      pool_.loop(), gai_,
      [](uv_getaddrinfo_t* req, int status, addrinfo* res) {
        auto* fetch = static_cast<HttpFetch*>(req->data);
        delete req;
        if (fetch == nullptr) {  // the fetch is gone
          uv_freeaddrinfo(res);
          return;
        }
        fetch->gai_ = nullptr;
        if (status != 0 || res == nullptr || res->ai_addrlen > sizeof fetch->addr_) {
          uv_freeaddrinfo(res);
          fetch->finish(FetchOutcome::DnsError);
          return;
        }
        std::memcpy(&fetch->addr_, res->ai_addr, res->ai_addrlen);
        fetch->have_addr_ = true;
        uv_freeaddrinfo(res);
        fetch->connectNew();
      },
      req_.connect_host.c_str(), port.c_str(), &hints);
  if (rc != 0) {
    delete gai_;
    gai_ = nullptr;
    finish(FetchOutcome::DnsError);
  }
}

void HttpFetch::connectNew() {
  phase_ = Phase::Connecting;
  attempt_started_ms_ = uv_now(pool_.loop());
  conn_ = pool_.create(key_, this);
  if (conn_ == nullptr) {
    attemptFailed(FetchOutcome::ConnectError);
    return;
  }
  if (pool_.connect(conn_, reinterpret_cast<const sockaddr*>(&addr_)) != 0) {
    attemptFailed(FetchOutcome::ConnectError);
  }
}

void HttpFetch::onConnConnected(int status) {
  if (status != 0) {
    attemptFailed(status == UV_ETIMEDOUT ? FetchOutcome::ConnectTimeout
                                         : FetchOutcome::ConnectError);
    return;
  }
  phase_ = Phase::Exchanging;
  last_progress_ms_ = uv_now(pool_.loop());
  pool_.startRead(conn_);
  flush();
}

void HttpFetch::dropConn() {
  if (conn_ == nullptr) return;
  pool_.close(conn_);
  conn_ = nullptr;
}

// ---- request ---------------------------------------------------------------------------------

void HttpFetch::flush() {
  if (phase_ != Phase::Exchanging || conn_ == nullptr || conn_->writing || write_failed_) return;
  uv_buf_t bufs[2];
  unsigned n = 0;
  const size_t head_left = head_.size() - head_off_;
  if (head_left > 0) bufs[n++] = uv_buf_init(head_.data() + head_off_, static_cast<unsigned>(head_left));
  const size_t body_left = out_.size() - out_off_;
  if (body_left > 0) bufs[n++] = uv_buf_init(out_.data() + out_off_, static_cast<unsigned>(body_left));
  if (n == 0) return;
  const ssize_t w = pool_.write(conn_, bufs, n);
  if (w < 0) {
    onWriteFailed();
    return;
  }
  // Whatever uv_try_write did not take was copied into the connection's write buffer.
  head_off_ = head_.size();
  out_.clear();
  out_off_ = 0;
  body_sent_ += body_left;
  if (body_left > 0 && in_api_ == 0) observer_.onRequestBodyDrained();
}

void HttpFetch::onWriteFailed() {
  write_failed_ = true;
  if (canStaleRetry()) {
    dropConn();
    stale_retried_ = true;
    --attempts_;
    beginAttempt(/*allow_reuse=*/false);
  }
  // Otherwise the read side tells how it ends (a response, EOF or a reset).
}

void HttpFetch::onConnWritten(int status) {
  if (status < 0) {
    onWriteFailed();
    return;
  }
  flush();
}

void HttpFetch::pushBody(const char* data, size_t len) {
  if (phase_ == Phase::Done || len == 0) return;
  ApiScope api(in_api_);
  if (chunked_) {
    char size_line[24];
    const int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", len);
    out_.append(size_line, static_cast<size_t>(n));
    out_.append(data, len);
    out_.append("\r\n");
  } else {
    out_.append(data, len);
  }
  flush();
}

void HttpFetch::endBody() {
  if (phase_ == Phase::Done || body_ended_) return;
  ApiScope api(in_api_);
  body_ended_ = true;
  if (chunked_) out_.append("0\r\n\r\n");
  flush();
}

// ---- response --------------------------------------------------------------------------------

void HttpFetch::onConnRead(ssize_t nread, const char* data) {
  if (nread < 0) {
    onEof(nread);
    return;
  }
  last_progress_ms_ = uv_now(pool_.loop());
  got_bytes_ = true;
  parse(data, static_cast<size_t>(nread));
}

void HttpFetch::parse(const char* data, size_t len) {
  const ResponseParser::FeedResult r = response_.feed(data, len);
  switch (r.state) {
    case ResponseParser::State::NeedMore:
      return;
    case ResponseParser::State::Complete:
      // Bytes after the response: the connection is not reusable.
      keep_alive_ = response_.keepAlive() && r.consumed == len;
      onResponseComplete();
      return;
    case ResponseParser::State::Paused:
      // The observer refused body bytes (held_body_): keep the rest for resumeNow().
      held_input_.assign(data + r.consumed, len - r.consumed);
      if (conn_ != nullptr) pool_.stopRead(conn_);
      return;
    case ResponseParser::State::Error:
      break;
  }
  dropConn();
  finish(response_.headTooBig() ? FetchOutcome::HeaderTooBig : FetchOutcome::InvalidResponse);
}

void HttpFetch::onEof(ssize_t nread) {
  if (canStaleRetry()) {
    dropConn();
    stale_retried_ = true;
    --attempts_;
    beginAttempt(/*allow_reuse=*/false);
    return;
  }
  if (nread == UV_EOF && got_bytes_ && !body_paused_) {
    // A close-delimited body ends here; any other framing is truncated.
    if (response_.finishAtEof()) {
      keep_alive_ = false;
      onResponseComplete();
      return;
    }
  }
  dropConn();
  finish(FetchOutcome::InvalidResponse);
}

bool HttpFetch::canStaleRetry() const {
  return reused_ && !stale_retried_ && !got_bytes_ && !head_delivered_ && body_sent_ == 0 &&
         phase_ == Phase::Exchanging && idempotent(req_.method);
}

void HttpFetch::onResponseComplete() {
  OriginConn* c = conn_;
  conn_ = nullptr;
  if (c != nullptr) {
    const bool reusable = keep_alive_ && head_off_ == head_.size() &&
                          (!req_.has_body || body_ended_) && out_.size() == out_off_ &&
                          !c->writing && !write_failed_;
    if (reusable) {
      pool_.release(c, static_cast<uint64_t>(req_.keepalive_timeout_s) * 1000);
    } else {
      pool_.close(c);
    }
  }
  finish(FetchOutcome::Complete);
}

void HttpFetch::resumeResponse() {
  if (!body_paused_ || phase_ != Phase::Exchanging || resume_pending_) return;
  resume_pending_ = true;
  kickSoon();
}

void HttpFetch::resumeNow() {
  if (phase_ != Phase::Exchanging || !body_paused_) return;
  if (!held_body_.empty()) {
    if (!observer_.onOriginBody(held_body_.data(), held_body_.size())) return;
    held_body_.clear();
  }
  body_paused_ = false;
  last_progress_ms_ = uv_now(pool_.loop());
  response_.resume();
  std::string input;
  input.swap(held_input_);
  if (conn_ != nullptr) pool_.startRead(conn_);
  static const char kNothing = 0;
  // Even with no input left: the refused bytes may have been the last of the body, and the
  // parser completes the message on this call.
  parse(input.empty() ? &kNothing : input.data(), input.size());
}

// ---- ResponseSink --------------------------------------------------------------------------

void HttpFetch::onResponseHead(int status, policies::HeaderList&& headers) {
  head_delivered_ = true;
  observer_.onOriginHead(status, std::move(headers));
}

bool HttpFetch::onResponseBody(const char* data, size_t len) {
  if (observer_.onOriginBody(data, len)) return true;
  held_body_.assign(data, len);
  body_paused_ = true;
  return false;
}

// ---- timeouts, retries, the end --------------------------------------------------------------

void HttpFetch::onTick(uint64_t now) {
  if (phase_ == Phase::Done || phase_ == Phase::Idle) return;
  if (completion_deadline_ms_ != 0 && now >= completion_deadline_ms_) {
    const bool connecting = phase_ != Phase::Exchanging;
    dropConn();
    finish(connecting ? FetchOutcome::ConnectTimeout : FetchOutcome::ReadTimeout);
    return;
  }
  if (phase_ == Phase::Resolving || phase_ == Phase::Connecting) {
    if (now - attempt_started_ms_ < static_cast<uint64_t>(req_.connect_timeout_s) * 1000) return;
    if (phase_ == Phase::Resolving) {
      gai_->data = nullptr;
      gai_ = nullptr;
      finish(FetchOutcome::ConnectTimeout);
      return;
    }
    attemptFailed(FetchOutcome::ConnectTimeout);
    return;
  }
  // Exchanging: time the origin is not responsible for does not count.
  const bool starved = req_.has_body && !body_ended_ && out_.size() == out_off_ &&
                       (conn_ == nullptr || !conn_->writing);
  if (body_paused_ || (starved && !got_bytes_)) last_progress_ms_ = now;
  if (now - last_progress_ms_ >= static_cast<uint64_t>(req_.read_timeout_s) * 1000) {
    attemptFailed(FetchOutcome::ReadTimeout);
  }
}

void HttpFetch::attemptFailed(FetchOutcome outcome) {
  dropConn();
  const bool connect_failure =
      outcome == FetchOutcome::ConnectError || outcome == FetchOutcome::ConnectTimeout;
  const bool retryable_read = outcome == FetchOutcome::ReadTimeout && req_.retry_read_timeout;
  if ((connect_failure || retryable_read) && !head_delivered_ && body_sent_ == 0 &&
      attempts_ < req_.connection_attempts) {
    beginAttempt(/*allow_reuse=*/false);
    return;
  }
  finish(outcome);
}

void HttpFetch::finish(FetchOutcome outcome) {
  if (phase_ == Phase::Done) return;
  phase_ = Phase::Done;
  begin_pending_ = false;
  dropConn();
  if (watched_) {
    pool_.unwatch(this);
    watched_ = false;
  }
  if (in_api_ > 0) {
    done_pending_ = true;
    pending_outcome_ = outcome;
    kickSoon();
    return;
  }
  observer_.onOriginDone(outcome, head_delivered_);  // may destroy this
}

void HttpFetch::kickSoon() {
  if (kicked_) return;
  kicked_ = true;
  pool_.kick(this);  // onKick on the pool's next idle turn
}

void HttpFetch::onKick() {
  kicked_ = false;
  if (begin_pending_) {
    begin_pending_ = false;
    const uint64_t sent_before = body_sent_;
    {
      ApiScope api(in_api_);  // an attempt failing at once reports on a later kick
      beginAttempt(/*allow_reuse=*/true);
    }
    // A pooled connection took the body pushed meanwhile inside the scope, where flush() does not
    // report it: the viewer, paused if that body passed its high-water mark, resumes now.
    if (phase_ != Phase::Done && body_sent_ > sent_before) observer_.onRequestBodyDrained();
    return;
  }
  if (done_pending_) {
    done_pending_ = false;
    observer_.onOriginDone(pending_outcome_, head_delivered_);  // may destroy this
    return;
  }
  if (resume_pending_) {
    resume_pending_ = false;
    resumeNow();
  }
}

}  // namespace edge::origin
