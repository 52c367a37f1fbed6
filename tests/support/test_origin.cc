// test_origin: the integration tests' own programmable HTTP/1.1 origin.
//
//   test_origin --listen 127.0.0.1:0 --port-file FILE
//
// Binds, listens, then writes the bound port (decimal, one line) to FILE atomically (write to
// FILE.tmp, rename). One thread per connection; keep-alive; request bodies framed by
// Content-Length or chunked (answers `100 Continue` to `Expect: 100-continue`). Deliberately
// independent of every project library, so a bug in edged's HTTP code cannot hide itself here.
//
// Endpoints (path without query decides; unknown paths → 404):
//   /echo...        any method → 200 text/plain: the request line, each header line exactly as
//                   received, an empty line, `body-length: N`, `body-sha256: <hex>` ("\n" ends
//                   every line).
//   /size/N         N bytes, byte i = 'a' + i % 26, Content-Length. ?chunked=1 → chunked framing
//                   (&chunk=K bytes per chunk, default 8192). ?cc=V → `Cache-Control: V`.
//   /big/N          like /size/N, generated on the fly in 64 KiB writes (N may be many GiB).
//   /slow?first_byte_ms=X&gap_ms=Y&chunks=K&chunk_size=S
//                   waits X ms, sends the head (Content-Length K*S), then K pieces of S bytes
//                   with Y ms between pieces.
//   /hang           reads the request, never answers; returns when the client closes.
//   /reset          closes with RST (SO_LINGER 0) without answering.
//   /close-mid-body Content-Length: 1000, sends 100 bytes, closes.
//   /bad-status     sends "garbage\r\n\r\n" and closes.
//   /status/N       status N with a short body (none for 204/304 and HEAD).
//   /set/NAME?status=&cc=&etag=&lm=&expires=&age=&setcookie=&vary=&len=&chunks=&gap_ms=
//              &delay_ms=&chunked=&close_mid=&ctype=&cenc=&close=&fault=...
//                   (re)defines object NAME (not counted); every /set bumps its version.
//   /obj/NAME       serves object NAME as defined (default: 200, 100 bytes, no validators):
//                   after delay_ms, the head (Cache-Control, ETag, Last-Modified, Expires, Age,
//                   Set-Cookie, Vary when set; Content-Type `ctype` (default text/plain, empty:
//                   none); Content-Encoding `cenc` when set; X-Version: N;
//                   X-Origin-Accept-Encoding: the request's Accept-Encoding or "(none)";
//                   X-Origin-If-None-Match: the request's, when it sent one), then
//                   `len` pattern bytes in
//                   `chunks` pieces gap_ms apart (chunked=1: chunked framing; close_mid=1:
//                   half the body, then close). If-None-Match matching the ETag or
//                   If-Modified-Since equal to Last-Modified → 304 with the validators and
//                   Cache-Control.
//   /interim        a 100 Continue and a 103 Early Hints response, then 200 "final\n".
//   /close-delimited?n=N
//                   200 without Content-Length or Transfer-Encoding: N pattern bytes, then close.
//   /drop-next      200 "ok\n", keep-alive; the NEXT request on this connection is read and then
//                   the connection is closed without an answer (an origin that closed an idle
//                   keep-alive connection just as the client reused it).
//   /close-idle?ms=X
//                   200 "ok\n", keep-alive; the connection is closed after X ms without a next
//                   request (the origin's own keep-alive timeout).
//   /fault/KIND?... a 200 text/plain object of `len` pattern bytes (default 100; cc=V →
//                   Cache-Control: V; chunked=1 → chunked framing) answered with fault KIND
//                   (below). /set/NAME?...&fault=KIND applies the same fault to object NAME
//                   (every fault parameter may go in the /set query; /set again without
//                   `fault` to make it behave). close=1 on /set → `Connection: close`.
//     Faults (`at` defaults to half the body; the connection is never reused after them except
//     where noted):
//       hang            never answers; returns when the client closes.
//       reset-head      the head up to byte `at` (default half the head), then RST
//                       (SO_LINGER 0) `rst_after_ms` (default 50) later.
//       reset-body      the head and `at` body bytes (in the object's framing), then RST
//                       `rst_after_ms` later.
//       short-cl        Content-Length `len`, `at` body bytes, then close (FIN).
//       long-cl         Content-Length `len`, the `len` bytes and then `surplus` (default: a
//                       complete smuggled response "HTTP/1.1 200 OK ... X-Smuggled: 1 ...
//                       smuggled!") in the same write, or `surplus_delay_ms` later; the
//                       connection stays open and the next request on it is served normally
//                       (after the surplus).
//       drip-head       the head one byte every `drip_ms` (default 1000), then the body.
//       drip-body       the head, then the body (framed) one byte every `drip_ms`.
//       bad-chunk-size  chunked: a chunk of `at` bytes, then a size line "zz", the rest, close.
//       chunk-no-crlf   chunked: a chunk of `at` bytes not followed by CRLF, the rest, close.
//       chunk-too-long  chunked: announces `at` bytes and sends all `len`, close.
//       chunk-no-end    chunked: the whole body in two chunks, no last chunk, close
//                       `close_after_ms` (default 100) later.
//       interim-flood   `count` (default 5000; 0 = endless, until the client goes) interim
//                       responses, `interim`=100|103|mixed (default mixed, alternating),
//                       `interim_gap_ms` apart (default 0), then the final response.
//       big-head        the final head carries `head_bytes` (default 100 KiB) of extra header
//                       lines (X-Filler-NNNNN, 100 bytes each; one=1: a single X-Huge header).
//   /close-accepts?n=N&rst=R
//                   the next N (default 1) accepted connections are closed right after accept,
//                   before anything is read (rst=1: with RST). They count in `accepted` only.
//   /stats          {"requests": R, "connections": C, "accepted": A, "open": O, "paths": {...}}
//   /stats/reset    zeroes the counters.
// Counting: /stats* requests are never counted. `requests` counts request heads parsed;
// `paths` counts them by path (query excluded); `connections` counts connections that carried at
// least one counted request (so the tests' own /stats look-ups do not disturb it); `accepted`
// counts every accepted connection and `open` is the number currently open.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "sha256.h"

