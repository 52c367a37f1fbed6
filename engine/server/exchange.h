// One request/response on a viewer connection, as the request pipeline sees it. The Connection
// owns the Exchange; the pipeline attaches an ExchangeHandler that receives body bytes and flow
// control events. Loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/server/output_queue.h"
#include "policies/http_types.h"
#include "policies/result_type.h"
#include "policies/viewer_request.h"

namespace edge::engine {

class Loop;

// Per-request logic attached to an Exchange (the request pipeline implements it). Callbacks are
// never made from inside a call the handler made on the Exchange.
class ExchangeHandler {
 public:
  virtual ~ExchangeHandler() = default;
  // Request body bytes, de-chunked. Only after the handler was attached.
  virtual void onRequestBody(const char* data, size_t len) = 0;
  // The whole request (head and body) has been received.
  virtual void onRequestComplete() = 0;
  // Output that was above the high watermark has drained below the low watermark.
  virtual void onWritable() = 0;
  // The viewer connection is gone; the handler is destroyed right after this returns and must
  // release origin resources. No Exchange call is allowed from here on.
  virtual void onViewerGone() = 0;
};
using ExchangeHandlerPtr = std::unique_ptr<ExchangeHandler>;

// What a service wants to hear of each exchange's end (HttpService::exchangeReport).
enum class ExchangeReport : uint8_t {
  None,    // nothing: onExchangeEnd is never called
  Counts,  // the numbers only (metrics): ExchangeLog's strings stay empty, nothing is copied
  Full,    // every field (access log): the response's header values are copied at sendHead
};

// How an exchange ended, for the metrics and the access log (HttpService::onExchangeEnd).
struct ExchangeLog {
  enum class End : uint8_t {
    Finished,    // the response was complete (finish())
    Aborted,     // the response was cut off (abort(): origin failure mid-body, timeouts)
    ViewerGone,  // the connection closed before the response was complete
  };
  End end = End::Finished;
  int status = 0;                // 0: no response head was sent
  uint64_t bytes_sent = 0;       // response head and body bytes (with chunk framing) queued
  uint64_t bytes_received = 0;   // request head and body bytes read
  uint64_t started_ms = 0;       // monotonic (Loop::nowMs), request head complete
  uint64_t first_byte_ms = 0;    // monotonic, response head queued; 0 without one
  uint64_t end_ms = 0;           // monotonic, now
  // The first word of the X-Cache header sent (Error without one).
  policies::ResultType x_cache_type = policies::ResultType::Error;
  // Set by the handler (Exchange::setLogResult); static storage.
  std::string_view detailed_result;
  // ExchangeReport::Full only. From the response head sent ("" / nullopt when absent).
  std::string content_type;
  std::string content_range;
  std::optional<uint64_t> content_length;
  // Set by the handler (Exchange::setLogResult), or the X-Amz-Cf-Id sent.
  std::string request_id;

  bool complete() const { return end == End::Finished && status != 0; }
  // x-edge-response-result-type and x-edge-result-type (§10).
  policies::ResultType responseType() const {
    return policies::responseResultType(x_cache_type, detailed_result);
  }
  policies::ResultType resultType() const {
    return policies::finalResultType(responseType(), complete());
  }

  // Back to a fresh exchange's values, keeping the strings' capacity (no allocation per request).
  void reset() {
    end = End::Finished;
    status = 0;
    bytes_sent = bytes_received = started_ms = first_byte_ms = end_ms = 0;
    x_cache_type = policies::ResultType::Error;
    detailed_result = {};
    content_type.clear();
    content_range.clear();
    content_length.reset();
    request_id.clear();
  }
};

class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual const policies::ViewerRequest& request() const = 0;
  virtual Loop& loop() = 0;
  // Monotonic milliseconds when the request head was complete.
  virtual uint64_t startedMs() const = 0;

  // Starts the response. `content_length` frames the body; without it the body is chunked for
  // HTTP/1.1 viewers and close-delimited for HTTP/1.0. For HEAD, 204 and 304 no body is sent
  // whatever is passed to sendBody. `close_after` asks for Connection: close.
  virtual void sendHead(int status, policies::HeaderList&& headers,
                        std::optional<uint64_t> content_length, bool close_after = false) = 0;
  virtual void sendBody(const char* data, size_t len) = 0;
  // Body bytes [offset, offset + len) of an immutable shared buffer (a cached chunk), written
  // without copying them; the buffer is referenced until the kernel has it.
  virtual void sendShared(const SharedBytes& bytes, size_t offset, size_t len) = 0;
  // The response is complete. The Exchange and its handler are destroyed on a later iteration.
  virtual void finish() = 0;
  // The response cannot be completed (origin failed mid-body): the viewer connection is closed
  // without a proper end so the viewer can tell the body is truncated.
  virtual void abort() = 0;

  virtual bool headSent() const = 0;
  // Pending output is above the high watermark: stop producing until onWritable().
  virtual bool writeBlocked() const = 0;
  // Flow control for the request body: while paused the connection stops reading the socket.
  virtual void pauseRequestBody(bool paused) = 0;
  // Bytes of the response body written so far (for logs).
  virtual uint64_t bodyBytesSent() const = 0;
  // For the access log: the request id (X-Amz-Cf-Id) and, when the edge knows it, the
  // x-edge-detailed-result-type of an error (cloudfront-behavior.md §10). `detailed_result` must
  // have static storage (a literal, policies::edgeError(kind).detailed_result). Either may be
  // empty to keep what was set before.
  virtual void setLogResult(std::string_view request_id, std::string_view detailed_result) {
    (void)request_id;
    (void)detailed_result;
  }
};

// The application behind a server: builds a handler per request. It may answer on `ex` right
// away (and return nullptr) or return a handler that answers later.
class HttpService {
 public:
  virtual ~HttpService() = default;
  virtual ExchangeHandlerPtr onRequest(Exchange& ex) = 0;
  // Answers a request that could not be parsed (`status` 400, 413, 417, or 408 on a timeout);
  // request() holds whatever was parsed. The connection closes after this response.
  virtual void answerParseError(Exchange& ex, int status, std::string_view reason) = 0;
  // Metrics and access log: unless None, each exchange's end is reported to onExchangeEnd
  // (exactly once, on the loop thread, while request() is still valid) with the detail asked
  // for. Read once per connection, when it is accepted.
  virtual ExchangeReport exchangeReport() const { return ExchangeReport::None; }
  virtual void onExchangeEnd(const Exchange& ex, const ExchangeLog& log) {
    (void)ex;
    (void)log;
  }
  // The server accepted a connection / one closed (metrics: open connections). Loop thread.
  virtual void onConnectionOpened() {}
  virtual void onConnectionClosed() {}
};

}  // namespace edge::engine
