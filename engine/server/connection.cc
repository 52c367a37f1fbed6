#include "engine/server/connection.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

namespace edge::engine {

namespace {
struct WriteReq {
  uv_write_t req;
  OutputQueue queue;  // keeps the written pieces (owned or shared) alive until the callback
  size_t bytes = 0;
};

void peerAddress(uv_tcp_t* tcp, std::string& ip, uint16_t& port) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return;
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, buf, sizeof buf);
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

// One read buffer per loop thread: read callbacks run one at a time and copy what they keep.
thread_local char t_read_buf[64 * 1024];
}  // namespace

Connection::Connection(Loop& loop, HttpService& service, const ServerOptions& options,
                       ConnectionOwner& owner)
    : loop_(loop),
      service_(service),
      options_(options),
      owner_(owner),
      timer_(loop),
      send_timer_(loop),
      parser_(options.limits, *this),
      report_(service.exchangeReport()) {}

Connection::~Connection() { tcp_.close(); }

bool Connection::accept(uv_stream_t* server) {
  if (tcp_.init(uv_tcp_init, loop_.raw()) != 0) return false;
  tcp_.get()->data = this;
  if (uv_accept(server, tcp_.stream()) != 0) return false;
  // TCP_NODELAY comes from the listening socket (HttpServer::adopt).
  peerAddress(tcp_.get(), peer_ip_, peer_port_);
  state_ = State::Idle;
  armTimer();
  updateReading();
  return true;
}

void Connection::beginShutdown() {
  shutting_down_ = true;
  if (state_ == State::Idle) close();
  else if (state_ == State::Active) keep_alive_ = false;
}

// ---- reading ---------------------------------------------------------------------------------

void Connection::updateReading() {
  // A viewer whose responses are not read (or whose pipelined requests pile up) is not read
  // either: TCP flow control then stops it, and SendTimeoutMs ends it.
  const bool want = (state_ == State::Idle || state_ == State::ReadingHead || state_ == State::Active) &&
                    !peer_eof_ && in_.size() < highWater() && !outputFull() &&
                    !(body_paused_ && state_ == State::Active && !request_complete_);
  if (want && !reading_) {
    const int rc = uv_read_start(
        tcp_.stream(),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          // Never more than the room left under the input cap (at least 1 KiB).
          size_t room = sizeof t_read_buf;
          if (h->data != nullptr) {
            const auto* c = static_cast<const Connection*>(h->data);
            const size_t cap = c->highWater();
            room = c->in_.size() + 1024 >= cap ? 1024 : std::min(room, cap - c->in_.size());
          }
          *buf = uv_buf_init(t_read_buf, static_cast<unsigned>(room));
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
          if (s->data != nullptr) static_cast<Connection*>(s->data)->onRead(nread, buf);
        });
    reading_ = rc == 0;
    if (rc != 0) close();
  } else if (!want && reading_) {
    uv_read_stop(tcp_.stream());
    reading_ = false;
  }
}

void Connection::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (nread == 0) return;
  if (nread < 0) {
    peer_eof_ = true;
    uv_read_stop(tcp_.stream());
    reading_ = false;
    // A viewer that half-closes after a complete request still gets its response.
    if (nread == UV_EOF && state_ == State::Active && request_complete_ && !response_done_) {
      keep_alive_ = false;
      return;
    }
    if (state_ != State::Draining) close();
    return;
  }
  in_.append(buf->base, static_cast<size_t>(nread));
  parseBuffered();
}

void Connection::parseBuffered() {
  size_t off = 0;
  while (off < in_.size()) {
    if (state_ == State::Active && request_complete_) break;  // next request waits (in order)
    // The next request waits for the viewer to read the earlier responses (onWriteDone resumes).
    if (state_ == State::Idle && outputFull()) break;
    if (state_ != State::Idle && state_ != State::ReadingHead && state_ != State::Active) break;
    if (state_ == State::Idle) {
      state_ = State::ReadingHead;
      armTimer();
    }
    const auto r = parser_.feed(in_.data() + off, in_.size() - off);
    off += r.consumed;
    rx_bytes_ += r.consumed;
    if (state_ == State::Closing) return;
    if (r.state == RequestParser::State::Error) {
      handleParseError();
      return;
    }
    if (r.state == RequestParser::State::MessageDone) parser_.resume();
  }
  in_.erase(0, off);
  updateReading();
}

// ---- RequestSink -------------------------------------------------------------------------------

void Connection::onHead(RequestHead&& head) {
  head_ = std::move(head);
  head_.request.client_ip = peer_ip_;
  head_.request.client_port = peer_port_;
  beginExchange();
  keep_alive_ = head_.keep_alive && !shutting_down_ && !head_.upgrade;
  armTimer();
  handler_ = service_.onRequest(*this);
  if (handler_ && !head_sent_ && head_.expect_continue && state_ == State::Active) {
    out_.tail().append("HTTP/1.1 100 Continue\r\n\r\n");
    flush();
  }
}