namespace {

constexpr size_t kMaxHeadBytes = 1 << 20;
constexpr size_t kBigWrite = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Counters (shared by all connection threads, guarded by mu).
struct Stats {
  std::mutex mu;
  uint64_t requests = 0;
  uint64_t connections = 0;
  uint64_t accepted = 0;
  int64_t open = 0;
  std::map<std::string, uint64_t> paths;
};
Stats g_stats;

std::string jsonEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string statsJson() {
  std::lock_guard<std::mutex> lock(g_stats.mu);
  std::string out = "{\"requests\": " + std::to_string(g_stats.requests) +
                    ", \"connections\": " + std::to_string(g_stats.connections) +
                    ", \"accepted\": " + std::to_string(g_stats.accepted) +
                    ", \"open\": " + std::to_string(g_stats.open) + ", \"paths\": {";
  bool first = true;
  for (const auto& [path, n] : g_stats.paths) {
    if (!first) out += ", ";
    first = false;
    out += "\"" + jsonEscape(path) + "\": " + std::to_string(n);
  }
  out += "}}\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Socket I/O.

bool sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Buffered reader over a blocking socket.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}

  // Reads more bytes into the buffer; false on EOF or error.
  bool fill() {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    }
    char tmp[64 * 1024];
    for (;;) {
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
      return true;
    }
  }

  bool hasBuffered() const { return pos_ < buf_.size(); }

  // One line without its CRLF (a bare LF also ends a line). nullopt on EOF or if longer than max.
  std::optional<std::string> readLine(size_t max) {
    for (;;) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        size_t end = nl;
        if (end > pos_ && buf_[end - 1] == '\r') --end;
        std::string line = buf_.substr(pos_, end - pos_);
        pos_ = nl + 1;
        return line;
      }
      if (buf_.size() - pos_ > max) return std::nullopt;
      if (!fill()) return std::nullopt;
    }
  }

  // Consumes exactly n bytes, handing them to sink(ptr, len). False on EOF.
  template <typename Sink>
  bool readExact(uint64_t n, Sink&& sink) {
    while (n > 0) {
      if (pos_ == buf_.size() && !fill()) return false;
      size_t take = std::min<uint64_t>(n, buf_.size() - pos_);
      sink(buf_.data() + pos_, take);
      pos_ += take;
      n -= take;
    }
    return true;
  }

 private:
  int fd_;
  std::string buf_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Requests.

struct Request {
  std::string request_line;
  std::string method;
  std::string target;
  std::string version;
  std::string path;
  std::string query;
  std::vector<std::string> header_lines;                     // exactly as received
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case name, trimmed value
  uint64_t body_length = 0;
  std::string body_sha256;

