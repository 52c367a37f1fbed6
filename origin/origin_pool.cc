#include "origin/origin_pool.h"

#include <algorithm>
#include <cstring>

namespace edge::origin {

namespace {

OriginConn* connOf(uv_handle_t* h) { return static_cast<OriginConn*>(h->data); }

void eraseOne(std::vector<PoolClient*>& v, PoolClient* c) {
  for (auto& p : v) {
    if (p == c) p = nullptr;
  }
}

}  // namespace

OriginPool::OriginPool(uv_loop_t* loop)
    : loop_(loop), tick_(new uv_timer_t), kick_idle_(new uv_idle_t), read_buf_(kReadBufferSize) {
  uv_timer_init(loop_, tick_);
  tick_->data = this;
  uv_idle_init(loop_, kick_idle_);
  kick_idle_->data = this;
}

OriginPool::~OriginPool() {
  for (auto& [key, conns] : idle_) {
    for (OriginConn* c : conns) {
      c->user = nullptr;
      c->closing = true;
      uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
               [](uv_handle_t* h) { delete connOf(h); });
    }
  }
  idle_.clear();
  tick_->data = nullptr;
  uv_timer_stop(tick_);
  uv_close(reinterpret_cast<uv_handle_t*>(tick_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  kick_idle_->data = nullptr;
  uv_idle_stop(kick_idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(kick_idle_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); });
}

size_t OriginPool::idleCount() const { return idle_count_; }

OriginConn* OriginPool::takeIdle(const std::string& key, ConnUser* user) {
  auto it = idle_.find(key);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  OriginConn* c = it->second.back();
  it->second.pop_back();
  --idle_count_;
  c->user = user;
  return c;
}

OriginConn* OriginPool::create(const std::string& key, ConnUser* user) {
  auto* c = new OriginConn;
  if (uv_tcp_init(loop_, &c->tcp) != 0) {
    delete c;
    return nullptr;
  }
  c->tcp.data = c;
  c->pool = this;
  c->user = user;
  c->key = key;
  uv_tcp_nodelay(&c->tcp, 1);
  return c;
}

int OriginPool::connect(OriginConn* c, const struct sockaddr* addr) {
  c->connect_req.data = c;
  return uv_tcp_connect(&c->connect_req, &c->tcp, addr, [](uv_connect_t* req, int status) {
    auto* conn = static_cast<OriginConn*>(req->data);
    if (conn->closing || conn->user == nullptr) return;  // ECANCELED after close
    if (status == 0) conn->connected = true;
    conn->user->onConnConnected(status);
  });
}

void OriginPool::onAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  OriginPool* pool = connOf(h)->pool;
  buf->base = pool->read_buf_.data();
  buf->len = pool->read_buf_.size();
}

void OriginPool::onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  OriginConn* c = connOf(reinterpret_cast<uv_handle_t*>(s));
  if (nread == 0 || c->closing) return;
  if (c->user != nullptr) {
    c->user->onConnRead(nread, buf->base);
    return;
  }
  // Idle: the origin closed it, or sent bytes nobody asked for. Either way it is unusable.
  OriginPool* pool = c->pool;
  pool->removeIdle(c);
  pool->close(c);
}

void OriginPool::startRead(OriginConn* c) {
  if (c->reading || c->closing) return;
  c->reading = true;
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), &OriginPool::onAlloc, &OriginPool::onRead);
}

void OriginPool::stopRead(OriginConn* c) {
  if (!c->reading || c->closing) return;
  c->reading = false;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tcp));
}

