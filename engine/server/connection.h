// One viewer TCP connection: reads and parses requests one at a time (pipelined requests wait
// in the read buffer, so responses leave in order), runs each as an Exchange, writes responses
// with backpressure, and enforces the header / idle / body / send timeouts. Loop thread only.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/server/exchange.h"
#include "engine/server/http_parser.h"
#include "engine/server/output_queue.h"
#include "engine/server/response_writer.h"
#include "engine/uv/loop.h"
#include "engine/uv/uv_handle.h"

namespace edge::engine {

struct ServerOptions {
  ParserLimits limits;
  uint32_t header_timeout_ms = 10000;
  uint32_t idle_timeout_ms = 60000;
  uint32_t body_timeout_ms = 30000;
  uint32_t send_timeout_ms = 60000;
  uint32_t max_connections = 10000;
  // Per-connection cap (Edge.MaxConnectionBufferBytes): response bytes queued before the handler
  // is told to wait (writeBlocked) and before further pipelined requests wait, and unparsed input
  // held before reading stops.
  size_t buffer_bytes = 256 * 1024;
};

class Connection;
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  // The connection has fully closed; the owner destroys it. Called on a later loop iteration.
  virtual void onConnectionClosed(Connection* conn) = 0;
};

class Connection final : public Exchange, private RequestSink {
 public:
  Connection(Loop& loop, HttpService& service, const ServerOptions& options, ConnectionOwner& owner);
  ~Connection() override;

  // Accepts a pending connection from `server` and starts reading. False when accept failed.
  bool accept(uv_stream_t* server);
  // Graceful shutdown: close now if idle, else after the current response.
  void beginShutdown();
  bool idle() const { return state_ == State::Idle; }

  // Exchange
  const policies::ViewerRequest& request() const override { return head_.request; }
  Loop& loop() override { return loop_; }
  uint64_t startedMs() const override { return started_ms_; }
  void sendHead(int status, policies::HeaderList&& headers, std::optional<uint64_t> content_length,
                bool close_after) override;
  void sendBody(const char* data, size_t len) override;
  void sendShared(const SharedBytes& bytes, size_t offset, size_t len) override;
  void finish() override;
  void abort() override;
  bool headSent() const override { return head_sent_; }
  bool writeBlocked() const override;
  void pauseRequestBody(bool paused) override;
  uint64_t bodyBytesSent() const override { return body_sent_; }
  void setLogResult(std::string_view request_id, std::string_view detailed_result) override;

 private:
  // Connection states (transitions all in connection.cc).
  enum class State : uint8_t {
    Idle,         // between requests (or before the first): idle / header timer armed
    ReadingHead,  // bytes of a request head arrived: header deadline armed
    Active,       // an Exchange exists: body may still be arriving, response in progress
    Draining,     // response done, waiting for writes to drain before closing
    Closing,      // uv_close issued; destroyed on a later iteration
  };

  static constexpr size_t kMaxTryWriteBufs = 64;
  int writeLast(const std::vector<uv_buf_t>& bufs);  // uv_try_write's result convention
  size_t highWater() const { return options_.buffer_bytes; }
  size_t lowWater() const { return options_.buffer_bytes / 4; }
  // The response backlog is full: the next pipelined request waits and reading stops.
  bool outputFull() const { return pendingBytes() >= highWater(); }

  // RequestSink
  void onHead(RequestHead&& head) override;
  void onBody(const char* data, size_t len) override;
  void onMessageComplete() override;

  void beginExchange();  // resets the per-exchange state; state_ becomes Active
  void onRead(ssize_t nread, const uv_buf_t* buf);
  void parseBuffered();
  void handleParseError();
  void afterResponse();
  void updateReading();
  void armTimer();
  void flush();
  void onWriteDone(size_t bytes, int status);
  size_t pendingBytes() const { return out_.size() + inflight_bytes_; }
  void close();
  void reap();  // the last step after close(): waits for this connection's deferred calls
  // loop_.defer() for work on this connection. Counted, so that reap() (itself deferred by
  // close()) never frees the connection while a call queued after it still points here.
  template <class F>
  void deferOwn(F&& fn) {
    ++deferred_own_;
    loop_.defer([this, fn = std::forward<F>(fn)]() mutable {
      --deferred_own_;
      if (state_ != State::Closing) fn();
    });
  }
  void destroyHandler(bool viewer_gone);
  void scheduleFlush();
  void answerError(int status, std::string_view reason);
  // Reports the current exchange's end to the service (access log), once per exchange.
  void logExchange(ExchangeLog::End end);

  Loop& loop_;
  HttpService& service_;
  const ServerOptions& options_;
  ConnectionOwner& owner_;
  UvHandle<uv_tcp_t> tcp_;
  Timer timer_;       // header / idle / body deadline, by state
  Timer send_timer_;  // armed while writes are in flight without progress
  RequestParser parser_;
  State state_ = State::Idle;

  std::string in_;   // received bytes not yet parsed (pipelined requests, partial heads)
  OutputQueue out_;  // response bytes not yet handed to uv_write
  size_t inflight_bytes_ = 0;
  size_t inflight_writes_ = 0;
  bool reading_ = false;
  bool peer_eof_ = false;
  bool shutting_down_ = false;
  bool served_one_ = false;  // idle timeout applies after the first request, header timeout before
  std::string peer_ip_;
  uint16_t peer_port_ = 0;
  bool flush_scheduled_ = false;
  uint32_t deferred_own_ = 0;  // deferOwn() calls queued and not yet run

  // The current exchange.
  RequestHead head_;
  ExchangeHandlerPtr handler_;
  uint64_t started_ms_ = 0;
  bool request_complete_ = false;
  bool body_paused_ = false;
  bool head_sent_ = false;
  bool response_done_ = false;
  bool keep_alive_ = true;
  mutable bool blocked_ = false;  // writeBlocked() was observed; notify onWritable when drained
  bool parse_error_pending_ = false;
  BodyFraming framing_ = BodyFraming::None;
  uint64_t content_length_ = 0;
  uint64_t body_sent_ = 0;

  // Exchange ends for the service (metrics, access log): filled as service_.exchangeReport()
  // asks (the strings only for Full).
  ExchangeReport report_ = ExchangeReport::None;
  bool logged_ = true;        // the current exchange's end was reported (true: none open)
  uint64_t rx_bytes_ = 0;     // request bytes parsed since the last report
  ExchangeLog log_entry_;     // the current exchange's, filled as it goes
};

}  // namespace edge::engine