  std::optional<std::string> header(std::string_view lower_name) const {
    for (const auto& [n, v] : headers) {
      if (n == lower_name) return v;
    }
    return std::nullopt;
  }
  bool headerHasToken(std::string_view lower_name, std::string_view token) const;
};

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool Request::headerHasToken(std::string_view lower_name, std::string_view token) const {
  for (const auto& [n, v] : headers) {
    if (n != lower_name) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      if (toLower(item) == token) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2])));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      out[percentDecode(item)] = "";
    } else {
      out[percentDecode(item.substr(0, eq))] = percentDecode(item.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

uint64_t toU64(const std::map<std::string, std::string>& q, const std::string& key, uint64_t def) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return def;
  return std::strtoull(it->second.c_str(), nullptr, 10);
}

enum class ReadResult { Ok, Eof, Bad };

ReadResult readHead(Reader& in, Request* req) {
  std::optional<std::string> line;
  // Tolerate empty lines before a request line (RFC 9112 §2.2).
  do {
    line = in.readLine(kMaxHeadBytes);
    if (!line) return ReadResult::Eof;
  } while (line->empty());
  req->request_line = *line;
  size_t sp1 = line->find(' ');
  size_t sp2 = sp1 == std::string::npos ? sp1 : line->find(' ', sp1 + 1);
  if (sp2 == std::string::npos) return ReadResult::Bad;
  req->method = line->substr(0, sp1);
  req->target = line->substr(sp1 + 1, sp2 - sp1 - 1);
  req->version = line->substr(sp2 + 1);
  size_t qm = req->target.find('?');
  req->path = req->target.substr(0, qm);
  req->query = qm == std::string::npos ? "" : req->target.substr(qm + 1);
  size_t total = line->size();
  for (;;) {
    line = in.readLine(kMaxHeadBytes);
    if (!line) return ReadResult::Eof;
    if (line->empty()) break;
    total += line->size();
    if (total > kMaxHeadBytes) return ReadResult::Bad;
    size_t colon = line->find(':');
    if (colon == std::string::npos || colon == 0) return ReadResult::Bad;
    req->header_lines.push_back(*line);
    req->headers.emplace_back(toLower(line->substr(0, colon)),
                              std::string(trim(std::string_view(*line).substr(colon + 1))));
  }
  return ReadResult::Ok;
}

// Reads the request body (Content-Length or chunked), hashing it. Bad on malformed framing.
ReadResult readBody(Reader& in, int fd, Request* req) {
  edge::itest::Sha256 sha;
  uint64_t length = 0;
  auto sink = [&](const char* p, size_t n) {
    sha.update(p, n);
    length += n;
  };
  auto te = req->header("transfer-encoding");
  auto cl = req->header("content-length");
  bool chunked = te.has_value() && req->headerHasToken("transfer-encoding", "chunked");
  bool expects_body = chunked || (cl && std::strtoull(cl->c_str(), nullptr, 10) > 0);
  if (expects_body && req->version == "HTTP/1.1" && req->headerHasToken("expect", "100-continue")) {
    if (!sendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return ReadResult::Eof;
  }
  if (te && !chunked) return ReadResult::Bad;
  if (chunked) {
    for (;;) {
      auto size_line = in.readLine(4096);
      if (!size_line) return ReadResult::Eof;
      std::string_view s = *size_line;
      s = s.substr(0, s.find(';'));
      s = trim(s);
      if (s.empty()) return ReadResult::Bad;
      uint64_t size = 0;
      for (char c : s) {
        int v = hexValue(c);
        if (v < 0 || size > (UINT64_MAX >> 4)) return ReadResult::Bad;
        size = size * 16 + static_cast<uint64_t>(v);
      }
      if (size == 0) break;
      if (!in.readExact(size, sink)) return ReadResult::Eof;
      auto crlf = in.readLine(2);
      if (!crlf) return ReadResult::Eof;
      if (!crlf->empty()) return ReadResult::Bad;
    }
    for (;;) {  // trailers
      auto trailer = in.readLine(kMaxHeadBytes);
      if (!trailer) return ReadResult::Eof;
      if (trailer->empty()) break;
    }
  } else if (cl) {
    if (cl->empty() || cl->find_first_not_of("0123456789") != std::string::npos) {
      return ReadResult::Bad;
    }
    if (!in.readExact(std::strtoull(cl->c_str(), nullptr, 10), sink)) return ReadResult::Eof;
  }
  req->body_length = length;
  req->body_sha256 = sha.hexDigest();
  return ReadResult::Ok;
}

// ---------------------------------------------------------------------------------------------
// Responses.

const char* reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

struct Exchange {
  int fd;
  const Request& req;
  bool keep_alive;  // decided from the request; a handler may clear it
  int idle_close_ms = 0;  // After::CloseWhenIdle
  bool head() const { return req.method == "HEAD"; }

  std::string statusAndHeaders(int status, const std::vector<std::string>& extra) const {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) + "\r\n";
    out += "Server: test_origin\r\n";
    for (const auto& h : extra) out += h + "\r\n";
    if (!keep_alive) {
      out += "Connection: close\r\n";
    } else if (req.version == "HTTP/1.0") {
      out += "Connection: keep-alive\r\n";
    }
    out += "\r\n";
    return out;
  }

  bool sendSimple(int status, std::string_view content_type, std::string_view body) const {
    std::vector<std::string> h{"Content-Type: " + std::string(content_type),
                               "Content-Length: " + std::to_string(body.size())};
    std::string out = statusAndHeaders(status, h);
    if (!head()) out += body;
    return sendAll(fd, out);
  }
};

// Deterministic body bytes: byte i is 'a' + i % 26.
std::string patternBytes(uint64_t offset, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (offset + i) % 26);
  return out;
}

