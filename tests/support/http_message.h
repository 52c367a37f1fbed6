// HTTP/1.1 message helpers for the integration tests, free of I/O: header maps, a response
// parser for bytes read from a raw socket, a streaming body counter, test_origin's /echo format,
// and syntax checks for CloudFront's own header values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace edge::itest {

// Strips SP/HTAB on both ends and CR/LF at the end.
std::string_view trimOws(std::string_view s);

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

// Syntax checks for CloudFront's own header values (§6.1).
bool isCfId(std::string_view v);           // 56 chars of [A-Za-z0-9_-], ends with "=="
bool isCloudFrontVia(std::string_view v);  // "1.1 <32 lowercase hex>.cloudfront.net (CloudFront)"

// ---------------------------------------------------------------------------------------------
// Responses read from a raw socket.

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

// Streaming counter for a response body framed by Content-Length or chunked, for bodies too big
// to keep. Feed the bytes that follow the header block.
class BodyCounter {
 public:
  BodyCounter(std::optional<uint64_t> content_length, bool chunked)
      : remaining_(content_length.value_or(0)), chunked_(chunked) {}
  // Consumes bytes; returns false on a framing error (including bytes past the end).
  bool feed(std::string_view data);
  bool done() const { return chunked_ ? state_ == State::Done : remaining_ == 0; }
  uint64_t bodyBytes() const { return body_bytes_; }

 private:
  enum class State { Size, Data, DataCr, DataLf, Trailer, Done };
  uint64_t remaining_;
  bool chunked_;
  State state_ = State::Size;
  uint64_t chunk_left_ = 0;
  uint64_t body_bytes_ = 0;
  std::string line_;
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

}  // namespace edge::itest
