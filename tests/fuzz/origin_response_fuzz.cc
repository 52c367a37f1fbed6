// Fuzz target: the origin response path of our HTTP/1.1 origin client (origin/http_fetch.cc):
// status line, headers, interim 1xx responses and body framing (Content-Length, chunked,
// close-delimited, none for HEAD/204/304), through origin/http_response_parser.h, the part of
// HttpFetch that turns bytes into a head and body. No socket: the bytes are fed the way HttpFetch
// feeds what it reads, split at fuzzer-chosen points, with body bytes refused now and then (the
// observer's back-pressure) and offered again before resume(), as HttpFetch::resumeNow does.
//
// Input: byte 0 = flags (bit 0: the request was a HEAD; bit 1: the connection reaches EOF after
// the bytes); byte 1 = how many split points follow (at most 16, each one byte, the length of the
// next piece; the rest is one piece); byte 2 = which body callbacks are refused once (bit i: the
// i-th, mod 8); then the response bytes. Asserted:
//  * at most one head is delivered, with a final status (>= 200), values without trailing SP/HTAB
//    and names + values within the head limit;
//  * body bytes never exceed Content-Length (when framed by it, not chunked) and equal it when
//    the response completed; no body at all for HEAD, 204, 304 and 1xx;
//  * the response is reported complete only with a head delivered (a final response), and at
//    EOF only when its framing was close-delimited (no Content-Length, not chunked) or it had
//    already completed;
//  * feeding in pieces gives the same head, body, completion and error as feeding all at once,
//    and `consumed` never runs past the bytes given.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "origin/http_response_parser.h"
#include "tests/fuzz/fuzz_check.h"

using edge::origin::ResponseParser;
using edge::origin::ResponseSink;
using edge::policies::HeaderList;

namespace {

constexpr size_t kMaxHead = 20480;  // OriginFetch::kMaxHeadBytes

struct Result {
  int heads = 0;
  int status = 0;
  HeaderList headers;
  std::string body;
  bool complete = false;
  bool error = false;
  bool head_too_big = false;
  bool completed_at_eof = false;
  size_t consumed = 0;  // bytes of the input that belonged to the response
};

class Sink : public ResponseSink {
 public:
  explicit Sink(Result& r, uint8_t refuse) : r_(r), refuse_(refuse) {}
  void onResponseHead(int status, HeaderList&& headers) override {
    ++r_.heads;
    r_.status = status;
    r_.headers = std::move(headers);
  }
  bool onResponseBody(const char* data, size_t len) override {
    // llhttp may report an empty body span (e.g. fed no bytes right after a resume): harmless.
    if (len == 0) return true;
    const unsigned i = calls_++ % 8;
    if (!offering_held_ && (refuse_ & (1u << i)) != 0) {
      held_.assign(data, len);
      return false;
    }
    r_.body.append(data, len);
    return true;
  }
  // HttpFetch::resumeNow: the refused bytes are offered again first.
  void offerHeld() {
    offering_held_ = true;
    FUZZ_CHECK(!held_.empty());
    FUZZ_CHECK(onResponseBody(held_.data(), held_.size()));
    held_.clear();
    offering_held_ = false;
  }