bool handleEcho(Exchange& ex) {
  std::string body = ex.req.request_line + "\n";
  for (const auto& line : ex.req.header_lines) body += line + "\n";
  body += "\n";
  body += "body-length: " + std::to_string(ex.req.body_length) + "\n";
  body += "body-sha256: " + ex.req.body_sha256 + "\n";
  return ex.sendSimple(200, "text/plain", body);
}

bool handleSize(Exchange& ex, uint64_t n, const std::map<std::string, std::string>& q) {
  std::vector<std::string> h{"Content-Type: text/plain"};
  auto cc = q.find("cc");
  if (cc != q.end()) h.push_back("Cache-Control: " + cc->second);
  bool chunked = toU64(q, "chunked", 0) != 0 && ex.req.version == "HTTP/1.1";
  if (chunked) {
    h.push_back("Transfer-Encoding: chunked");
  } else {
    h.push_back("Content-Length: " + std::to_string(n));
  }
  if (!sendAll(ex.fd, ex.statusAndHeaders(200, h))) return false;
  if (ex.head()) return true;
  if (!chunked) return sendAll(ex.fd, patternBytes(0, n));
  uint64_t chunk = std::max<uint64_t>(1, toU64(q, "chunk", 8192));
  for (uint64_t off = 0; off < n; off += chunk) {
    size_t len = std::min<uint64_t>(chunk, n - off);
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", len);
    if (!sendAll(ex.fd, std::string(size_line) + patternBytes(off, len) + "\r\n")) return false;
  }
  return sendAll(ex.fd, "0\r\n\r\n");
}

bool handleBig(Exchange& ex, uint64_t n) {
  std::vector<std::string> h{"Content-Type: text/plain", "Content-Length: " + std::to_string(n)};
  if (!sendAll(ex.fd, ex.statusAndHeaders(200, h))) return false;
  if (ex.head()) return true;
  // 64 KiB + 26 bytes of pattern lets every write start at the right phase without copying.
  static const std::string pattern = patternBytes(0, kBigWrite + 26);
  for (uint64_t off = 0; off < n;) {
    size_t len = std::min<uint64_t>(kBigWrite, n - off);
    if (!sendAll(ex.fd, std::string_view(pattern).substr(off % 26, len))) return false;
    off += len;
  }
  return true;
}

struct ObjectDef {
  std::map<std::string, std::string> q;  // the /set query
  uint64_t version = 0;
};
std::mutex g_objects_mu;
std::map<std::string, ObjectDef> g_objects;

bool handleSet(Exchange& ex, const std::string& name, const std::map<std::string, std::string>& q) {
  uint64_t version = 0;
  {
    std::lock_guard<std::mutex> lock(g_objects_mu);
    ObjectDef& def = g_objects[name];
    def.q = q;
    version = ++def.version;
  }
  return ex.sendSimple(200, "text/plain", "version " + std::to_string(version) + "\n");
}

bool handleSlow(Exchange& ex, const std::map<std::string, std::string>& q) {
  uint64_t first_byte_ms = toU64(q, "first_byte_ms", 0);
  uint64_t gap_ms = toU64(q, "gap_ms", 0);
  uint64_t chunks = toU64(q, "chunks", 1);
  uint64_t chunk_size = toU64(q, "chunk_size", 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(first_byte_ms));
  std::vector<std::string> h{"Content-Type: text/plain",
                             "Content-Length: " + std::to_string(chunks * chunk_size)};
  if (!sendAll(ex.fd, ex.statusAndHeaders(200, h))) return false;
  if (ex.head()) return true;
  for (uint64_t i = 0; i < chunks; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
    if (!sendAll(ex.fd, patternBytes(i * chunk_size, chunk_size))) return false;
  }
  return true;
}

