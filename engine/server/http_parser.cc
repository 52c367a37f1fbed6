#include "engine/server/http_parser.h"

#include <cstring>

namespace edge::engine {

namespace {
RequestParser* self(llhttp_t* p) { return static_cast<RequestParser*>(p->data); }
// Bytes of framing the parser does not report through data callbacks: "METHOD " + " HTTP/1.1\r\n"
// for the request line, ": " + "\r\n" per header line, and the final "\r\n".
constexpr size_t kRequestLineOverhead = 11;
constexpr size_t kHeaderLineOverhead = 4;
}  // namespace

RequestParser::RequestParser(const ParserLimits& limits, RequestSink& sink)
    : limits_(limits), sink_(sink) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &RequestParser::onMessageBegin;
  settings_.on_url = &RequestParser::onUrl;
  settings_.on_header_field = &RequestParser::onHeaderField;
  settings_.on_header_value = &RequestParser::onHeaderValue;
  settings_.on_header_value_complete = &RequestParser::onHeaderValueComplete;
  settings_.on_headers_complete = &RequestParser::onHeadersComplete;
  settings_.on_body = &RequestParser::onBody;
  settings_.on_message_complete = &RequestParser::onMessageComplete;
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  parser_.data = this;
}

RequestParser::FeedResult RequestParser::feed(const char* data, size_t len) {
  if (fold_.scanning() && !fold_.scan(data, len)) {
    user_error_ = true;
    error_.status = 400;
    error_.reason = "obs-fold header line continuation";
    return {len, State::Error};
  }
  const llhttp_errno_t rc = llhttp_execute(&parser_, data, len);
  if (rc == HPE_OK) return {len, State::NeedMore};
  if (rc == HPE_PAUSED || rc == HPE_PAUSED_UPGRADE) {
    const char* pos = llhttp_get_error_pos(&parser_);
    const size_t consumed = pos != nullptr ? static_cast<size_t>(pos - data) : len;
    if (rc == HPE_PAUSED_UPGRADE) llhttp_resume_after_upgrade(&parser_);
    return {consumed, State::MessageDone};
  }
  if (!user_error_) {
    error_.status = 400;
    const char* reason = llhttp_get_error_reason(&parser_);
    error_.reason = reason != nullptr ? reason : llhttp_errno_name(rc);
  }
  return {len, State::Error};
}

int RequestParser::fail(int status, std::string reason) {
  user_error_ = true;
  error_.status = status;
  error_.reason = std::move(reason);
  return -1;
}

bool RequestParser::addHeadBytes(size_t n) {
  head_bytes_ += n;
  return head_bytes_ <= limits_.max_head_bytes;
}

int RequestParser::onMessageBegin(llhttp_t* p) {
  RequestParser* s = self(p);
  s->in_message_ = true;
  s->head_complete_ = false;
  s->field_in_progress_ = false;
  s->head_bytes_ = kRequestLineOverhead;
  s->body_bytes_ = 0;
  s->header_count_ = 0;
  s->url_.clear();
  s->field_.clear();
  s->value_.clear();
  s->head_ = RequestHead{};
  s->head_.request.headers.reserve(16);
  return 0;
}

int RequestParser::onUrl(llhttp_t* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  s->url_.append(at, len);
  if (s->url_.size() > s->limits_.max_url_bytes) return s->fail(413, "URL too long");
  if (!s->addHeadBytes(len)) return s->fail(413, "request header too large");
  return 0;
}

int RequestParser::onHeaderField(llhttp_t* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  if (!s->field_in_progress_) {
    s->field_.clear();
    s->value_.clear();
    s->field_in_progress_ = true;
    if (++s->header_count_ > s->limits_.max_header_count) return s->fail(413, "too many headers");
    if (!s->addHeadBytes(kHeaderLineOverhead)) return s->fail(413, "request header too large");
  }
  s->field_.append(at, len);
  if (!s->addHeadBytes(len)) return s->fail(413, "request header too large");
  return 0;
}

int RequestParser::onHeaderValue(llhttp_t* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  s->field_in_progress_ = false;
  s->value_.append(at, len);
  if (!s->addHeadBytes(len)) return s->fail(413, "request header too large");
  return 0;
}

int RequestParser::onHeaderValueComplete(llhttp_t* p) {
  RequestParser* s = self(p);
  s->field_in_progress_ = false;
  // Trailing OWS is part of the span llhttp reports for some inputs; strip it.
  std::string_view v = policies::trimOws(s->value_);
  s->head_.request.headers.add(std::move(s->field_), std::string(v));
  s->field_.clear();
  s->value_.clear();
  return 0;
}

int RequestParser::onHeadersComplete(llhttp_t* p) {
  RequestParser* s = self(p);
  // A header line with an empty value fires no value callbacks in every llhttp version: flush it.
  if (s->field_in_progress_ && !s->field_.empty()) onHeaderValueComplete(p);
  if (!s->addHeadBytes(2)) return s->fail(413, "request header too large");
  s->head_complete_ = true;
  RequestHead& h = s->head_;
  policies::ViewerRequest& r = h.request;
  r.method_name = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
  r.method = policies::parseMethod(r.method_name);
  r.http_major = p->http_major;
  r.http_minor = p->http_minor;
  if (p->method == HTTP_CONNECT || s->url_.empty() || s->url_[0] != '/') {
    // Origin-form only (RFC 9112 §3.2.1); CloudFront does not act as a forward proxy.
    return s->fail(400, "request target must be origin-form");
  }
  const size_t q = s->url_.find('?');
  if (q == std::string::npos) {
    r.path = s->url_;
  } else {
    r.path = s->url_.substr(0, q);
    r.query = s->url_.substr(q + 1);
    r.has_query = true;
  }
  if (s->url_.find('#') != std::string::npos) return s->fail(400, "fragment in request target");
  if (r.http_major != 1) return s->fail(400, "unsupported HTTP version");
  h.keep_alive = llhttp_should_keep_alive(p) != 0;
  h.chunked = (p->flags & F_CHUNKED) != 0;
  if ((p->flags & F_CONTENT_LENGTH) != 0) {
    h.content_length = p->content_length;
    if (p->content_length > s->limits_.max_body_bytes) return s->fail(413, "request body too large");
  }
  r.has_body = h.chunked || (h.content_length && *h.content_length > 0);
  if (r.headers.count("host") > 1) return s->fail(400, "duplicate Host header");
  if (r.http_minor >= 1 && !r.headers.has("host")) return s->fail(400, "missing Host header");
  if (auto expect = r.headers.get("expect")) {
    if (!policies::iequals(*expect, "100-continue")) return s->fail(417, "unsupported Expect");
    h.expect_continue = r.http_minor >= 1;
  }
  h.upgrade = p->upgrade != 0;
  s->sink_.onHead(std::move(h));
  return 0;
}

int RequestParser::onBody(llhttp_t* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  s->body_bytes_ += len;
  if (s->body_bytes_ > s->limits_.max_body_bytes) return s->fail(413, "request body too large");
  s->sink_.onBody(at, len);
  return 0;
}

int RequestParser::onMessageComplete(llhttp_t* p) {
  RequestParser* s = self(p);
  s->in_message_ = false;
  s->fold_.rearm();  // the next request's head starts after this message
  s->sink_.onMessageComplete();
  return HPE_PAUSED;
}

}  // namespace edge::engine
