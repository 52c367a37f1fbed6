// obs-fold detection in an HTTP/1.1 message head (RFC 9112 §5.2): a header line that starts with
// SP or HTAB continues the previous one. llhttp 8.1 folds such lines into the value, so edged
// scans every head itself first and refuses them: a viewer's request with a 400
// (engine/server/http_parser.cc), an origin's response as a broken one, 502
// (origin/http_response_parser.cc). One scanner for both, fed the head in pieces as they arrive.
#pragma once

#include <cstddef>
#include <optional>

namespace edge::policies {

class ObsFoldScanner {
 public:
  // Scans the next `len` bytes of a head. Returns how many of them belong to the head: up to and
  // including the LF of the blank line that ends it (scanning() is false from then on), or all
  // `len` when the head goes on; nullopt when a line inside the head starts with SP or HTAB.
  // Blank lines before the start line are not the head's end (RFC 9112 §2.2 lets a server
  // ignore them); a CR is skipped wherever it is (llhttp judges bare CRs).
  std::optional<size_t> scan(const char* data, size_t len) {
    for (size_t i = 0; i < len; ++i) {
      const char c = data[i];
      if (c == '\r') continue;
      if (c == '\n') {
        if (after_lf_ && seen_text_) {
          scanning_ = false;
          return i + 1;
        }
        after_lf_ = true;
      } else if ((c == ' ' || c == '\t') && after_lf_ && seen_text_) {
        return std::nullopt;
      } else {
        after_lf_ = false;
        seen_text_ = true;
      }
    }
    return len;
  }
  // False once a head's end was scanned, until rearm() for the next message's head.
  bool scanning() const { return scanning_; }
  void rearm() {
    scanning_ = true;
    after_lf_ = false;
    seen_text_ = false;
  }

 private:
  bool scanning_ = true;
  bool after_lf_ = false;   // the last byte other than CR was LF
  bool seen_text_ = false;  // a byte other than CR/LF arrived
};

}  // namespace edge::policies
