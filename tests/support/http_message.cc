#include "support/http_message.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace edge::itest {

namespace {

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool CaseLess::operator()(const std::string& a, const std::string& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lowerAscii(x) < lowerAscii(y); });
}

void Headers::add(std::string name, std::string value) {
  map_.emplace(std::move(name), std::move(value));
}

std::optional<std::string> Headers::get(std::string_view name) const {
  auto it = map_.find(std::string(name));
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Headers::all(std::string_view name) const {
  std::vector<std::string> out;
  auto [b, e] = map_.equal_range(std::string(name));
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

size_t Headers::count(std::string_view name) const { return map_.count(std::string(name)); }

std::ostream& operator<<(std::ostream& os, const Headers& h) {
  for (const auto& [n, v] : h.map()) os << "  " << n << ": " << v << "\n";
  return os;
}

std::string patternBody(size_t n, uint64_t offset) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (offset + i) % 26);
  return out;
}

bool isCfId(std::string_view v) {
  if (v.size() != 56 || v.substr(54) != "==") return false;
  for (char c : v.substr(0, 54)) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool isCloudFrontVia(std::string_view v) {
  // "1.1 <32 lowercase hex>.cloudfront.net (CloudFront)" (std::regex trips g++ 12's
  // -Wmaybe-uninitialized under -O2 + ASan, which CI builds with -Werror).
  constexpr std::string_view kPrefix = "1.1 ", kSuffix = ".cloudfront.net (CloudFront)";
  if (v.size() != kPrefix.size() + 32 + kSuffix.size()) return false;
  if (v.substr(0, kPrefix.size()) != kPrefix || v.substr(kPrefix.size() + 32) != kSuffix) return false;
  for (char c : v.substr(kPrefix.size(), 32)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Responses.

namespace {

// Decodes a complete chunked body from `data`; returns consumed bytes, 0 if incomplete, or
// std::nullopt on a framing error.
std::optional<size_t> decodeChunked(std::string_view data, std::string* body) {
  size_t pos = 0;
  for (;;) {
    size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return 0;
    std::string_view size_text = data.substr(pos, eol - pos);
    size_text = trimOws(size_text.substr(0, size_text.find(';')));
    if (size_text.empty()) return std::nullopt;
    uint64_t size = 0;
    for (char c : size_text) {
      int v = hexDigit(c);
      if (v < 0 || size > (uint64_t{1} << 56)) return std::nullopt;
      size = size * 16 + static_cast<uint64_t>(v);
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailer section, ended by an empty line.
      for (;;) {
        size_t end = data.find("\r\n", pos);
        if (end == std::string_view::npos) return 0;
        bool empty = end == pos;
        pos = end + 2;
        if (empty) return pos;
      }
    }
    if (data.size() < pos + size + 2) return 0;
    body->append(data.substr(pos, size));
    pos += size;
    if (data.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
  }
}

}  // namespace

ParseOutcome parseResponse(std::string_view data, bool head_request, bool at_eof) {
  ParseOutcome out;
  size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (data.size() >= 5 && data.substr(0, 5) != "HTTP/") out.status = ParseStatus::Invalid;
    return out;
  }
  std::string_view head = data.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12) {
    out.status = ParseStatus::Invalid;
    return out;
  }
  RawResponse& r = out.response;
  size_t sp = status_line.find(' ');
  r.version = std::string(status_line.substr(0, sp));
  r.status = std::atoi(std::string(status_line.substr(sp + 1, 3)).c_str());
  if (status_line.size() > sp + 5) r.reason = std::string(status_line.substr(sp + 5));
  if (r.status < 100 || r.status > 999) {
    out.status = ParseStatus::Invalid;
    return out;
  }
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view line = rest.substr(0, e);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      out.status = ParseStatus::Invalid;
      return out;
    }
    r.headers.add(std::string(line.substr(0, colon)), std::string(trimOws(line.substr(colon + 1))));
    if (e == std::string_view::npos) break;
    rest.remove_prefix(e + 2);
  }
  size_t body_start = head_end + 4;
  std::string_view after = data.substr(body_start);
  bool no_body = head_request || r.status < 200 || r.status == 204 || r.status == 304;
  auto te = r.headers.get("Transfer-Encoding");
  auto cl = r.headers.get("Content-Length");
  if (no_body) {
    out.consumed = body_start;
  } else if (te && te->find("chunked") != std::string::npos) {
    r.chunked = true;
    auto used = decodeChunked(after, &r.body);
    if (!used) {
      out.status = ParseStatus::Invalid;
      return out;
    }
    if (*used == 0) return out;  // incomplete
    out.consumed = body_start + *used;
  } else if (cl) {
    uint64_t n = std::strtoull(cl->c_str(), nullptr, 10);
    if (after.size() < n) return out;
    r.body = std::string(after.substr(0, n));
    out.consumed = body_start + n;
  } else {
    if (!at_eof) return out;
    r.body = std::string(after);
    out.consumed = data.size();
  }
  out.status = ParseStatus::Complete;
  return out;
}

