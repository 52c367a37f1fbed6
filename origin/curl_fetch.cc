#include "origin/curl_fetch.h"

#include <algorithm>
#include <cstring>

namespace edge::origin {

CurlFetch::CurlFetch(CurlMulti& multi, FetchRequest&& req, FetchObserver& observer)
    : multi_(multi), req_(std::move(req)), observer_(observer) {
  const std::string port = std::to_string(req_.port);
  url_ = (req_.https ? "https://" : "http://") + req_.host + ":" + port + req_.path_and_query;
  if (req_.connect_host != req_.host || req_.connect_port != req_.port) {
    connect_to_entry_ = req_.host + ":" + port + ":" + req_.connect_host + ":" +
                        std::to_string(req_.connect_port);
  }
}

CurlFetch::~CurlFetch() {
  cancel();
  if (read_timer_ != nullptr) {
    read_timer_->data = nullptr;
    uv_timer_stop(read_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(read_timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  }
  if (easy_) multi_.release(std::move(easy_));
}

bool CurlFetch::configure() {
  CURL* e = easy_.get();
  curl_easy_setopt(e, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // 3xx are passed through (§1.9)
  curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);      // forward the raw path, no dot squashing
  curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);  // Content-Encoding passes through
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, static_cast<long>(req_.connect_timeout_s));
  curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, static_cast<long>(req_.keepalive_timeout_s));
  if (req_.completion_timeout_s) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT, static_cast<long>(*req_.completion_timeout_s));
  }
  multi_.prepare(e);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &CurlFetch::onHeaderLine);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlFetch::onWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);

  header_list_.reset();
  bool has_accept = false;
  std::string line;
  for (const auto& h : req_.headers) {
    if (policies::iequals(h.name, "accept")) has_accept = true;
    line.assign(h.name);
    line.append(h.value.empty() ? ";" : ": ");  // "Name;" sends an empty header in curl
    line.append(h.value);
    if (!slistAppend(header_list_, line.c_str())) return false;
  }
  // Suppress what curl would add on its own.
  if (!has_accept) slistAppend(header_list_, "Accept:");
  slistAppend(header_list_, "Expect:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_.get());

  if (!connect_to_entry_.empty()) {
    connect_to_.reset();
    slistAppend(connect_to_, connect_to_entry_.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_.get());
  }

  const std::string& m = req_.method;
  if (m == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (req_.has_body) {
    curl_easy_setopt(e, CURLOPT_READFUNCTION, &CurlFetch::onRead);
    curl_easy_setopt(e, CURLOPT_READDATA, this);
    if (m == "POST") {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(req_.body_length ? *req_.body_length : -1));
    } else {
      curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(req_.body_length ? *req_.body_length : -1));
      if (m != "PUT") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
    }
  } else if (m != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
  }
  return true;
}

bool CurlFetch::start() {
  if (!easy_) {
    easy_ = multi_.acquire();
    if (!easy_ || !configure()) return false;
  }
  ++attempts_;
  status_ = 0;
  head_.items().clear();
  head_bytes_ = 0;
  interim_responses_ = 0;
  continue_seen_ = false;
  recv_paused_ = false;
  send_paused_ = false;
  read_timed_out_ = false;
  running_ = multi_.add(easy_.get(), this);
  if (running_) {
    if (read_timer_ == nullptr) {
      read_timer_ = new uv_timer_t;
      uv_timer_init(multi_.loop(), read_timer_);
      read_timer_->data = this;
    }
    noteProgress();
    armReadTimer(static_cast<uint64_t>(req_.read_timeout_s) * 1000);
  }
  return running_;
}

void CurlFetch::noteProgress() { last_progress_ms_ = uv_now(multi_.loop()); }

void CurlFetch::armReadTimer(uint64_t ms) {
  uv_timer_start(read_timer_, [](uv_timer_t* t) {
    if (t->data != nullptr) static_cast<CurlFetch*>(t->data)->onReadTimer();
  }, ms, 0);
}

void CurlFetch::onReadTimer() {
  if (!running_) return;
  const uint64_t limit = static_cast<uint64_t>(req_.read_timeout_s) * 1000;
  const uint64_t now = uv_now(multi_.loop());
  curl_off_t connect_us = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_CONNECT_TIME_T, &connect_us);
  if (recv_paused_ || send_paused_ || connect_us == 0) noteProgress();
  const uint64_t idle = now - last_progress_ms_;
  if (idle < limit) {
    armReadTimer(limit - idle);
    return;
  }
  // Not inside a curl callback (a uv timer): the handle can leave the multi here.
  read_timed_out_ = true;
  multi_.remove(easy_.get());
  running_ = false;
  onTransferDone(CURLE_OPERATION_TIMEDOUT);
}

void CurlFetch::cancel() {
  if (read_timer_ != nullptr) uv_timer_stop(read_timer_);
  if (running_) {
    multi_.remove(easy_.get());
    running_ = false;
  }
}

void CurlFetch::pushBody(const char* data, size_t len) {
  if (body_off_ > 0 && body_off_ == body_.size()) {
    body_.clear();
    body_off_ = 0;
  }
  body_.append(data, len);
  if (send_paused_) applyPause();
}

