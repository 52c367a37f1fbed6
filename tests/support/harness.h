// Integration-test harness: starts the real `edged` and the tests' own origin (`test_origin`) as
// child processes on 127.0.0.1, and talks to them with raw sockets or libcurl.
//
// Everything here is bounded in time and uses loopback only. Start-up failures throw
// std::runtime_error (gtest reports the test as failed); assertion-like checks use gtest's
// ADD_FAILURE/EXPECT so that a failing test still tears its processes down.
// Thread: all of it is meant for the test's main thread unless a comment says otherwise
// (Http and RawClient objects may be used from any one thread at a time).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/sha256.h"

namespace edge::itest {

using Ms = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Small utilities.

// Case-insensitive ordering for header names.
struct CaseLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

// Header fields with case-insensitive names; values of the same name keep arrival order.
class Headers {
 public:
  void add(std::string name, std::string value);
  std::optional<std::string> get(std::string_view name) const;  // first value
  std::vector<std::string> all(std::string_view name) const;
  size_t count(std::string_view name) const;
  bool has(std::string_view name) const { return count(name) > 0; }
  size_t size() const { return map_.size(); }
  const std::multimap<std::string, std::string, CaseLess>& map() const { return map_; }

 private:
  std::multimap<std::string, std::string, CaseLess> map_;
};
std::ostream& operator<<(std::ostream& os, const Headers& h);

// The deterministic body test_origin produces for /size, /big and /slow: byte i = 'a' + i % 26.
std::string patternBody(size_t n, uint64_t offset = 0);

// Polls `pred` every `step` until it returns true or `timeout` passes. Returns the last result.
bool waitUntil(const std::function<bool()>& pred, Ms timeout, Ms step = Ms(10));

// Milliseconds since `start`.
int64_t elapsedMs(Clock::time_point start);

// A TCP port on 127.0.0.1 that nothing listens on (bound to port 0, then closed).
uint16_t unusedPort();

// True when a TCP connect to 127.0.0.1:port is refused (or fails) within `timeout`.
bool connectRefused(uint16_t port, Ms timeout = Ms(1000));

// Syntax checks for CloudFront's own header values (§6.1).
bool isCfId(std::string_view v);          // 56 chars of [A-Za-z0-9_-], ends with "=="
bool isCloudFrontVia(std::string_view v);  // "1.1 <32 lowercase hex>.cloudfront.net (CloudFront)"

// A temporary directory (mkdtemp under $TMPDIR or /tmp), removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

std::string readFile(const std::string& path);  // "" when missing
void writeFile(const std::string& path, std::string_view content);

// ---------------------------------------------------------------------------------------------
// Child processes.

// A fork/exec'd child with stdout and stderr redirected to files. The child gets SIGKILL when the
// test process dies (PR_SET_PDEATHSIG), and on destruction if still running.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
               const std::string& stderr_path);  // throws std::runtime_error if fork/exec fails
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;

  pid_t pid() const { return pid_; }
  bool running();  // reaps the child if it has exited
  void signal(int sig);
  // Waits up to `timeout` for the child to exit. Returns its status in shell form (exit code, or
  // 128 + signal number), or nullopt on timeout (the child is left running).
  std::optional<int> wait(Ms timeout);
  std::optional<int> exitStatus() const { return status_; }
  // SIGKILL + reap, if still running.
  void kill();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct CommandResult {
  int status = -1;  // shell form; -1 if it timed out (then it was killed)
  std::string out;
  std::string err;
};
// Runs argv to completion (bounded by `timeout`), capturing stdout and stderr.
CommandResult runCommand(const std::vector<std::string>& argv, Ms timeout = Ms(10000));

// ---------------------------------------------------------------------------------------------
// test_origin.

struct OriginStats {
  uint64_t requests = 0;
  uint64_t connections = 0;  // connections that carried at least one counted request
  uint64_t accepted = 0;
  int64_t open = 0;
  std::map<std::string, uint64_t> paths;
  uint64_t path(const std::string& p) const {
    auto it = paths.find(p);
    return it == paths.end() ? 0 : it->second;
  }
};
std::ostream& operator<<(std::ostream& os, const OriginStats& s);

// RAII: runs TEST_ORIGIN_BIN on 127.0.0.1:0 and reads its port from the port file (≤ 5 s).
class TestOrigin {
 public:
  TestOrigin();   // throws std::runtime_error when it does not come up
  ~TestOrigin();  // SIGKILL
  uint16_t port() const { return port_; }
  std::string url(std::string_view path_and_query) const;
  // Direct (not through edged) GET /stats and /stats/reset. Throw on failure.
  OriginStats stats() const;
  void resetStats() const;

