#include "origin/http_response_parser.h"

namespace edge::origin {

namespace {
ResponseParser* self(llhttp_t* p) { return static_cast<ResponseParser*>(p->data); }
}  // namespace

const llhttp_settings_t ResponseParser::kSettings = [] {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_status = &ResponseParser::onStatus;
  s.on_header_field = &ResponseParser::onHeaderField;
  s.on_header_value = &ResponseParser::onHeaderValue;
  s.on_headers_complete = &ResponseParser::onHeadersComplete;
  s.on_body = &ResponseParser::onBody;
  s.on_message_complete = &ResponseParser::onMessageComplete;
  return s;
}();

ResponseParser::ResponseParser(ResponseSink& sink, size_t max_head_bytes)
    : sink_(sink), max_head_bytes_(max_head_bytes) {
  reset(false);
}

void ResponseParser::reset(bool head_request) {
  llhttp_init(&parser_, HTTP_RESPONSE, &kSettings);
  parser_.data = this;
  head_request_ = head_request;
  head_in_.items().clear();
  head_in_.reserve(16);
  in_value_ = false;
  head_bytes_ = 0;
  head_too_big_ = false;
  interim_responses_ = 0;
  continue_seen_ = false;
  message_done_ = false;
  keep_alive_ = false;
  fold_.rearm();
}

// Each head is scanned for obs-fold before llhttp sees it, and llhttp is run up to the end of
// that head, so that an interim response's end (onMessageComplete) re-arms the scan before the
// next head's bytes are parsed.
ResponseParser::FeedResult ResponseParser::feed(const char* data, size_t len) {
  size_t done = 0;
  while (fold_.scanning() && done < len) {
    const std::optional<size_t> end = fold_.scan(data + done, len - done);
    if (!end) return {State::Error, len};
    const FeedResult r = execute(data + done, *end);
    if (r.state != State::NeedMore) return {r.state, done + r.consumed};
    done += *end;
  }
  // (len == 0 still runs llhttp: after a pause on the last body bytes, an empty feed is what
  // completes the message.)
  if (done == len && len > 0) return {State::NeedMore, len};
  const FeedResult r = execute(data + done, len - done);
  return {r.state, done + r.consumed};
}

ResponseParser::FeedResult ResponseParser::execute(const char* data, size_t len) {
  const llhttp_errno_t err = llhttp_execute(&parser_, data, len);
  if (err == HPE_OK) return {State::NeedMore, len};
  if (err == HPE_PAUSED) {
    const char* pos = llhttp_get_error_pos(&parser_);
    const size_t consumed = pos == nullptr ? len : static_cast<size_t>(pos - data);
    return {message_done_ ? State::Complete : State::Paused, consumed};
  }
  return {State::Error, len};
}

bool ResponseParser::finishAtEof() {
  llhttp_finish(&parser_);
  return message_done_;
}

int ResponseParser::onStatus(llhttp_t* p, const char*, size_t len) {
  self(p)->head_bytes_ += len;
  return 0;
}

int ResponseParser::onHeaderField(llhttp_t* p, const char* at, size_t len) {
  ResponseParser* s = self(p);
  s->head_bytes_ += len + 4;
  if (s->head_bytes_ > s->max_head_bytes_) {
    s->head_too_big_ = true;
    return -1;
  }
  auto& items = s->head_in_.items();
  if (s->in_value_ || items.empty()) {
    items.emplace_back();
    s->in_value_ = false;
  }
  items.back().name.append(at, len);
  return 0;
}

int ResponseParser::onHeaderValue(llhttp_t* p, const char* at, size_t len) {
  ResponseParser* s = self(p);
  s->head_bytes_ += len;
  if (s->head_bytes_ > s->max_head_bytes_) {
    s->head_too_big_ = true;
    return -1;
  }
  auto& items = s->head_in_.items();
  if (items.empty()) return -1;
  s->in_value_ = true;
  items.back().value.append(at, len);
  return 0;
}

int ResponseParser::onHeadersComplete(llhttp_t* p) {
  ResponseParser* s = self(p);
  s->in_value_ = false;
  const int status = p->status_code;
  // 101 Switching Protocols: the edge never asks to upgrade, and what follows is not HTTP. An
  // invalid response (it used to complete with no head at all: found by origin_response_fuzz).
  if (status == 101) return -1;
  if (status < 200) {
    // Other 1xx: no body; skipped in onMessageComplete. At most one 100 Continue and
    // kMaxInterimResponses in all (origin_fetch.h says why).
    if (status == 100 && s->continue_seen_) return -1;
    s->continue_seen_ = s->continue_seen_ || status == 100;
    if (++s->interim_responses_ > kMaxInterimResponses) return -1;
    return 1;
  }
  std::string_view final_coding;  // the last coding of the last Transfer-Encoding line
  for (auto& h : s->head_in_.items()) {
    while (!h.value.empty() && (h.value.back() == ' ' || h.value.back() == '\t')) h.value.pop_back();
    if (policies::iequals(h.name, "transfer-encoding")) {
      const std::string_view v = h.value;
      const size_t comma = v.rfind(',');
      final_coding = policies::trimOws(comma == std::string_view::npos ? v : v.substr(comma + 1));
    }
  }
  // The framing is llhttp's; the head passed on is ours (values trimmed of SP/HTAB). They must
  // agree on chunked: llhttp reads `chunked` followed by a tab as some other coding and frames
  // the body close-delimited, while the trimmed header says chunked (origin_response_fuzz, the
  // long run). Such a response is invalid rather than read one way and described another.
  if (policies::iequals(final_coding, "chunked") != ((p->flags & F_CHUNKED) != 0)) return -1;
  s->sink_.onResponseHead(status, std::move(s->head_in_));
  s->head_in_ = {};
  return (s->head_request_ || status == 204 || status == 304) ? 1 : 0;
}

int ResponseParser::onBody(llhttp_t* p, const char* at, size_t len) {
  return self(p)->sink_.onResponseBody(at, len) ? 0 : HPE_PAUSED;
}

int ResponseParser::onMessageComplete(llhttp_t* p) {
  ResponseParser* s = self(p);
  if (p->status_code < 200) {
    // An interim response (100 Continue, 103 Early Hints): the final one follows.
    s->head_in_.items().clear();
    s->head_bytes_ = 0;
    s->fold_.rearm();
    return 0;
  }
  s->message_done_ = true;
  s->keep_alive_ = llhttp_should_keep_alive(p) != 0;
  return HPE_PAUSED;
}

}  // namespace edge::origin