void CurlFetch::endBody() {
  body_ended_ = true;
  if (send_paused_) applyPause();
}

void CurlFetch::resumeResponse() {
  if (recv_paused_) applyPause();
}

void CurlFetch::applyPause() {
  if (!running_) return;
  // Unpause the directions that have something to do; curl may call back synchronously.
  if (send_paused_ && (bufferedBody() > 0 || body_ended_)) send_paused_ = false;
  recv_paused_ = false;
  curl_easy_pause(easy_.get(), send_paused_ ? CURLPAUSE_SEND : CURLPAUSE_CONT);
}

size_t CurlFetch::onHeaderLine(char* data, size_t size, size_t n, void* userp) {
  auto* self = static_cast<CurlFetch*>(userp);
  const size_t len = size * n;
  self->noteProgress();
  self->head_bytes_ += len;
  if (self->head_bytes_ > kMaxHeadBytes) {
    self->head_too_big_ = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    // Status line of a new header block (1xx blocks come first and are ignored).
    self->status_ = 0;
    self->head_.items().clear();
    const size_t sp = line.find(' ');
    if (sp != std::string_view::npos && line.size() >= sp + 4) {
      int code = 0;
      for (size_t i = sp + 1; i < sp + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') return 0;
        code = code * 10 + (line[i] - '0');
      }
      self->status_ = code;
    }
    if (self->status_ >= 100 && self->status_ < 200) {
      // At most one 100 Continue and kMaxInterimResponses in all (origin_fetch.h): 0 aborts the
      // transfer (CURLE_WRITE_ERROR → InvalidResponse → 502).
      if (self->status_ == 100 && self->continue_seen_) return 0;
      self->continue_seen_ = self->continue_seen_ || self->status_ == 100;
      if (++self->interim_responses_ > kMaxInterimResponses) return 0;
    }
    return len;
  }
  if (line.empty()) {
    if (self->status_ >= 200 && !self->head_delivered_) {
      self->head_delivered_ = true;
      self->observer_.onOriginHead(self->status_, std::move(self->head_));
      self->head_ = {};
    } else if (self->status_ >= 100 && self->status_ < 200) {
      self->head_bytes_ = 0;
    }
    return len;
  }
  if ((line[0] == ' ' || line[0] == '\t') && !self->head_.empty()) {
    // obs-fold (RFC 9112 §5.2): replace with a single space.
    self->head_.items().back().value.push_back(' ');
    self->head_.items().back().value.append(policies::trimOws(line));
    return len;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;  // ignore a broken line
  self->head_.add(std::string(line.substr(0, colon)), std::string(policies::trimOws(line.substr(colon + 1))));
  return len;
}

size_t CurlFetch::onWrite(char* data, size_t size, size_t n, void* userp) {
  auto* self = static_cast<CurlFetch*>(userp);
  const size_t len = size * n;
  if (len == 0) return 0;
  self->noteProgress();
  if (!self->observer_.onOriginBody(data, len)) {
    self->recv_paused_ = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  return len;
}

size_t CurlFetch::onRead(char* data, size_t size, size_t n, void* userp) {
  auto* self = static_cast<CurlFetch*>(userp);
  const size_t avail = self->bufferedBody();
  if (avail == 0) {
    if (self->body_ended_) return 0;
    self->send_paused_ = true;
    return CURL_READFUNC_PAUSE;
  }
  self->noteProgress();
  const size_t take = std::min(avail, size * n);
  std::memcpy(data, self->body_.data() + self->body_off_, take);
  self->body_off_ += take;
  self->body_sent_ += take;
  if (self->bufferedBody() == 0) self->observer_.onRequestBodyDrained();
  return take;
}

FetchOutcome CurlFetch::classify(CURLcode result) const {
  if (result == CURLE_OK) return FetchOutcome::Complete;
  if (head_too_big_) return FetchOutcome::HeaderTooBig;
  if (read_timed_out_) return FetchOutcome::ReadTimeout;
  switch (result) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return FetchOutcome::DnsError;
    case CURLE_COULDNT_CONNECT:
      return FetchOutcome::ConnectError;
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(easy_.get(), CURLINFO_CONNECT_TIME_T, &connect_us);
      return connect_us == 0 ? FetchOutcome::ConnectTimeout : FetchOutcome::ReadTimeout;
    }
    case CURLE_ABORTED_BY_CALLBACK:
      return FetchOutcome::Aborted;
    default:
      return FetchOutcome::InvalidResponse;
  }
}

void CurlFetch::onTransferDone(CURLcode result) {
  running_ = false;
  if (read_timer_ != nullptr) uv_timer_stop(read_timer_);
  const FetchOutcome outcome = classify(result);
  const bool connect_failure =
      outcome == FetchOutcome::ConnectError || outcome == FetchOutcome::ConnectTimeout;
  const bool retryable_read = outcome == FetchOutcome::ReadTimeout && req_.retry_read_timeout;
  // Retry only while nothing reached the viewer and no body byte left for the origin.
  if ((connect_failure || retryable_read) && !head_delivered_ && body_sent_ == 0 &&
      attempts_ < req_.connection_attempts) {
    if (start()) return;
  }
  observer_.onOriginDone(outcome, head_delivered_);
}

}  // namespace edge::origin