void Connection::beginExchange() {
  started_ms_ = loop_.nowMs();
  state_ = State::Active;
  served_one_ = true;
  request_complete_ = false;
  body_paused_ = false;
  head_sent_ = false;
  response_done_ = false;
  blocked_ = false;
  body_sent_ = 0;
  framing_ = BodyFraming::None;
  content_length_ = 0;
  logged_ = false;
  if (report_ != ExchangeReport::None) {
    log_entry_.reset();
    log_entry_.started_ms = started_ms_;
  }
}

void Connection::onBody(const char* data, size_t len) {
  if (handler_ && !response_done_) handler_->onRequestBody(data, len);
  if (!body_paused_) armTimer();
}

void Connection::onMessageComplete() {
  request_complete_ = true;
  timer_.stop();
  if (handler_ && !response_done_) handler_->onRequestComplete();
}

void Connection::handleParseError() {
  const ParseError err = parser_.error();
  in_.clear();
  if (state_ == State::Active) {
    if (head_sent_) {
      abort();
      return;
    }
    destroyHandler(true);
  }
  beginExchange();
  answerError(err.status, err.reason);
}

void Connection::answerError(int status, std::string_view reason) {
  keep_alive_ = false;
  request_complete_ = true;
  if (head_.request.method_name.empty()) head_.request.method_name = "GET";
  if (head_.request.client_ip.empty()) {
    head_.request.client_ip = peer_ip_;
    head_.request.client_port = peer_port_;
  }
  service_.answerParseError(*this, status, reason);
  if (!response_done_) abort();
}

// ---- Exchange: response ------------------------------------------------------------------------

void Connection::sendHead(int status, policies::HeaderList&& headers,
                          std::optional<uint64_t> content_length, bool close_after) {
  if (state_ != State::Active || head_sent_) return;
  // A request body still to come closes the connection after the response (it will not be
  // read). A request without a body is complete even when answered from inside its head
  // callback (a cache hit), before the parser reports the message end.
  if (close_after || shutting_down_ || (!request_complete_ && head_.request.has_body)) {
    keep_alive_ = false;
  }
  framing_ = chooseFraming(head_.request.method_name, status, content_length.has_value(),
                           head_.request.http_minor);
  if (framing_ == BodyFraming::CloseDelimited) keep_alive_ = false;
  content_length_ = content_length.value_or(0);
  const size_t queued = out_.size();
  appendResponseHead(out_.tail(), status, headers, framing_, content_length_, keep_alive_,
                     content_length.has_value() && head_.request.method_name == "HEAD");
  head_sent_ = true;
  if (report_ != ExchangeReport::None) {
    ExchangeLog& l = log_entry_;
    l.status = status;
    l.bytes_sent += out_.size() - queued;
    l.first_byte_ms = loop_.nowMs();
    if (framing_ == BodyFraming::ContentLength) l.content_length = content_length_;
    if (report_ == ExchangeReport::Full) {  // the access log's copies, in one pass over the head
      const auto [x_cache, content_type, content_range, request_id] =
          headers.firstValues<4>({"x-cache", "content-type", "content-range", "x-amz-cf-id"});
      l.x_cache_type = policies::xCacheResultType(x_cache.value_or(""));
      if (content_type) l.content_type = *content_type;
      if (content_range) l.content_range = *content_range;
      if (request_id) l.request_id = *request_id;  // what the viewer was told
    } else {
      l.x_cache_type = policies::xCacheResultType(headers.get("x-cache").value_or(""));
    }
  }
  scheduleFlush();
}

void Connection::sendBody(const char* data, size_t len) {
  if (state_ != State::Active || !head_sent_ || response_done_ || len == 0) return;
  if (framing_ == BodyFraming::None) return;
  const size_t queued = out_.size();
  if (framing_ == BodyFraming::ContentLength) {
    len = static_cast<size_t>(std::min<uint64_t>(len, content_length_ - body_sent_));
    out_.tail().append(data, len);
  } else if (framing_ == BodyFraming::Chunked) {
    appendChunk(out_.tail(), data, len);
  } else {
    out_.tail().append(data, len);
  }
  body_sent_ += len;
  log_entry_.bytes_sent += out_.size() - queued;
  if (out_.size() >= 32 * 1024) flush();
  else scheduleFlush();
}

