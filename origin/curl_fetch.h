// OriginFetch through the loop's CurlMulti (libcurl): used for HTTPS origins. Plain-HTTP origins
// go through HttpFetch (see origin_client.h for why). Loop thread only.
#pragma once

#include <string>

#include "origin/curl_multi.h"
#include "origin/origin_fetch.h"

namespace edge::origin {

class CurlFetch final : public OriginFetch, public CurlTransfer {
 public:
  CurlFetch(CurlMulti& multi, FetchRequest&& req, FetchObserver& observer);
  ~CurlFetch() override;  // cancels a running transfer
  CurlFetch(const CurlFetch&) = delete;
  CurlFetch& operator=(const CurlFetch&) = delete;

  bool start() override;
  // Not from a curl callback.
  void pushBody(const char* data, size_t len) override;
  void endBody() override;
  size_t bufferedBody() const override { return body_.size() - body_off_; }
  void resumeResponse() override;
  void cancel() override;
  int attempts() const override { return attempts_; }

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
  std::string url_;         // built from req_'s parsed pieces
  std::string connect_to_entry_;  // CURLOPT_CONNECT_TO "host:port:addr:port", "" for none
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
  int interim_responses_ = 0;   // 1xx header blocks on this attempt
  bool continue_seen_ = false;  // one of them was a 100 Continue
  bool recv_paused_ = false;

  // Request body not yet taken by curl.
  std::string body_;
  size_t body_off_ = 0;
  uint64_t body_sent_ = 0;
  bool body_ended_ = false;
  bool send_paused_ = false;
};

}  // namespace edge::origin