std::vector<RawResponse> parseResponses(std::string_view data, bool at_eof) {
  std::vector<RawResponse> out;
  while (!data.empty()) {
    ParseOutcome o = parseResponse(data, false, at_eof);
    if (o.status != ParseStatus::Complete) break;
    out.push_back(std::move(o.response));
    data.remove_prefix(o.consumed);
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const RawResponse& r) {
  os << r.version << " " << r.status << " " << r.reason << "\n" << r.headers;
  os << "  [body " << r.body.size() << " bytes" << (r.chunked ? ", chunked" : "")
     << "]: " << r.body.substr(0, 600);
  return os;
}

bool BodyCounter::feed(std::string_view data) {
  if (!chunked_) {
    uint64_t take = std::min<uint64_t>(remaining_, data.size());
    remaining_ -= take;
    body_bytes_ += take;
    return take == data.size();  // bytes beyond Content-Length are a framing error
  }
  size_t i = 0;
  while (i < data.size()) {
    char c = data[i];
    switch (state_) {
      case State::Size:
        ++i;
        if (c == '\n') {
          const std::string size_line = std::exchange(line_, std::string());
          std::string_view s = trimOws(std::string_view(size_line).substr(0, size_line.find(';')));
          if (s.empty()) return false;
          uint64_t size = 0;
          for (char h : s) {
            int v = hexDigit(h);
            if (v < 0) return false;
            size = size * 16 + static_cast<uint64_t>(v);
          }
          chunk_left_ = size;
          state_ = size == 0 ? State::Trailer : State::Data;
        } else {
          line_.push_back(c);
          if (line_.size() > 1024) return false;
        }
        break;
      case State::Data: {
        uint64_t take = std::min<uint64_t>(chunk_left_, data.size() - i);
        chunk_left_ -= take;
        body_bytes_ += take;
        i += take;
        if (chunk_left_ == 0) state_ = State::DataCr;
        break;
      }
      case State::DataCr:
        if (c != '\r') return false;
        ++i;
        state_ = State::DataLf;
        break;
      case State::DataLf:
        if (c != '\n') return false;
        ++i;
        state_ = State::Size;
        break;
      case State::Trailer:
        ++i;
        if (c == '\n') {
          bool empty = line_.empty() || line_ == "\r";
          line_.clear();
          if (empty) state_ = State::Done;
        } else {
          line_.push_back(c);
        }
        break;
      case State::Done:
        return false;  // bytes after the end
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Echo.

EchoInfo parseEcho(std::string_view body) {
  EchoInfo e;
  std::vector<std::string_view> lines;
  while (!body.empty()) {
    size_t nl = body.find('\n');
    lines.push_back(body.substr(0, nl));
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  if (lines.size() < 4) return e;
  e.request_line = std::string(lines[0]);
  size_t sp1 = e.request_line.find(' ');
  size_t sp2 = e.request_line.rfind(' ');
  if (sp1 == std::string::npos || sp2 <= sp1) return e;
  e.method = e.request_line.substr(0, sp1);
  e.target = e.request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    std::string_view line = lines[i];
    e.header_lines.emplace_back(line);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return e;
    e.headers.add(std::string(line.substr(0, colon)), std::string(trimOws(line.substr(colon + 1))));
  }
  if (i + 2 >= lines.size()) return e;
  std::string_view len_line = lines[i + 1];
  std::string_view sha_line = lines[i + 2];
  if (len_line.substr(0, 13) != "body-length: " || sha_line.substr(0, 13) != "body-sha256: ")
    return e;
  e.body_length = std::strtoull(std::string(len_line.substr(13)).c_str(), nullptr, 10);
  e.body_sha256 = std::string(sha_line.substr(13));
  e.valid = true;
  return e;
}

std::ostream& operator<<(std::ostream& os, const EchoInfo& e) {
  os << (e.valid ? "" : "[INVALID ECHO] ") << e.request_line << "\n";
  for (const auto& l : e.header_lines) os << "  " << l << "\n";
  return os << "  body-length " << e.body_length << " sha256 " << e.body_sha256;
}

}  // namespace edge::itest
