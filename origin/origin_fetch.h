// One streaming origin request through the loop's CurlMulti: request body pushed in as it
// arrives from the viewer, response head and body handed out as they arrive, with backpressure
// both ways. Retries connection failures up to ConnectionAttempts (§1.8). Loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "origin/curl_multi.h"
#include "policies/http_types.h"

namespace edge::origin {

// How a fetch ended; the edge maps failures to CloudFront's 502/504 (§7.4).
enum class FetchOutcome : uint8_t {
  Complete,         // whole response received
  DnsError,         // origin name did not resolve
  ConnectError,     // refused / unreachable after all attempts
  ConnectTimeout,   // connect timed out after all attempts
  ReadTimeout,      // no bytes for OriginReadTimeout (first byte or between packets)
  InvalidResponse,  // closed early, garbage, bad framing
  HeaderTooBig,     // origin response head over the limit
  Aborted,          // cancelled by the edge
};
std::string_view toString(FetchOutcome o);

struct FetchRequest {
  std::string method;  // as the viewer sent it
  std::string url;     // "http://<DomainName>:<port><path?query>"
  policies::HeaderList headers;  // everything but body framing
  bool has_body = false;
  std::optional<uint64_t> body_length;  // Content-Length when known, else chunked upload
  std::string connect_to;  // CURLOPT_CONNECT_TO entry "host:port:addr:port", "" for none
  int connection_attempts = 3;
  int connect_timeout_s = 10;
  int read_timeout_s = 30;
  int keepalive_timeout_s = 5;
  std::optional<int> completion_timeout_s;
  bool retry_read_timeout = true;  // GET/HEAD: a read timeout before the head retries (§1.8)
};

class FetchObserver {
 public:
  virtual ~FetchObserver() = default;
  // Final (non-1xx) status and headers. Called from a curl callback: must not call back into
  // the fetch or destroy it.
  virtual void onOriginHead(int status, policies::HeaderList&& headers) = 0;
  // Body bytes (transfer-decoded). Return false to refuse them for now: the fetch pauses and
  // hands the same bytes again after resumeResponse(). Called from a curl callback.
  virtual bool onOriginBody(const char* data, size_t len) = 0;
  // Every pushed request-body byte was taken by curl: the viewer may send more. Called from a
  // curl callback.
  virtual void onRequestBodyDrained() {}
  // The fetch is over. Called outside curl callbacks: the observer may destroy the fetch.
  virtual void onOriginDone(FetchOutcome outcome, bool head_received) = 0;
};

class OriginFetch final : public CurlTransfer {
 public:
  static constexpr size_t kMaxHeadBytes = 20480;

  OriginFetch(CurlMulti& multi, FetchRequest&& req, FetchObserver& observer);
  ~OriginFetch() override;  // cancels a running transfer
  OriginFetch(const OriginFetch&) = delete;
  OriginFetch& operator=(const OriginFetch&) = delete;

  // Starts the transfer; false when curl refused it (observer not called).
  bool start();

  // Request body, de-chunked, as it arrives. Not from a curl callback.
  void pushBody(const char* data, size_t len);
  void endBody();
  size_t bufferedBody() const { return body_.size() - body_off_; }

  // The observer can take body bytes again.
  void resumeResponse();
  // Stops the transfer; no onOriginDone follows.
  void cancel();

  int attempts() const { return attempts_; }

 private:
  static size_t onHeaderLine(char* data, size_t size, size_t n, void* userp);
  static size_t onWrite(char* data, size_t size, size_t n, void* userp);
  static size_t onRead(char* data, size_t size, size_t n, void* userp);
  void onTransferDone(CURLcode result) override;
  void noteProgress();
  void armReadTimer(uint64_t ms);
  void onReadTimer();
  bool configure();
  void applyPause();
  FetchOutcome classify(CURLcode result) const;

  CurlMulti& multi_;
  FetchRequest req_;
  FetchObserver& observer_;
  CurlEasyPtr easy_;
  CurlSlistPtr header_list_;
  CurlSlistPtr connect_to_;
  bool running_ = false;
  int attempts_ = 0;
  // OriginReadTimeout (§1.8): no byte from the origin for this long, first byte or between
  // packets. Measured from the last progress; paused or still-connecting transfers are exempt
  // (the viewer or CONNECTTIMEOUT is responsible then).
  uv_timer_t* read_timer_ = nullptr;  // freed in its close callback
  uint64_t last_progress_ms_ = 0;
  bool read_timed_out_ = false;

  // Response head being assembled from header lines.
  int status_ = 0;
  policies::HeaderList head_;
  size_t head_bytes_ = 0;
  bool head_delivered_ = false;
  bool head_too_big_ = false;
  bool recv_paused_ = false;

  // Request body not yet taken by curl.
  std::string body_;
  size_t body_off_ = 0;
  uint64_t body_sent_ = 0;
  bool body_ended_ = false;
  bool send_paused_ = false;
};

}  // namespace edge::origin
