// One libcurl multi handle driven by one libuv loop (multi_socket_action with a uv_poll per
// socket and one uv_timer), as in curl's multi-uv example. Owns the loop's origin connection
// cache. Loop thread only.
#pragma once

#include <curl/curl.h>
#include <uv.h>

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "origin/curl_handles.h"

namespace edge::origin {

// What a finished transfer is told. Set as CURLOPT_PRIVATE on the easy handle.
class CurlTransfer {
 public:
  virtual ~CurlTransfer() = default;
  // The transfer left the multi handle (already removed) with `result`. Called from the loop,
  // never from inside a curl callback: the receiver may destroy itself or re-add the handle.
  virtual void onTransferDone(CURLcode result) = 0;
};

class CurlMulti {
 public:
  explicit CurlMulti(uv_loop_t* loop);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts `easy`; `transfer` gets onTransferDone. False if curl refused the handle.
  bool add(CURL* easy, CurlTransfer* transfer);
  // Removes a running transfer (no onTransferDone). Must not be called from a curl callback.
  void remove(CURL* easy);

  // Installs the close-socket hook on `easy` (every transfer of this multi must have it): the
  // multi keeps one uv_poll per origin socket for as long as curl keeps the socket open.
  void prepare(CURL* easy);

  // Easy handles are pooled: acquire() returns a reset handle, release() takes it back.
  CurlEasyPtr acquire();
  void release(CurlEasyPtr easy);

  size_t running() const { return running_; }
  uv_loop_t* loop() const { return loop_; }

 private:
  struct SocketContext;
  static int onSocket(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
  static int onTimer(CURLM* multi, long timeout_ms, void* userp);
  static int onCloseSocket(void* clientp, curl_socket_t s);
  static curl_socket_t onOpenSocket(void* clientp, curlsocktype purpose, struct curl_sockaddr* addr);
  void closeContext(curl_socket_t s);
  SocketContext* contextFor(curl_socket_t s, void* socketp);
  void action(curl_socket_t s, int flags);
  void drainDone();

  uv_loop_t* loop_;
  CurlMultiPtr multi_;
  uv_timer_t* timer_;  // freed in its close callback
  std::vector<CurlEasyPtr> pool_;
  // Every origin socket curl has open, watched or idle in curl's connection cache. Keeping the
  // poll across requests on a reused connection saves epoll_ctl calls per request.
  std::unordered_map<curl_socket_t, SocketContext*> sockets_;
  // Connection sockets opened through our hook: only these are closed through onCloseSocket
  // and may keep their poll while idle. Others (the resolver's wake-up pipe) are released on
  // CURL_POLL_REMOVE, since curl closes them without telling.
  std::unordered_set<curl_socket_t> owned_;
  size_t running_ = 0;
};

}  // namespace edge::origin