void waitForClientClose(int fd) {
  char tmp[4096];
  for (;;) {
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

void resetConnection(int fd) {
  struct linger lg {};
  lg.l_onoff = 1;
  lg.l_linger = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

enum class After { KeepGoing, Close, CloseWithReset, DropNext, CloseWhenIdle };

void sleepMs(uint64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::string chunkOf(std::string_view data) {
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
  return size_line + std::string(data) + "\r\n";
}

// The next N accepted connections are closed before anything is read (/close-accepts).
std::atomic<int64_t> g_close_accepts{0};
std::atomic<bool> g_close_accepts_rst{false};

// What a /obj or /fault answer is made of before any fault bends it.
struct Answer {
  int status = 200;
  std::vector<std::string> headers;  // without framing
  uint64_t len = 0;
  bool chunked = false;
};

// A hostile answer (see the header comment, "Faults"). Returns what to do with the connection.
After serveFault(Exchange& ex, const std::string& fault, Answer a,
                 const std::map<std::string, std::string>& q) {
  const std::string body = patternBytes(0, a.len);
  const uint64_t at = std::min<uint64_t>(toU64(q, "at", a.len / 2), a.len);
  const uint64_t drip_ms = toU64(q, "drip_ms", 1000);
  const uint64_t rst_after_ms = toU64(q, "rst_after_ms", 50);
  auto framing = [&](bool chunked) {
    return chunked ? std::string("Transfer-Encoding: chunked")
                   : "Content-Length: " + std::to_string(a.len);
  };
  auto headWith = [&](bool chunked) {
    std::vector<std::string> h = a.headers;
    h.push_back(framing(chunked));
    return ex.statusAndHeaders(a.status, h);
  };
  // The body in the answer's framing, all of it (chunked: one chunk and the last chunk).
  auto wholeBody = [&] { return a.chunked ? chunkOf(body) + "0\r\n\r\n" : body; };
  if (fault == "hang") {
    waitForClientClose(ex.fd);
    return After::Close;
  }
  if (fault == "reset-head") {
    const std::string head = headWith(a.chunked);
    const uint64_t cut = std::min<uint64_t>(toU64(q, "at", head.size() / 2), head.size() - 1);
    sendAll(ex.fd, std::string_view(head).substr(0, cut));
    sleepMs(rst_after_ms);
    return After::CloseWithReset;
  }
  if (fault == "reset-body" || fault == "short-cl") {
    std::string out = headWith(a.chunked);
    out += a.chunked ? chunkOf(std::string_view(body).substr(0, at)) : body.substr(0, at);
    sendAll(ex.fd, out);
    if (fault == "short-cl") return After::Close;
    sleepMs(rst_after_ms);
    return After::CloseWithReset;
  }
  if (fault == "long-cl") {
    std::string surplus = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nX-Smuggled: 1\r\n\r\nsmuggled!";
    if (auto it = q.find("surplus"); it != q.end()) surplus = it->second;
    const uint64_t delay = toU64(q, "surplus_delay_ms", 0);
    std::string out = headWith(false) + body;
    if (delay == 0) return sendAll(ex.fd, out + surplus) ? After::KeepGoing : After::Close;
    if (!sendAll(ex.fd, out)) return After::Close;
    sleepMs(delay);
    return sendAll(ex.fd, surplus) ? After::KeepGoing : After::Close;
  }
  if (fault == "drip-head" || fault == "drip-body") {
    const bool in_head = fault == "drip-head";
    const std::string head = headWith(a.chunked);
    if (!in_head && !sendAll(ex.fd, head)) return After::Close;
    const std::string drip = in_head ? head : (a.chunked ? chunkOf(body) + "0\r\n\r\n" : body);
    for (size_t i = 0; i < drip.size(); ++i) {
      if (i > 0) sleepMs(drip_ms);
      if (!sendAll(ex.fd, std::string_view(drip).substr(i, 1))) return After::Close;
    }
    if (in_head && !sendAll(ex.fd, wholeBody())) return After::Close;
    return After::KeepGoing;
  }
  if (fault == "bad-chunk-size" || fault == "chunk-no-crlf" || fault == "chunk-too-long" ||
      fault == "chunk-no-end") {
    std::string out = headWith(true);
    const std::string_view first = std::string_view(body).substr(0, at);
    const std::string_view rest = std::string_view(body).substr(at);
    if (fault == "bad-chunk-size") {
      out += chunkOf(first) + "zz\r\n" + std::string(rest) + "\r\n0\r\n\r\n";
    } else if (fault == "chunk-no-crlf") {
      char size_line[32];
      std::snprintf(size_line, sizeof size_line, "%zx\r\n", first.size());
      out += size_line + std::string(first) + chunkOf(rest) + "0\r\n\r\n";
    } else if (fault == "chunk-too-long") {
      char size_line[32];
      std::snprintf(size_line, sizeof size_line, "%zx\r\n", first.size());
      out += size_line + body + "\r\n0\r\n\r\n";  // announces `at` bytes, sends all of them
    } else {
      out += chunkOf(first) + chunkOf(rest);  // no last chunk
    }
    sendAll(ex.fd, out);
    sleepMs(toU64(q, "close_after_ms", 100));
    return After::Close;
  }
  if (fault == "interim-flood") {
    const uint64_t count = toU64(q, "count", 5000);  // 0: endless
    const uint64_t gap_ms = toU64(q, "interim_gap_ms", 0);
    const std::string kind = q.count("interim") ? q.at("interim") : "mixed";
    const std::string c100 = "HTTP/1.1 100 Continue\r\n\r\n";
    const std::string c103 = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
    const uint64_t batch = gap_ms > 0 ? 1 : 64;
    for (uint64_t sent = 0; count == 0 || sent < count;) {
      std::string out;
      for (uint64_t i = 0; i < batch && (count == 0 || sent < count); ++i, ++sent) {
        const bool is100 = kind == "100" || (kind == "mixed" && sent % 2 == 0);
        out += is100 ? c100 : c103;
      }
      if (!sendAll(ex.fd, out)) return After::Close;
      if (gap_ms > 0) sleepMs(gap_ms);
    }
    return sendAll(ex.fd, headWith(a.chunked) + wholeBody()) ? After::KeepGoing : After::Close;
  }
  if (fault == "big-head") {
    const uint64_t head_bytes = toU64(q, "head_bytes", 100 * 1024);
    std::vector<std::string> h = a.headers;
    if (toU64(q, "one", 0) != 0) {
      h.push_back("X-Huge: " + std::string(head_bytes, 'x'));
    } else {
      for (uint64_t total = 0, i = 0; total < head_bytes; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "X-Filler-%05llu: ", static_cast<unsigned long long>(i));
        h.push_back(name + std::string(100, 'f'));
        total += h.back().size() + 2;
      }
    }
    h.push_back(framing(a.chunked));
    return sendAll(ex.fd, ex.statusAndHeaders(a.status, h) + wholeBody()) ? After::KeepGoing
                                                                          : After::Close;
  }
  ex.keep_alive = false;
  ex.sendSimple(400, "text/plain", "test_origin: unknown fault " + fault + "\n");
  return After::Close;
}

// Serves an object defined by a /set query `q` (version `version`), faults included.
After serveObject(Exchange& ex, const std::map<std::string, std::string>& q, uint64_t version) {
  auto val = [&](const char* k) -> std::string {
    auto it = q.find(k);
    return it == q.end() ? std::string() : it->second;
  };
  if (toU64(q, "close", 0) != 0) ex.keep_alive = false;
  sleepMs(toU64(q, "delay_ms", 0));
  const std::string etag = val("etag");
  const std::string lm = val("lm");
  const std::string cc = val("cc");
  std::vector<std::string> h;
  if (!cc.empty()) h.push_back("Cache-Control: " + cc);
  if (!etag.empty()) h.push_back("ETag: " + etag);
  if (!lm.empty()) h.push_back("Last-Modified: " + lm);
  h.push_back("X-Version: " + std::to_string(version));
  auto inm = ex.req.header("if-none-match");
  auto ims = ex.req.header("if-modified-since");
  if (inm) h.push_back("X-Origin-If-None-Match: " + *inm);
  const std::string fault = val("fault");
  const bool conditional_hit = (!etag.empty() && inm && inm->find(etag) != std::string::npos) ||
                               (!lm.empty() && !inm && ims && *ims == lm);
  if (conditional_hit && fault.empty()) {
    return sendAll(ex.fd, ex.statusAndHeaders(304, h)) ? After::KeepGoing : After::Close;
  }
  int status = static_cast<int>(toU64(q, "status", 200));
  if (q.count("ctype") == 0) {
    h.push_back("Content-Type: text/plain");
  } else if (!val("ctype").empty()) {
    h.push_back("Content-Type: " + val("ctype"));
  }
  if (!val("cenc").empty()) h.push_back("Content-Encoding: " + val("cenc"));
  h.push_back("X-Origin-Accept-Encoding: " +
              ex.req.header("accept-encoding").value_or(std::string("(none)")));
  if (!val("expires").empty()) h.push_back("Expires: " + val("expires"));
  if (!val("age").empty()) h.push_back("Age: " + val("age"));
  if (!val("setcookie").empty()) h.push_back("Set-Cookie: " + val("setcookie"));
  if (!val("vary").empty()) h.push_back("Vary: " + val("vary"));
  const uint64_t len = toU64(q, "len", 100);
  const uint64_t chunks = std::max<uint64_t>(1, toU64(q, "chunks", 1));
  const uint64_t gap_ms = toU64(q, "gap_ms", 0);
  const bool chunked = toU64(q, "chunked", 0) != 0;
  const bool close_mid = toU64(q, "close_mid", 0) != 0;
  if (!fault.empty()) return serveFault(ex, fault, Answer{status, h, len, chunked}, q);
  if (chunked) h.push_back("Transfer-Encoding: chunked");
  else h.push_back("Content-Length: " + std::to_string(len));
  if (!sendAll(ex.fd, ex.statusAndHeaders(status, h))) return After::Close;
  if (ex.head() || status == 204) return ex.keep_alive ? After::KeepGoing : After::Close;
  const uint64_t send_len = close_mid ? len / 2 : len;
  const uint64_t piece = std::max<uint64_t>(1, (len + chunks - 1) / chunks);
  for (uint64_t off = 0; off < send_len; off += piece) {
    if (off > 0 && gap_ms > 0) sleepMs(gap_ms);
    const size_t n = std::min<uint64_t>(piece, send_len - off);
    std::string data = patternBytes(off, n);
    if (chunked) data = chunkOf(data);
    if (!sendAll(ex.fd, data)) return After::Close;
  }
  if (close_mid) return After::Close;
  if (chunked && !sendAll(ex.fd, "0\r\n\r\n")) return After::Close;
  return ex.keep_alive ? After::KeepGoing : After::Close;
}

After handleObject(Exchange& ex, const std::string& name) {
  ObjectDef def;
  {
    std::lock_guard<std::mutex> lock(g_objects_mu);
    auto it = g_objects.find(name);
    if (it != g_objects.end()) def = it->second;
  }
  return serveObject(ex, def.q, def.version);
}

// Serves one request whose body has been read. Returns what to do with the connection next.
After dispatch(Exchange& ex) {
  const Request& req = ex.req;
  const std::string& path = req.path;
  auto q = parseQuery(req.query);
  auto startsWith = [&](std::string_view prefix) { return path.rfind(prefix, 0) == 0; };
  bool ok = true;
  if (path == "/stats") {
    ok = ex.sendSimple(200, "application/json", statsJson());
  } else if (path == "/stats/reset") {
    {
      std::lock_guard<std::mutex> lock(g_stats.mu);
      g_stats.requests = 0;
      g_stats.connections = 0;
      g_stats.accepted = 0;
      g_stats.paths.clear();
    }
    ok = ex.sendSimple(200, "application/json", "{}\n");
  } else if (startsWith("/set/")) {
    ok = handleSet(ex, path.substr(5), q);
  } else if (startsWith("/obj/")) {
    return handleObject(ex, path.substr(5));
  } else if (startsWith("/fault/")) {
    auto fq = q;
    fq["fault"] = path.substr(7);
    return serveObject(ex, fq, 0);
  } else if (path == "/close-accepts") {
    g_close_accepts_rst = toU64(q, "rst", 0) != 0;
    g_close_accepts = static_cast<int64_t>(toU64(q, "n", 1));
    ok = ex.sendSimple(200, "text/plain", "ok\n");
  } else if (startsWith("/echo")) {
    ok = handleEcho(ex);
  } else if (startsWith("/size/")) {
    ok = handleSize(ex, std::strtoull(path.c_str() + 6, nullptr, 10), q);
  } else if (startsWith("/big/")) {
    ok = handleBig(ex, std::strtoull(path.c_str() + 5, nullptr, 10));
  } else if (path == "/slow") {
    ok = handleSlow(ex, q);
  } else if (path == "/hang") {
    waitForClientClose(ex.fd);
    return After::Close;
  } else if (path == "/reset") {
    return After::CloseWithReset;
  } else if (path == "/close-mid-body") {
    std::vector<std::string> h{"Content-Type: text/plain", "Content-Length: 1000"};
    sendAll(ex.fd, ex.statusAndHeaders(200, h) + patternBytes(0, 100));
    return After::Close;
  } else if (path == "/interim") {
    std::string out = "HTTP/1.1 100 Continue\r\n\r\n"
                      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
    out += ex.statusAndHeaders(200, {"Content-Type: text/plain", "Content-Length: 6"});
    if (!ex.head()) out += "final\n";
    ok = sendAll(ex.fd, out);
  } else if (path == "/close-delimited") {
    std::string out = "HTTP/1.1 200 OK\r\nServer: test_origin\r\nContent-Type: text/plain\r\n\r\n";
    if (!ex.head()) out += patternBytes(0, toU64(q, "n", 0));
    sendAll(ex.fd, out);
    return After::Close;
  } else if (path == "/drop-next") {
    ok = ex.sendSimple(200, "text/plain", "ok\n");
    if (ok && ex.keep_alive) return After::DropNext;
  } else if (path == "/close-idle") {
    ok = ex.sendSimple(200, "text/plain", "ok\n");
    if (ok && ex.keep_alive) {
      ex.idle_close_ms = static_cast<int>(toU64(q, "ms", 0));
      return After::CloseWhenIdle;
    }
  } else if (path == "/bad-status") {
    sendAll(ex.fd, "garbage\r\n\r\n");
    return After::Close;
  } else if (startsWith("/status/")) {
    int status = std::atoi(path.c_str() + 8);
    if (status < 200 || status > 999) status = 500;
    if (status == 204 || status == 304) {
      ok = sendAll(ex.fd, ex.statusAndHeaders(status, {}));
    } else {
      ok = ex.sendSimple(status, "text/plain", "status " + std::to_string(status) + "\n");
    }
  } else {
    ok = ex.sendSimple(404, "text/plain", "no such test endpoint: " + path + "\n");
  }
  if (!ok) return After::Close;
  return ex.keep_alive ? After::KeepGoing : After::Close;
}

bool decideKeepAlive(const Request& req) {
  if (req.headerHasToken("connection", "close")) return false;
  if (req.version == "HTTP/1.1") return true;
  return req.headerHasToken("connection", "keep-alive");
}

void serveConnection(int fd) {
  Reader in(fd);
  bool counted_connection = false;
  After after = After::Close;
  bool drop_next = false;
  int idle_close_ms = -1;
  for (;;) {
    if (idle_close_ms >= 0) {
      pollfd pfd{fd, POLLIN, 0};
      if (!in.hasBuffered() && ::poll(&pfd, 1, idle_close_ms) == 0) break;
      idle_close_ms = -1;
    }
    Request req;
    ReadResult r = readHead(in, &req);
    if (r == ReadResult::Eof) break;
    Exchange ex{fd, req, r == ReadResult::Ok && decideKeepAlive(req)};
    if (r == ReadResult::Bad) {
      ex.keep_alive = false;
      ex.sendSimple(400, "text/plain", "test_origin: malformed request head\n");
      break;
    }
    bool is_stats = req.path == "/stats" || req.path == "/stats/reset" ||
                    req.path.rfind("/set/", 0) == 0;
    if (!is_stats) {
      std::lock_guard<std::mutex> lock(g_stats.mu);
      ++g_stats.requests;
      ++g_stats.paths[req.path];
      if (!counted_connection) ++g_stats.connections;
      counted_connection = true;
    }
    r = readBody(in, fd, &req);
    if (r == ReadResult::Eof) break;
    if (r == ReadResult::Bad) {
      ex.keep_alive = false;
      ex.sendSimple(400, "text/plain", "test_origin: malformed request body framing\n");
      break;
    }
    if (drop_next) break;  // read the request, then close without answering
    after = dispatch(ex);
    if (after == After::DropNext) {
      drop_next = true;
      continue;
    }
    if (after == After::CloseWhenIdle) {
      idle_close_ms = ex.idle_close_ms;
      continue;
    }
    if (after != After::KeepGoing) break;
  }
  if (after == After::CloseWithReset) resetConnection(fd);
  ::close(fd);
  std::lock_guard<std::mutex> lock(g_stats.mu);
  --g_stats.open;
}

// ---------------------------------------------------------------------------------------------

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "test_origin: %s\nusage: test_origin --listen HOST:PORT --port-file FILE\n",
               msg);
  std::exit(2);
}

bool writePortFile(const std::string& path, uint16_t port) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "%u\n", static_cast<unsigned>(port));
  if (std::fclose(f) != 0) return false;
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--listen" && i + 1 < argc) {
      listen = argv[++i];
    } else if (arg == "--port-file" && i + 1 < argc) {
      port_file = argv[++i];
    } else {
      usage("unknown argument");
    }
  }
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) usage("--listen needs HOST:PORT");
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);

  ::signal(SIGPIPE, SIG_IGN);
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0) usage("socket() failed");
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) usage("bad IPv4 listen address");
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("test_origin: bind");
    return 1;
  }
  if (::listen(lfd, 1024) != 0) {
    std::perror("test_origin: listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  uint16_t bound = ntohs(addr.sin_port);
  if (!port_file.empty() && !writePortFile(port_file, bound)) {
    std::perror("test_origin: port file");
    return 1;
  }
  std::fprintf(stderr, "test_origin: listening on %s:%u\n", host.c_str(), bound);

  for (;;) {
    int cfd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (cfd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
        if (errno == EMFILE || errno == ENFILE) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        continue;
      }
      std::perror("test_origin: accept");
      return 1;
    }
    ::setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
      std::lock_guard<std::mutex> lock(g_stats.mu);
      ++g_stats.accepted;
      ++g_stats.open;
    }
    // /close-accepts: closed before a byte is read (RST with rst=1, else FIN).
    if (g_close_accepts.load() > 0 && g_close_accepts.fetch_sub(1) > 0) {
      if (g_close_accepts_rst.load()) resetConnection(cfd);
      ::close(cfd);
      std::lock_guard<std::mutex> lock(g_stats.mu);
      --g_stats.open;
      continue;
    }
    std::thread(serveConnection, cfd).detach();
  }
}