void Connection::sendShared(const SharedBytes& bytes, size_t offset, size_t len) {
  if (state_ != State::Active || !head_sent_ || response_done_ || len == 0) return;
  if (framing_ == BodyFraming::None) return;
  const size_t queued = out_.size();
  if (framing_ == BodyFraming::ContentLength) {
    len = static_cast<size_t>(std::min<uint64_t>(len, content_length_ - body_sent_));
    out_.appendShared(bytes, offset, len);
  } else if (framing_ == BodyFraming::Chunked) {
    appendChunkSize(out_.tail(), len);
    out_.appendShared(bytes, offset, len);
    out_.tail().append("\r\n");
  } else {
    out_.appendShared(bytes, offset, len);
  }
  body_sent_ += len;
  log_entry_.bytes_sent += out_.size() - queued;
  if (out_.size() >= 32 * 1024) flush();
  else scheduleFlush();
}

void Connection::finish() {
  if (state_ != State::Active || response_done_) return;
  if (!head_sent_ || (framing_ == BodyFraming::ContentLength && body_sent_ != content_length_)) {
    abort();
    return;
  }
  if (framing_ == BodyFraming::Chunked) {
    out_.tail().append(kLastChunk);
    log_entry_.bytes_sent += kLastChunk.size();
  }
  response_done_ = true;
  flush();
  deferOwn([this] { afterResponse(); });
}

void Connection::abort() {
  if (state_ == State::Closing || state_ == State::Draining) return;
  // A response finished before (its afterResponse not run yet) was complete nonetheless.
  logExchange(response_done_ ? ExchangeLog::End::Finished : ExchangeLog::End::Aborted);
  response_done_ = true;
  keep_alive_ = false;
  // Whatever was produced still goes out; the missing end (last chunk, bytes short of
  // Content-Length) tells the viewer the body is truncated.
  state_ = State::Draining;
  timer_.stop();
  updateReading();
  flush();
  if (state_ == State::Draining && pendingBytes() == 0) close();
}

bool Connection::writeBlocked() const {
  if (pendingBytes() < highWater()) return false;
  blocked_ = true;
  return true;
}

void Connection::pauseRequestBody(bool paused) {
  if (body_paused_ == paused) return;
  body_paused_ = paused;
  if (state_ != State::Active) return;
  if (paused) timer_.stop();
  else armTimer();
  updateReading();
}

void Connection::afterResponse() {
  if (state_ != State::Active) return;
  logExchange(ExchangeLog::End::Finished);
  destroyHandler(false);
  if (!keep_alive_ || shutting_down_ || !request_complete_ || peer_eof_) {
    state_ = State::Draining;
    updateReading();
    if (pendingBytes() == 0) close();
    return;
  }
  state_ = State::Idle;
  head_ = RequestHead{};
  request_complete_ = false;
  armTimer();
  parseBuffered();
}

void Connection::destroyHandler(bool viewer_gone) {
  ExchangeHandlerPtr h = std::move(handler_);
  if (h && viewer_gone) h->onViewerGone();
}

void Connection::setLogResult(std::string_view request_id, std::string_view detailed_result) {
  if (report_ == ExchangeReport::None) return;
  if (!detailed_result.empty()) log_entry_.detailed_result = detailed_result;
  if (report_ == ExchangeReport::Full && !request_id.empty()) log_entry_.request_id = request_id;
}

void Connection::logExchange(ExchangeLog::End end) {
  if (logged_) return;
  logged_ = true;
  const uint64_t received = std::exchange(rx_bytes_, 0);
  if (report_ == ExchangeReport::None) return;
  log_entry_.end = end;
  log_entry_.bytes_received = received;
  log_entry_.end_ms = loop_.nowMs();
  service_.onExchangeEnd(*this, log_entry_);
}

// ---- writing -----------------------------------------------------------------------------------

void Connection::scheduleFlush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  deferOwn([this] {
    flush_scheduled_ = false;
    flush();
  });
}

void Connection::flush() {
  if (out_.empty() || state_ == State::Closing) return;
  std::vector<uv_buf_t> bufs;
  if (inflight_writes_ == 0) {
    out_.gather(bufs, kMaxTryWriteBufs);
    const int n = response_done_ && !keep_alive_ ? writeLast(bufs)
                                                 : uv_try_write(tcp_.stream(), bufs.data(),
                                                                static_cast<unsigned>(bufs.size()));
    if (n > 0) {
      out_.consume(static_cast<size_t>(n));
      if (out_.empty()) {
        if (state_ == State::Draining) close();
        return;
      }
    } else if (n != UV_EAGAIN) {
      close();
      return;
    }
    bufs.clear();
  }
  auto* req = new WriteReq;
  req->queue.swap(out_);
  req->bytes = req->queue.size();
  req->queue.gather(bufs);
  const int rc = uv_write(&req->req, tcp_.stream(), bufs.data(), static_cast<unsigned>(bufs.size()),
                          [](uv_write_t* w, int status) {
                            auto* r = reinterpret_cast<WriteReq*>(w);
                            const size_t bytes = r->bytes;
                            auto* self = static_cast<Connection*>(w->handle->data);
                            delete r;
                            if (self != nullptr) self->onWriteDone(bytes, status);
                          });
  if (rc != 0) {
    delete req;
    close();
    return;
  }
  inflight_bytes_ += req->bytes;
  ++inflight_writes_;
  if (!send_timer_.armed()) send_timer_.start(options_.send_timeout_ms, [this] { close(); });
}