 private:
  TempDir dir_;
  ChildProcess proc_;
  uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Configuration.

// The brief's standard distribution: one origin "o1" (origin.test, X-Origin-Secret custom header,
// overridden to 127.0.0.1:${ORIGIN_PORT}), default behaviour allowing all 7 methods with
// CachingDisabled + AllViewer, DefaultRootObject index.html, PopName TST50-C1, short timeouts.
nlohmann::json baseConfig();

// Managed policy ids (§2.6, §2.7).
inline constexpr const char* kCachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
inline constexpr const char* kOrpAllViewer = "216adef6-5c7f-47e4-b989-5492eafa07d3";
inline constexpr const char* kOrpAllViewerExceptHost = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

// An origin object: DomainName `domain`, OriginPath `origin_path`, attempts 3, timeouts 10/30/5.
nlohmann::json makeOrigin(const std::string& id, const std::string& domain,
                          const std::string& origin_path = "");
// Appends an origin and keeps Quantity right; also maps `domain` to `address` in
// Edge.OriginAddressOverrides (e.g. "127.0.0.1:${ORIGIN_PORT}").
void addOrigin(nlohmann::json& config, const nlohmann::json& origin, const std::string& address);
// A CacheBehaviors item (all 7 methods, CachingDisabled + `orp`).
nlohmann::json makeBehavior(const std::string& path_pattern, const std::string& origin_id,
                            const std::string& orp = kOrpAllViewer);
void addBehavior(nlohmann::json& config, const nlohmann::json& behavior);
// Switches a behaviour to the legacy model: ForwardedValues {QueryString true, Cookies none,
// no headers} and TTLs 0/0/0, removing CachePolicyId/OriginRequestPolicyId.
void makeLegacy(nlohmann::json& behavior);
// Sets AllowedMethods to GET,HEAD (Quantity 2).
void allowOnlyGetHead(nlohmann::json& behavior);
// Shortcuts into the first origin / default behaviour.
nlohmann::json& firstOrigin(nlohmann::json& config);
nlohmann::json& defaultBehavior(nlohmann::json& config);

// ---------------------------------------------------------------------------------------------
// edged.

struct EdgedOptions {
  int workers = 1;
  std::vector<std::string> extra_args;
  Ms ready_timeout = Ms(10000);
};

// RAII: writes the config (every "${ORIGIN_PORT}" replaced by `origin_port`) into a temp dir and
// runs `EDGED_BIN serve --config FILE --listen 127.0.0.1:0 --workers N --ready-file FILE`, then
// waits until the ready file holds a `host:port` line. Throws std::runtime_error (with edged's
// stderr) if edged exits or is not ready in time. The destructor, if edged still runs, sends
// SIGTERM and EXPECTs exit status 0 within 15 s. On a failed test, edged's stderr is printed.
class Edged {
 public:
  Edged(const std::string& config_json, uint16_t origin_port, EdgedOptions options = {});
  Edged(const nlohmann::json& config, uint16_t origin_port, EdgedOptions options = {})
      : Edged(config.dump(2), origin_port, std::move(options)) {}
  ~Edged();
  Edged(const Edged&) = delete;
  Edged& operator=(const Edged&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return proc_.pid(); }
  std::string url(std::string_view path_and_query) const;
  const std::string& configPath() const { return config_path_; }
  std::vector<std::string> readyLines() const;
  std::string stderrText() const { return readFile(stderr_path_); }
  bool running() { return proc_.running(); }
  // Sends `sig` and waits (≤ timeout) for exit. Returns the status in shell form (exit code or
  // 128 + signal). On timeout: ADD_FAILURE, SIGKILL, returns -1.
  int stop(int sig = SIGTERM, Ms timeout = Ms(15000));
  // Sends a signal without waiting; then use waitExit().
  void signal(int sig) { proc_.signal(sig); }
  std::optional<int> waitExit(Ms timeout) { return proc_.wait(timeout); }

 private:
  TempDir dir_;
  std::string config_path_;
  std::string ready_path_;
  std::string stderr_path_;
  ChildProcess proc_;
  uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Raw HTTP over sockets.

struct RawResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;  // de-chunked
  bool chunked = false;
};
std::ostream& operator<<(std::ostream& os, const RawResponse& r);

enum class ParseStatus { Complete, Incomplete, Invalid };
struct ParseOutcome {
  ParseStatus status = ParseStatus::Incomplete;
  RawResponse response;
  size_t consumed = 0;  // bytes of `data` that made up the response (when Complete)
};
// Parses one response from the front of `data`. `head_request`: the response has no body.
// `at_eof`: the connection is closed, so a body delimited by the close is complete.
ParseOutcome parseResponse(std::string_view data, bool head_request = false, bool at_eof = false);
// Parses as many complete responses as `data` holds (1xx interim responses included).
std::vector<RawResponse> parseResponses(std::string_view data, bool at_eof = false);

struct ReadResult {
  std::string data;
  bool closed = false;     // the peer closed (FIN or RST)
  bool reset = false;      // ...with RST
  bool timed_out = false;  // the deadline passed first
};

// A blocking TCP client socket to 127.0.0.1:port.
class RawClient {
 public:
  explicit RawClient(uint16_t port, Ms connect_timeout = Ms(3000));  // throws on failure
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  int fd() const { return fd_; }
  // Sends everything (bounded by `timeout`); false if the peer closed/reset or it timed out.
  bool send(std::string_view data, Ms timeout = Ms(10000));
  // Reads until the peer closes or `timeout` passes.
  ReadResult readUntilClosed(Ms timeout);
  // Reads until done(all bytes read so far by this call) is true, the peer closes, or timeout.
  ReadResult readUntil(const std::function<bool(std::string_view)>& done, Ms timeout);
  // Reads until `n` complete responses (interim 1xx not counted) have arrived or close/timeout.
  ReadResult readResponses(size_t n, Ms timeout, bool head_request = false);
  // One recv() of at most `max` bytes, waiting up to `timeout` for data. Empty + closed on EOF.
  ReadResult readSome(size_t max, Ms timeout);
  // Half-close (FIN) our side.
  void shutdownWrite();
  void close();