ssize_t OriginPool::write(OriginConn* c, const uv_buf_t* bufs, unsigned nbufs) {
  auto* stream = reinterpret_cast<uv_stream_t*>(&c->tcp);
  int n = uv_try_write(stream, bufs, nbufs);
  if (n == UV_EAGAIN) n = 0;
  if (n < 0) return n;
  size_t skip = static_cast<size_t>(n);
  size_t total = 0;
  for (unsigned i = 0; i < nbufs; ++i) total += bufs[i].len;
  if (skip == total) return n;
  c->write_buf.clear();
  for (unsigned i = 0; i < nbufs; ++i) {
    if (skip >= bufs[i].len) {
      skip -= bufs[i].len;
      continue;
    }
    c->write_buf.append(bufs[i].base + skip, bufs[i].len - skip);
    skip = 0;
  }
  uv_buf_t rest = uv_buf_init(c->write_buf.data(), static_cast<unsigned>(c->write_buf.size()));
  c->write_req.data = c;
  const int rc = uv_write(&c->write_req, stream, &rest, 1, [](uv_write_t* req, int status) {
    auto* conn = static_cast<OriginConn*>(req->data);
    conn->writing = false;
    if (conn->closing || conn->user == nullptr) return;
    conn->user->onConnWritten(status);
  });
  if (rc != 0) return rc;
  c->writing = true;
  return n;
}

void OriginPool::release(OriginConn* c, uint64_t keepalive_ms) {
  auto& list = idle_[c->key];
  if (list.size() >= kMaxIdlePerKey || c->closing || c->writing) {
    close(c);
    return;
  }
  c->user = nullptr;
  ++c->uses;
  c->idle_deadline_ms = uv_now(loop_) + keepalive_ms;
  list.push_back(c);
  ++idle_count_;
  startRead(c);  // notice the origin closing it
  ensureTicking();
}

void OriginPool::removeIdle(OriginConn* c) {
  auto it = idle_.find(c->key);
  if (it == idle_.end()) return;
  auto& list = it->second;
  auto pos = std::find(list.begin(), list.end(), c);
  if (pos == list.end()) return;
  list.erase(pos);
  --idle_count_;
}

void OriginPool::close(OriginConn* c) {
  if (c->closing) return;
  c->closing = true;
  c->user = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), [](uv_handle_t* h) { delete connOf(h); });
}

void OriginPool::ensureTicking() {
  if (ticking_) return;
  ticking_ = true;
  uv_timer_start(tick_, [](uv_timer_t* t) {
    if (t->data != nullptr) static_cast<OriginPool*>(t->data)->onTick();
  }, kTickMs, kTickMs);
}

void OriginPool::watch(PoolClient* client) {
  watched_.push_back(client);
  ensureTicking();
}

void OriginPool::unwatch(PoolClient* client) {
  for (size_t i = watched_.size(); i-- > 0;) {
    if (watched_[i] == client) {
      watched_[i] = watched_.back();
      watched_.pop_back();
      return;
    }
  }
}

void OriginPool::onTick() {
  const uint64_t now = uv_now(loop_);
  // Backwards: a client that leaves (swap-remove) only moves an already visited one into place.
  for (size_t i = watched_.size(); i-- > 0;) {
    if (i >= watched_.size()) continue;
    watched_[i]->onTick(now);
  }
  for (auto& [key, list] : idle_) {
    size_t kept = 0;
    for (OriginConn* c : list) {
      if (c->idle_deadline_ms <= now) {
        close(c);
        --idle_count_;
      } else {
        list[kept++] = c;
      }
    }
    list.resize(kept);
  }
  if (watched_.empty() && idle_count_ == 0) {
    ticking_ = false;
    uv_timer_stop(tick_);
  }
}

void OriginPool::kick(PoolClient* client) {
  kicks_.push_back(client);
  if (!kick_running_) {
    kick_running_ = true;
    uv_idle_start(kick_idle_, [](uv_idle_t* h) {
      if (h->data != nullptr) static_cast<OriginPool*>(h->data)->onKickIdle();
    });
  }
}

void OriginPool::unkick(PoolClient* client) {
  eraseOne(kicks_, client);
  eraseOne(running_kicks_, client);
}

void OriginPool::onKickIdle() {
  running_kicks_.swap(kicks_);
  for (size_t i = 0; i < running_kicks_.size(); ++i) {
    PoolClient* c = running_kicks_[i];
    if (c == nullptr) continue;
    running_kicks_[i] = nullptr;
    c->onKick();
  }
  running_kicks_.clear();
  if (kicks_.empty()) {
    kick_running_ = false;
    uv_idle_stop(kick_idle_);
  }
}

}  // namespace edge::origin
