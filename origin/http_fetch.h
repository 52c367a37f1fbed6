// OriginFetch over our own HTTP/1.1 client (plain-HTTP origins): libuv TCP from the loop's
// OriginPool, llhttp response parser. One request per connection at a time; the connection
// goes back to the pool only after a complete keep-alive response to a fully sent request.
//
//   start -> [Resolving] -> Connecting -> Exchanging -> Done
//            (reused keep-alive connection: straight to Exchanging)
//
// The response bytes go through ResponseParser (http_response_parser.h).
//
// Timeouts run on the pool's coarse tick: ConnectionTimeout per attempt, OriginReadTimeout per
// gap between received bytes (first byte included; paused or body-starved time exempt) and the
// response completion timeout. Loop thread only.
#pragma once

#include <uv.h>

#include <string>

#include "origin/http_response_parser.h"
#include "origin/origin_fetch.h"
#include "origin/origin_pool.h"

namespace edge::origin {

class HttpFetch final : public OriginFetch,
                        private ConnUser,
                        private PoolClient,
                        private ResponseSink {
 public:
  HttpFetch(OriginPool& pool, FetchRequest&& req, FetchObserver& observer);
  ~HttpFetch() override;
  HttpFetch(const HttpFetch&) = delete;
  HttpFetch& operator=(const HttpFetch&) = delete;

  bool start() override;
  void pushBody(const char* data, size_t len) override;
  void endBody() override;
  size_t bufferedBody() const override { return out_.size() - out_off_; }
  void resumeResponse() override;
  void cancel() override;
  int attempts() const override { return attempts_; }

 private:
  enum class Phase : uint8_t { Idle, Resolving, Connecting, Exchanging, Done };

  // ConnUser
  void onConnConnected(int status) override;
  void onConnRead(ssize_t nread, const char* data) override;
  void onConnWritten(int status) override;
  // PoolClient
  void onTick(uint64_t now_ms) override;
  void onKick() override;

  // ResponseSink
  void onResponseHead(int status, policies::HeaderList&& headers) override;
  bool onResponseBody(const char* data, size_t len) override;

  void buildHead();
  void beginAttempt(bool allow_reuse);
  void resolve();
  void connectNew();
  void flush();
  void parse(const char* data, size_t len);
  void onEof(ssize_t nread);
  void onResponseComplete();
  // The attempt failed with `outcome`: retries when allowed, else finishes.
  void attemptFailed(FetchOutcome outcome);
  bool canStaleRetry() const;
  // A request write failed: retry once on a new connection when the request allows it.
  void onWriteFailed();
  void dropConn();
  // Ends the fetch: onOriginDone now (from a loop callback) or from a kick (inside an API call).
  // Nothing may touch `this` after it.
  void finish(FetchOutcome outcome);
  void resumeNow();
  void kickSoon();  // onKick() on a later loop turn, once however often asked

  OriginPool& pool_;
  FetchRequest req_;
  FetchObserver& observer_;
  std::string key_;  // "connect_host:connect_port"
  Phase phase_ = Phase::Idle;
  int attempts_ = 0;
  int in_api_ = 0;  // > 0 inside a call the pipeline made
  bool watched_ = false;
  bool kicked_ = false;

  // Where to connect.
  sockaddr_storage addr_{};
  bool have_addr_ = false;
  uv_getaddrinfo_t* gai_ = nullptr;  // in flight; freed in its callback

  OriginConn* conn_ = nullptr;
  bool reused_ = false;
  bool stale_retried_ = false;

  // Request: the serialized head (kept for retries) and the framed body not yet written.
  std::string head_;
  size_t head_off_ = 0;
  std::string out_;
  size_t out_off_ = 0;
  uint64_t body_sent_ = 0;  // framed body bytes handed to the socket
  bool chunked_ = false;
  bool body_ended_ = false;
  bool write_failed_ = false;
  bool drain_pending_ = false;  // onRequestBodyDrained owed once the body buffer empties

  // Deadlines (uv_now ms).
  uint64_t attempt_started_ms_ = 0;
  uint64_t last_progress_ms_ = 0;
  uint64_t completion_deadline_ms_ = 0;  // 0: none

  // Response.
  ResponseParser response_{*this, kMaxHeadBytes};
  bool head_delivered_ = false;
  bool got_bytes_ = false;  // any response byte on this attempt
  bool keep_alive_ = false;
  bool body_paused_ = false;   // observer refused body: reading stopped
  std::string held_body_;      // the refused body bytes, offered again first
  std::string held_input_;     // received, not yet parsed

  // Deferred from an API call.
  bool done_pending_ = false;
  FetchOutcome pending_outcome_ = FetchOutcome::Complete;
  bool resume_pending_ = false;
  bool begin_pending_ = false;  // start() with a request body: the first attempt on the next kick
};

}  // namespace edge::origin