 private:
  int fd_ = -1;
};

// One-shot: connect, send `request`, read until close or timeout.
ReadResult rawExchange(uint16_t port, std::string_view request, Ms timeout = Ms(5000));

// Streaming counter for a response body framed by Content-Length or chunked, for bodies too big
// to keep. Feed bytes after the header block.
class BodyCounter {
 public:
  BodyCounter(std::optional<uint64_t> content_length, bool chunked)
      : remaining_(content_length.value_or(0)), chunked_(chunked) {}
  // Consumes bytes; returns false on a framing error.
  bool feed(std::string_view data);
  bool done() const { return chunked_ ? state_ == State::Done : remaining_ == 0; }
  uint64_t bodyBytes() const { return body_bytes_; }

 private:
  enum class State { Size, SizeLf, Data, DataCr, DataLf, Trailer, Done };
  uint64_t remaining_;
  bool chunked_;
  State state_ = State::Size;
  uint64_t chunk_left_ = 0;
  uint64_t body_bytes_ = 0;
  std::string line_;
};

// ---------------------------------------------------------------------------------------------
// libcurl client.

struct HttpResponse {
  int curl_code = 0;  // CURLcode; 0 = CURLE_OK
  std::string error;  // curl's error buffer
  long status = 0;
  std::string status_line;
  Headers headers;      // of the final response
  std::string body;     // empty when RequestOptions::discard_body
  uint64_t body_bytes = 0;
  long connects = 0;    // CURLINFO_NUM_CONNECTS for this transfer
  double total_seconds = 0;
  bool ok() const { return curl_code == 0; }
};
std::ostream& operator<<(std::ostream& os, const HttpResponse& r);

// The shape of a response CloudFront generates itself (§7.3): `status`, `X-Cache: Error from
// cloudfront`, `Server: CloudFront`, `Content-Type: text/html…`, a body that quotes the
// X-Amz-Cf-Id header (a valid id) and contains `reason` (when non-empty).
::testing::AssertionResult isGeneratedError(const HttpResponse& r, long status,
                                            std::string_view reason = "");

struct RequestOptions {
  Ms timeout = Ms(30000);
  bool discard_body = false;  // count bytes only
  bool http10 = false;
};

// A libcurl easy handle reused across requests (so connections are kept alive). NOPROXY "*",
// connect timeout 5 s, total timeout from RequestOptions (≤ 30 s by default).
class Http {
 public:
  Http();
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // `headers`: "Name: value" lines added to (or replacing) curl's defaults.
  HttpResponse get(const std::string& url, const std::vector<std::string>& headers = {},
                   const RequestOptions& options = {});
  HttpResponse head(const std::string& url, const std::vector<std::string>& headers = {},
                    const RequestOptions& options = {});
  HttpResponse post(const std::string& url, const std::vector<std::string>& headers,
                    const std::string& body, const RequestOptions& options = {});
  HttpResponse put(const std::string& url, const std::vector<std::string>& headers,
                   const std::string& body, const RequestOptions& options = {});
  HttpResponse request(const std::string& method, const std::string& url,
                       const std::vector<std::string>& headers, const std::string* body,
                       const RequestOptions& options = {});

 private:
  void* curl_;  // CURL*
};

// ---------------------------------------------------------------------------------------------
// What test_origin's /echo saw.

struct EchoInfo {
  std::string request_line;
  std::string method;
  std::string target;
  std::vector<std::string> header_lines;  // exactly as the origin received them
  Headers headers;
  uint64_t body_length = 0;
  std::string body_sha256;
  bool valid = false;
};
EchoInfo parseEcho(std::string_view body);
std::ostream& operator<<(std::ostream& os, const EchoInfo& e);

// ---------------------------------------------------------------------------------------------
// Memory of a process, from /proc/PID/status (kB; -1 when unreadable).

struct MemInfo {
  long rss_kb = -1;  // VmRSS
  long hwm_kb = -1;  // VmHWM (peak RSS)
};
MemInfo memInfo(pid_t pid);
long rssKb(pid_t pid);
// Summed over `pid` and all its descendants (in case edged forks workers).
MemInfo treeMemInfo(pid_t pid);

}  // namespace edge::itest
