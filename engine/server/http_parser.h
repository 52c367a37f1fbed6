// Viewer-side HTTP/1.1 request parsing: bytes in, a RequestHead value and body bytes out.
// Wraps llhttp (built in strict mode, see CMakeLists.txt). Enforces CloudFront's request limits
// (§1.1 step 1, §14): request line + headers, URL length, header count, body size. No I/O.
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policies/obs_fold.h"
#include "policies/viewer_request.h"

namespace edge::engine {

struct RequestHead {
  policies::ViewerRequest request;
  bool keep_alive = true;     // llhttp_should_keep_alive (HTTP version + Connection header)
  bool chunked = false;       // Transfer-Encoding: chunked
  std::optional<uint64_t> content_length;
  bool expect_continue = false;
  bool upgrade = false;       // Upgrade / CONNECT: not supported, the connection closes after
};

struct ParserLimits {
  uint32_t max_head_bytes = 20480;
  uint32_t max_url_bytes = 8192;
  uint32_t max_header_count = 256;
  uint64_t max_body_bytes = 1ull << 30;
};

// Why parsing stopped with an error; the status to answer with before closing.
struct ParseError {
  int status = 400;  // 400 malformed, 413 over a limit
  std::string reason;
};

class RequestSink {
 public:
  virtual ~RequestSink() = default;
  virtual void onHead(RequestHead&& head) = 0;
  virtual void onBody(const char* data, size_t len) = 0;
  virtual void onMessageComplete() = 0;
};

class RequestParser {
 public:
  RequestParser(const ParserLimits& limits, RequestSink& sink);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  enum class State : uint8_t {
    NeedMore,     // all bytes consumed, message not complete
    MessageDone,  // a message completed; resume() before feeding the rest
    Error,        // see error(); the connection must answer and close
  };
  struct FeedResult {
    size_t consumed;
    State state;
  };

  // Feeds bytes; stops right after a complete message so pipelined requests are taken one by one.
  FeedResult feed(const char* data, size_t len);
  void resume() { llhttp_resume(&parser_); }

  const ParseError& error() const { return error_; }
  // A message has started (at least one byte of it was seen) and is not complete yet.
  bool inMessage() const { return in_message_; }
  bool headComplete() const { return head_complete_; }

 private:
  static int onMessageBegin(llhttp_t* p);
  static int onUrl(llhttp_t* p, const char* at, size_t len);
  static int onHeaderField(llhttp_t* p, const char* at, size_t len);
  static int onHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int onHeaderValueComplete(llhttp_t* p);
  static int onHeadersComplete(llhttp_t* p);
  static int onBody(llhttp_t* p, const char* at, size_t len);
  static int onMessageComplete(llhttp_t* p);

  int fail(int status, std::string reason);
  bool addHeadBytes(size_t n);

  ParserLimits limits_;
  RequestSink& sink_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  ParseError error_;
  bool user_error_ = false;
  bool in_message_ = false;
  bool head_complete_ = false;
  // obs-fold check (RFC 9112 §5.2): refused with a 400 so no hop can read the folded line as a
  // header of its own. Re-armed at each message's end.
  policies::ObsFoldScanner fold_;
  bool field_in_progress_ = false;  // last data callback was a header field
  uint64_t head_bytes_ = 0;
  uint64_t body_bytes_ = 0;
  uint32_t header_count_ = 0;
  std::string url_;
  std::string field_;
  std::string value_;
  RequestHead head_;
};

}  // namespace edge::engine
