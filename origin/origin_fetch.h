// One streaming origin request: request body pushed in as it arrives from the viewer, response
// head and body handed out as they arrive, with backpressure both ways. Retries connection
// failures up to ConnectionAttempts (§1.8). Two implementations: HttpFetch (our own HTTP/1.1
// client, plain-HTTP origins) and CurlFetch (libcurl, HTTPS origins); OriginClient::open picks
// one. Loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "policies/http_types.h"
#include "policies/origin_access.h"

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

// Interim (1xx) responses a fetch accepts before the final one, in both HTTP clients. §1.9: only
// one 100 Continue is allowed, a second is an error. The reference says nothing of other interim
// responses (103 Early Hints): a few pass, but an endless stream of them would hold the viewer
// forever (each one is progress, so OriginReadTimeout never fires), so past this count the
// response is invalid as well (502, §7.4). Found by the OriginFaults suite.
inline constexpr int kMaxInterimResponses = 8;

struct FetchRequest {
  std::string method;  // as the viewer sent it
  // Where the request goes, parsed once by the planner: nobody re-parses a URL.
  bool https = false;
  std::string host;  // origin DomainName (what Host and TLS SNI name)
  uint16_t port = 80;
  std::string path_and_query;  // request target, "/..."
  // Where the TCP connection goes: the Edge.OriginAddressOverrides target, else host/port.
  std::string connect_host;
  uint16_t connect_port = 80;
  policies::HeaderList headers;  // everything but body framing
  bool has_body = false;
  std::optional<uint64_t> body_length;  // Content-Length when known, else chunked upload
  int connection_attempts = 3;
  int connect_timeout_s = 10;
  int read_timeout_s = 30;
  int keepalive_timeout_s = 5;
  std::optional<int> completion_timeout_s;
  bool retry_read_timeout = true;  // GET/HEAD: a read timeout before the head retries (§1.8)
  // Origin access control (§12): OriginClient::open signs the request with SigV4 just before it
  // goes out, after every header is final. Owned by the EdgeService (outlives the fetch).
  const policies::OriginSigner* signer = nullptr;
};

class FetchObserver {
 public:
  virtual ~FetchObserver() = default;
  // Final (non-1xx) status and headers. Called from inside the fetch's I/O callbacks: must not
  // call back into the fetch or destroy it.
  virtual void onOriginHead(int status, policies::HeaderList&& headers) = 0;
  // Body bytes (transfer-decoded). Return false to refuse them for now: the fetch pauses and
  // hands the same bytes again after resumeResponse(). Called from the fetch's I/O callbacks.
  virtual bool onOriginBody(const char* data, size_t len) = 0;
  // Every pushed request-body byte was taken by the transport: the viewer may send more. Called
  // from the fetch's I/O callbacks.
  virtual void onRequestBodyDrained() {}
  // The fetch is over. Called only from a loop callback, never from inside a call made on the
  // fetch: the observer may destroy the fetch.
  virtual void onOriginDone(FetchOutcome outcome, bool head_received) = 0;
};

class OriginFetch {
 public:
  static constexpr size_t kMaxHeadBytes = 20480;

  virtual ~OriginFetch() = default;  // cancels a running fetch

  // Starts the fetch; false when it could not even be started (observer not called).
  virtual bool start() = 0;

  // Request body, de-chunked, as it arrives.
  virtual void pushBody(const char* data, size_t len) = 0;
  virtual void endBody() = 0;
  // Request-body bytes pushed but not yet taken by the transport.
  virtual size_t bufferedBody() const = 0;

  // The observer can take body bytes again.
  virtual void resumeResponse() = 0;
  // Stops the fetch; no onOriginDone follows.
  virtual void cancel() = 0;

  virtual int attempts() const = 0;
};
using OriginFetchPtr = std::unique_ptr<OriginFetch>;

}  // namespace edge::origin
