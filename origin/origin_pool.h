// Per-loop plumbing of the own HTTP/1.1 origin client (HttpFetch): idle keep-alive origin
// connections keyed by "connect_host:connect_port" (each with an OriginKeepaliveTimeout
// deadline), one coarse tick timer for every deadline (idle connections and the timeouts of
// running fetches: no uv_timer per request), a "kick" list for work that must run on a later
// loop callback rather than inside a call the pipeline made, writes (uv_try_write first,
// uv_write for the rest) and one read buffer shared by every origin socket of the loop.
// Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace edge::origin {

// The pool's view of the fetch using a connection.
class ConnUser {
 public:
  virtual ~ConnUser() = default;
  virtual void onConnConnected(int status) = 0;
  // nread > 0: `data` holds nread bytes, valid only during the call (shared buffer).
  // nread < 0: UV_EOF or an error. Never called with 0.
  virtual void onConnRead(ssize_t nread, const char* data) = 0;
  // The uv_write started by OriginPool::write finished.
  virtual void onConnWritten(int status) = 0;
};

// A fetch in progress, as the pool's timer and kick list see it.
class PoolClient {
 public:
  virtual ~PoolClient() = default;
  // Every tick (about kTickMs) while watched: check deadlines. May end the fetch (and let its
  // observer destroy it).
  virtual void onTick(uint64_t now_ms) = 0;
  // Once after kick(), from a loop callback.
  virtual void onKick() = 0;
};

class OriginPool;

// One TCP connection to an origin address. Owned by the pool; freed in the uv_close callback.
struct OriginConn {
  uv_tcp_t tcp;
  uv_connect_t connect_req;
  uv_write_t write_req;
  std::string write_buf;  // bytes of the write in flight
  OriginPool* pool = nullptr;
  ConnUser* user = nullptr;  // nullptr while idle or closing
  std::string key;
  uint64_t idle_deadline_ms = 0;
  uint32_t uses = 0;  // responses completed on this connection
  bool connected = false;
  bool reading = false;
  bool writing = false;
  bool closing = false;
};

class OriginPool {
 public:
  static constexpr uint64_t kTickMs = 100;
  static constexpr size_t kReadBufferSize = 64 * 1024;
  static constexpr size_t kMaxIdlePerKey = 512;

  explicit OriginPool(uv_loop_t* loop);
  ~OriginPool();  // closes idle connections; fetches must be gone already
  OriginPool(const OriginPool&) = delete;
  OriginPool& operator=(const OriginPool&) = delete;

  uv_loop_t* loop() const { return loop_; }

  // Most recently parked idle connection for `key`, now owned by `user`, or nullptr.
  OriginConn* takeIdle(const std::string& key, ConnUser* user);
  // A new, unconnected socket for `key` (nullptr if libuv refused).
  OriginConn* create(const std::string& key, ConnUser* user);
  // Starts connecting; onConnConnected follows (also on failure) unless the conn is closed.
  int connect(OriginConn* c, const struct sockaddr* addr);
  void startRead(OriginConn* c);
  void stopRead(OriginConn* c);
  // Writes `bufs`: what uv_try_write does not take is copied and written with uv_write, then
  // onConnWritten follows. Returns the number of bytes written right away, or a negative error.
  // Must not be called while c->writing.
  ssize_t write(OriginConn* c, const uv_buf_t* bufs, unsigned nbufs);
  // Parks a connection that finished a response cleanly; closed after `keepalive_ms` idle, when
  // the origin closes it, or when it sends anything while idle.
  void release(OriginConn* c, uint64_t keepalive_ms);
  void close(OriginConn* c);

  void watch(PoolClient* client);
  void unwatch(PoolClient* client);
  void kick(PoolClient* client);
  void unkick(PoolClient* client);

  size_t idleCount() const;

 private:
  static void onAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  void onTick();
  void onKickIdle();
  void ensureTicking();
  void removeIdle(OriginConn* c);

  uv_loop_t* loop_;
  uv_timer_t* tick_;     // freed in its close callback
  uv_idle_t* kick_idle_;  // freed in its close callback
  bool ticking_ = false;
  bool kick_running_ = false;
  std::unordered_map<std::string, std::vector<OriginConn*>> idle_;
  size_t idle_count_ = 0;
  std::vector<PoolClient*> watched_;
  std::vector<PoolClient*> kicks_;
  std::vector<PoolClient*> running_kicks_;
  std::vector<char> read_buf_;
};

}  // namespace edge::origin
