#include "origin/curl_multi.h"

#include <cstdio>
#include <cstdlib>

#include <sys/socket.h>
#include <unistd.h>

namespace edge::origin {

// A uv_poll per curl socket. Freed in the uv_close callback, after libuv let go of it.
struct CurlMulti::SocketContext {
  uv_poll_t poll;
  curl_socket_t fd;
  CurlMulti* owner;
  int events;  // what the poll watches now; curl often repeats itself
  bool curl_watching;  // false while the connection sits idle in curl's cache
};



CurlMulti::CurlMulti(uv_loop_t* loop) : loop_(loop), multi_(curl_multi_init()) {
  if (!multi_) {
    std::fprintf(stderr, "edged: curl_multi_init failed\n");
    std::abort();
  }
  timer_ = new uv_timer_t;
  uv_timer_init(loop_, timer_);
  timer_->data = this;
  curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETFUNCTION, &CurlMulti::onSocket);
  curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_.get(), CURLMOPT_TIMERFUNCTION, &CurlMulti::onTimer);
  curl_multi_setopt(multi_.get(), CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
  curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, 256L);
}

CurlMulti::~CurlMulti() {
  pool_.clear();
  // Cleaning up the multi closes cached connections through onCloseSocket, releasing polls.
  multi_.reset();
  for (auto& [fd, ctx] : sockets_) {  // sockets curl never closed through the hook
    uv_poll_stop(&ctx->poll);
    uv_close(reinterpret_cast<uv_handle_t*>(&ctx->poll),
             [](uv_handle_t* h) { delete reinterpret_cast<SocketContext*>(h); });
  }
  sockets_.clear();
  timer_->data = nullptr;
  uv_timer_stop(timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

bool CurlMulti::add(CURL* easy, CurlTransfer* transfer) {
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer);
  if (curl_multi_add_handle(multi_.get(), easy) != CURLM_OK) return false;
  ++running_;
  return true;
}

void CurlMulti::remove(CURL* easy) {
  if (curl_multi_remove_handle(multi_.get(), easy) == CURLM_OK && running_ > 0) --running_;
}

CurlEasyPtr CurlMulti::acquire() {
  if (!pool_.empty()) {
    CurlEasyPtr e = std::move(pool_.back());
    pool_.pop_back();
    return e;
  }
  return CurlEasyPtr(curl_easy_init());
}

void CurlMulti::release(CurlEasyPtr easy) {
  if (!easy) return;
  if (pool_.size() >= 64) return;  // the deleter cleans it up
  curl_easy_reset(easy.get());
  pool_.push_back(std::move(easy));
}

void CurlMulti::prepare(CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &CurlMulti::onOpenSocket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMulti::onCloseSocket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
}

curl_socket_t CurlMulti::onOpenSocket(void* clientp, curlsocktype, struct curl_sockaddr* addr) {
  auto* self = static_cast<CurlMulti*>(clientp);
  const int fd = ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  self->owned_.insert(fd);
  return fd;
}

void CurlMulti::closeContext(curl_socket_t s) {
  auto it = sockets_.find(s);
  if (it == sockets_.end()) return;
  SocketContext* ctx = it->second;
  sockets_.erase(it);
  // The poll must leave epoll before the fd number can be reused by another socket.
  uv_poll_stop(&ctx->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&ctx->poll),
           [](uv_handle_t* h) { delete reinterpret_cast<SocketContext*>(h); });
}

CurlMulti::SocketContext* CurlMulti::contextFor(curl_socket_t s, void* socketp) {
  if (socketp != nullptr) return static_cast<SocketContext*>(socketp);
  if (auto it = sockets_.find(s); it != sockets_.end()) return it->second;
  auto* ctx = new SocketContext{};
  ctx->fd = s;
  ctx->owner = this;
  if (uv_poll_init_socket(loop_, &ctx->poll, s) != 0) {
    delete ctx;
    return nullptr;
  }
  ctx->poll.data = ctx;
  sockets_.emplace(s, ctx);
  return ctx;
}

int CurlMulti::onCloseSocket(void* clientp, curl_socket_t s) {
  auto* self = static_cast<CurlMulti*>(clientp);
  self->closeContext(s);
  self->owned_.erase(s);
  return ::close(s);
}

int CurlMulti::onSocket(CURL*, curl_socket_t s, int what, void* userp, void* socketp) {
  auto* self = static_cast<CurlMulti*>(userp);
  SocketContext* ctx = self->contextFor(s, socketp);
  if (ctx == nullptr) return -1;
  if (what == CURL_POLL_REMOVE && self->owned_.count(s) == 0) {
    curl_multi_assign(self->multi_.get(), s, nullptr);
    self->closeContext(s);
    return 0;
  }
  if (what == CURL_POLL_REMOVE) {
    // The connection goes idle into curl's cache (or is about to be closed, which the
    // close-socket hook handles). Keep watching for readability, so a reused connection needs
    // no epoll change; an idle socket that turns readable (origin closed it) is left to curl.
    ctx->curl_watching = false;
    return 0;
  }
  if (socketp == nullptr) curl_multi_assign(self->multi_.get(), s, ctx);
  ctx->curl_watching = true;
  int events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= UV_READABLE;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= UV_WRITABLE;
  if (events == ctx->events) return 0;
  ctx->events = events;
  if (events == 0) {
    uv_poll_stop(&ctx->poll);
    return 0;
  }
  uv_poll_start(&ctx->poll, events, [](uv_poll_t* p, int status, int ev) {
    auto* c = static_cast<SocketContext*>(p->data);
    if (!c->curl_watching) {
      // Idle connection became readable (origin closed it or sent junk): stop watching; curl
      // finds the connection dead when it next tries to reuse it, and closes it.
      uv_poll_stop(p);
      c->events = 0;
      return;
    }
    int flags = 0;
    if (status < 0) flags = CURL_CSELECT_ERR;
    if ((ev & UV_READABLE) != 0) flags |= CURL_CSELECT_IN;
    if ((ev & UV_WRITABLE) != 0) flags |= CURL_CSELECT_OUT;
    c->owner->action(c->fd, flags);
  });
  return 0;
}

int CurlMulti::onTimer(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<CurlMulti*>(userp);
  if (timeout_ms < 0) {
    uv_timer_stop(self->timer_);
    return 0;
  }
  // 0 means "as soon as possible" but never from inside this callback.
  const uint64_t ms = timeout_ms == 0 ? 1 : static_cast<uint64_t>(timeout_ms);
  uv_timer_start(self->timer_, [](uv_timer_t* t) {
    if (t->data != nullptr) static_cast<CurlMulti*>(t->data)->action(CURL_SOCKET_TIMEOUT, 0);
  }, ms, 0);
  return 0;
}

void CurlMulti::action(curl_socket_t s, int flags) {
  int still_running = 0;
  curl_multi_socket_action(multi_.get(), s, flags, &still_running);
  drainDone();
}

void CurlMulti::drainDone() {
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &pending)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode result = msg->data.result;  // copied: msg is invalid after remove
    CurlTransfer* transfer = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&transfer));
    remove(easy);
    if (transfer != nullptr) transfer->onTransferDone(result);
  }
}

}  // namespace edge::origin
