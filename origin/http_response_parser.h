// The origin response side of our HTTP/1.1 client (HttpFetch), bytes in: llhttp in response
// mode, the header list, interim 1xx responses skipped, the head-size limit, and the body framing
// llhttp derives (Content-Length, chunked, close-delimited at EOF; no body for HEAD, 204, 304).
// No I/O and no loop: HttpFetch feeds it what the socket returns; tests and
// tests/fuzz/origin_response_fuzz.cc feed it bytes. One response per reset().
//
// obs-fold (a head line starting with SP/HTAB) in any head, interim ones included, is an Error:
// RFC 9112 §5.2 has a gateway answer 502 or unfold before interpreting, and llhttp ends a value
// at the fold while framing the body by what came before it (found by origin_response_fuzz:
// `Transfer-Encoding: chunked` + a folded line was read close-delimited, chunk framing passed on
// as body bytes). Viewer requests get the same rule (engine/server/http_parser.cc, 400).
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <optional>

#include "origin/origin_fetch.h"
#include "policies/http_types.h"
#include "policies/obs_fold.h"

namespace edge::origin {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // The final (non-1xx) response head; header values have trailing SP/HTAB removed.
  virtual void onResponseHead(int status, policies::HeaderList&& headers) = 0;
  // Body bytes. false refuses them: the parser pauses (State::Paused) and the caller offers the
  // refused bytes again itself before calling resume().
  virtual bool onResponseBody(const char* data, size_t len) = 0;
};

class ResponseParser {
 public:
  // `max_head_bytes`: status text + header names and values (+4 per field) above this fail.
  ResponseParser(ResponseSink& sink, size_t max_head_bytes);
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Starts a new response. `head_request`: it answers a HEAD (no body whatever it says).
  void reset(bool head_request);

  enum class State : uint8_t {
    NeedMore,  // every byte consumed, the response is not complete
    Complete,  // the response completed; `consumed` bytes were its own (the rest is not)
    Paused,    // the sink refused body bytes; bytes from `consumed` on are not parsed yet
    Error,     // malformed response, or the head is over the limit (headTooBig())
  };
  struct FeedResult {
    State state;
    size_t consumed;
  };
  FeedResult feed(const char* data, size_t len);
  // After Paused: the parser takes bytes again (feed the unparsed rest, possibly none).
  void resume() { llhttp_resume(&parser_); }
  // The connection reached EOF: a close-delimited body ends here. True when the response is
  // complete (now or before).
  bool finishAtEof();

  bool complete() const { return message_done_; }
  bool headTooBig() const { return head_too_big_; }
  // The completed response allows the connection to be reused (HTTP version, Connection).
  bool keepAlive() const { return keep_alive_; }

 private:
  static int onStatus(llhttp_t* p, const char* at, size_t len);
  static int onHeaderField(llhttp_t* p, const char* at, size_t len);
  static int onHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int onHeadersComplete(llhttp_t* p);
  static int onBody(llhttp_t* p, const char* at, size_t len);
  static int onMessageComplete(llhttp_t* p);
  static const llhttp_settings_t kSettings;
  FeedResult execute(const char* data, size_t len);

  ResponseSink& sink_;
  size_t max_head_bytes_;
  llhttp_t parser_{};
  bool head_request_ = false;
  policies::HeaderList head_in_;
  bool in_value_ = false;
  size_t head_bytes_ = 0;
  bool head_too_big_ = false;
  int interim_responses_ = 0;   // 1xx heads before the final one
  bool continue_seen_ = false;  // one of them was a 100 Continue
  bool message_done_ = false;
  bool keep_alive_ = false;
  // The obs-fold scan of the head being received (re-armed after each interim response).
  policies::ObsFoldScanner fold_;
};

}  // namespace edge::origin