 private:
  Result& r_;
  uint8_t refuse_;
  unsigned calls_ = 0;
  bool offering_held_ = false;
  std::string held_;
};

Result run(std::string_view bytes, const std::vector<size_t>& pieces, bool head_request, bool eof,
           uint8_t refuse) {
  Result r;
  Sink sink(r, refuse);
  ResponseParser parser(sink, kMaxHead);
  parser.reset(head_request);
  size_t off = 0;
  size_t piece_i = 0;
  while (off < bytes.size() && !r.complete && !r.error) {
    size_t n = bytes.size() - off;
    if (piece_i < pieces.size()) n = std::min(n, std::max<size_t>(1, pieces[piece_i++]));
    std::string_view in = bytes.substr(off, n);
    while (true) {
      // Like HttpFetch::resumeNow: an empty rest is still fed (the parser may complete on it).
      static const char kNothing = 0;
      const auto fr = parser.feed(in.empty() ? &kNothing : in.data(), in.size());
      FUZZ_CHECK(fr.consumed <= in.size());
      if (fr.state == ResponseParser::State::Paused) {
        sink.offerHeld();
        parser.resume();
        in.remove_prefix(fr.consumed);
        continue;
      }
      if (fr.state == ResponseParser::State::Error) {
        r.error = true;
        r.head_too_big = parser.headTooBig();
      } else if (fr.state == ResponseParser::State::Complete) {
        r.complete = true;
        FUZZ_CHECK(parser.complete());
        r.consumed = static_cast<size_t>(in.data() - bytes.data()) + fr.consumed;
      } else {
        FUZZ_CHECK(fr.consumed == in.size());
        FUZZ_CHECK(!parser.complete());
      }
      break;
    }
    off += n;
  }
  if (eof && !r.complete && !r.error && !bytes.empty()) {
    // HttpFetch::onEof: a close-delimited body ends here, any other framing is truncated.
    if (parser.finishAtEof()) {
      r.complete = true;
      r.completed_at_eof = true;
      r.consumed = bytes.size();
    }
  }
  return r;
}

std::optional<uint64_t> contentLength(const HeaderList& h) {
  const auto v = h.get("content-length");
  if (!v) return std::nullopt;
  return edge::policies::parseContentLength(*v);
}

bool hasTransferEncoding(const HeaderList& h) { return h.has("transfer-encoding"); }

// RFC 9112 §6.3: chunked framing when chunked is the final transfer coding.
bool chunkedFinal(const HeaderList& h) {
  std::string_view last;
  for (const auto& f : h) {
    if (!edge::policies::iequals(f.name, "transfer-encoding")) continue;
    std::string_view v = f.value;
    const size_t comma = v.rfind(',');
    if (comma != std::string_view::npos) v.remove_prefix(comma + 1);
    last = edge::policies::trimOws(v);
  }
  return edge::policies::iequals(last, "chunked");
}

// Content-Length frames the body only without Transfer-Encoding (RFC 9112 §6.3).
std::optional<uint64_t> lengthFraming(const HeaderList& h) {
  if (hasTransferEncoding(h)) return std::nullopt;
  return contentLength(h);
}

void checkResult(const Result& r, bool head_request) {
  FUZZ_CHECK(r.heads <= 1);
  FUZZ_CHECK(!(r.complete && r.error));
  if (r.heads == 1) {
    FUZZ_CHECK(r.status >= 200 && r.status <= 999);
    size_t bytes = 0;
    for (const auto& f : r.headers) {
      FUZZ_CHECK(f.value.empty() || (f.value.back() != ' ' && f.value.back() != '\t'));
      bytes += f.name.size() + f.value.size() + 4;
    }
    FUZZ_CHECK(bytes <= kMaxHead);
  }
  if (r.heads == 0 || head_request || r.status == 204 || r.status == 304) {
    FUZZ_CHECK(r.body.empty());
  }
  if (r.complete) {
    // Only a final response completes (an interim 1xx never does on its own).
    if (r.heads != 1) {
      std::fprintf(stderr, "complete without a final head (%zu bytes)\n", r.consumed);
    }
    FUZZ_CHECK(r.heads == 1);
  }
  if (r.heads == 1) {
    if (const auto cl = lengthFraming(r.headers)) {
      FUZZ_CHECK(r.body.size() <= *cl);
      if (r.complete && !head_request && r.status != 204 && r.status != 304) {
        FUZZ_CHECK(r.body.size() == *cl);
      }
    }
  }
  // Completing at EOF is for close-delimited bodies only: never when a Content-Length or a final
  // chunked coding frames the body.
  if (r.completed_at_eof && r.heads == 1 && !head_request && r.status != 204 && r.status != 304) {
    FUZZ_CHECK(!chunkedFinal(r.headers) && !lengthFraming(r.headers));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const bool head_request = (data[0] & 1) != 0;
  const bool eof = (data[0] & 2) != 0;
  const size_t n_points = std::min<size_t>(data[1], 16);
  const uint8_t refuse = data[2];
  size_t at = 3;
  std::vector<size_t> pieces;
  for (size_t i = 0; i < n_points && at < size; ++i) pieces.push_back(data[at++]);
  const std::string_view bytes(reinterpret_cast<const char*>(data) + at, size - at);

  const Result whole = run(bytes, {}, head_request, eof, 0);
  checkResult(whole, head_request);
  const Result split = run(bytes, pieces, head_request, eof, refuse);
  checkResult(split, head_request);
  FUZZ_CHECK(split.heads == whole.heads && split.status == whole.status);
  FUZZ_CHECK(split.headers == whole.headers);
  FUZZ_CHECK(split.body == whole.body);
  FUZZ_CHECK(split.complete == whole.complete && split.error == whole.error);
  FUZZ_CHECK(split.head_too_big == whole.head_too_big);
  if (whole.complete) FUZZ_CHECK(split.consumed == whole.consumed);
  return 0;
}