int Connection::writeLast(const std::vector<uv_buf_t>& bufs) {
  // The end of a response after which the connection closes: MSG_MORE holds the bytes back and
  // shutdown(SHUT_WR) sends them with the FIN, one segment instead of two (one wake-up of the
  // viewer fewer on every closed connection, bench/README.md "What a connection costs edged").
  // Bytes left unsent go through uv_write, which pushes the held ones too. When everything left
  // at once, the FIN goes before close(), which sends an RST instead when input is unread.
  uv_os_fd_t fd = -1;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(tcp_.get()), &fd) != 0) return UV_EBADF;
  size_t total = 0;
  for (const uv_buf_t& b : bufs) total += b.len;
  msghdr msg{};
  // libuv's Unix uv_buf_t is laid out as an iovec (uv-unix.h).
  static_assert(sizeof(uv_buf_t) == sizeof(iovec) && offsetof(uv_buf_t, base) == offsetof(iovec, iov_base) &&
                offsetof(uv_buf_t, len) == offsetof(iovec, iov_len));
  msg.msg_iov = reinterpret_cast<iovec*>(const_cast<uv_buf_t*>(bufs.data()));
  msg.msg_iovlen = bufs.size();
  ssize_t n = 0;
  do {
    n = ::sendmsg(fd, &msg, MSG_MORE | MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? UV_EAGAIN : -errno;
  if (static_cast<size_t>(n) == total && out_.size() == total) ::shutdown(fd, SHUT_WR);
  return static_cast<int>(n);
}

void Connection::onWriteDone(size_t bytes, int status) {
  inflight_bytes_ -= bytes;
  --inflight_writes_;
  if (status < 0) {
    close();
    return;
  }
  if (inflight_writes_ == 0) send_timer_.stop();
  else send_timer_.start(options_.send_timeout_ms, [this] { close(); });
  if (!out_.empty() && inflight_writes_ == 0) flush();
  if (state_ == State::Closing) return;
  if (state_ == State::Draining && pendingBytes() == 0) {
    close();
    return;
  }
  if (pendingBytes() < lowWater()) {
    if (blocked_ && handler_) {
      blocked_ = false;
      handler_->onWritable();
      if (state_ == State::Closing) return;
    }
    if (state_ == State::Idle) {
      armTimer();
      if (!in_.empty()) {
        parseBuffered();  // pipelined requests held back by a full backlog
        return;
      }
    }
  }
  updateReading();
}

// ---- timers and closing ------------------------------------------------------------------------

void Connection::armTimer() {
  switch (state_) {
    case State::Idle:
      // Waiting for the viewer to read earlier responses is not idleness: SendTimeoutMs governs.
      if (outputFull()) {
        timer_.stop();
        break;
      }
      // Before the first request the header deadline applies; between requests the idle one.
      timer_.start(served_one_ ? options_.idle_timeout_ms : options_.header_timeout_ms,
                   [this] { close(); });
      break;
    case State::ReadingHead:
      timer_.start(options_.header_timeout_ms, [this] {
        // Slow or incomplete request head (slowloris): 408 and close.
        if (state_ == State::ReadingHead) {
          in_.clear();
          beginExchange();
          answerError(408, "request head timeout");
        }
      });
      break;
    case State::Active:
      if (!request_complete_ && head_.request.has_body && !body_paused_) {
        timer_.start(options_.body_timeout_ms, [this] {
          if (head_sent_) abort();
          else {
            destroyHandler(true);
            answerError(408, "request body timeout");
          }
        });
      } else {
        timer_.stop();
      }
      break;
    default:
      timer_.stop();
  }
}

void Connection::close() {
  if (state_ == State::Closing) return;
  if (!logged_) {
    logExchange(response_done_ && pendingBytes() == 0 ? ExchangeLog::End::Finished
                                                      : ExchangeLog::End::ViewerGone);
  }
  state_ = State::Closing;
  timer_.stop();
  send_timer_.stop();
  reading_ = false;
  tcp_.close();
  loop_.defer([this] { reap(); });
}

void Connection::reap() {
  // finish() can close the connection (a failed write) and then queue afterResponse(): that
  // call runs after this one, so the connection must outlive it (seen under ASan in
  // Overload.ConnectionBufferStopsReadingAPipelinerThatDoesNotRead).
  if (deferred_own_ > 0) {
    loop_.defer([this] { reap(); });
    return;
  }
  destroyHandler(true);
  owner_.onConnectionClosed(this);
}

}  // namespace edge::engine
