#include "policies/access_log_format.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <memory>

#include "policies/http_types.h"

namespace edge::policies {

namespace {

constexpr std::string_view kHeader =
    "#Version: 1.0\n"
    "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
    "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
    "x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
    "x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port "
    "time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end\n";

// §10's set of bytes written as %XX, as a table (the formatter runs once per request).
constexpr std::array<bool, 256> kMustEncode = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[static_cast<size_t>(c)] = c <= 32 || c >= 127;
  for (const char c : std::string_view("<>\"#%{}|\\^~[]`'")) {
    t[static_cast<unsigned char>(c)] = true;
  }
  return t;
}();

constexpr char kHex[] = "0123456789ABCDEF";

void twoDigits(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10 % 10);
  p[1] = static_cast<char>('0' + v % 10);
}

std::tm utc(int64_t epoch_ms) {
  // Floor division: times before 1970 never occur, but stay well defined.
  int64_t s = epoch_ms / 1000;
  if (epoch_ms < 0 && epoch_ms % 1000 != 0) --s;
  const std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// The most bytes each kind of field can take, tab included (a line's buffer is sized from these).
constexpr size_t kNumberMax = 20 + 1;        // UINT64_MAX has 20 digits
constexpr size_t kSecondsMax = 20 + 4 + 1;   // digits, ".mmm"
constexpr size_t kDateTimeMax = 64;          // "YYYY-MM-DD\tHH:MM:SS\t" (cached[] below)
size_t textMax(std::string_view v) { return 3 * v.size() + 2; }  // every byte %XX, or "-"; tab

// Writes a line at a cursor into a buffer sized beforehand for the worst case, so no field
// checks capacity per byte (the formatter runs once per request on the worker thread:
// bench/engine/log/access_log_bench.cc measures it).
struct Cursor {
  char* p;

  void encoded(std::string_view value) {
    if (value.empty()) {
      *p++ = '-';
      return;
    }
    for (const char ch : value) {
      const auto c = static_cast<unsigned char>(ch);
      if (!kMustEncode[c]) {
        *p++ = ch;
      } else {
        p[0] = '%';
        p[1] = kHex[c >> 4];
        p[2] = kHex[c & 0xF];
        p += 3;
      }
    }
  }
  void text(std::string_view value) {
    encoded(value);
    *p++ = '\t';
  }
  void raw(std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void decimal(uint64_t n) { p = std::to_chars(p, p + 20, n).ptr; }
  void number(uint64_t n) {
    decimal(n);
    *p++ = '\t';
  }
  void optNumber(const std::optional<uint64_t>& n) {
    if (n) decimal(*n);
    else *p++ = '-';
    *p++ = '\t';
  }
  void seconds(int64_t ms) {
    if (ms < 0) ms = 0;
    decimal(static_cast<uint64_t>(ms / 1000));
    const int m = static_cast<int>(ms % 1000);
    p[0] = '.';
    p[1] = static_cast<char>('0' + m / 100);
    twoDigits(p + 2, m % 100);
    p[4] = '\t';
    p += 5;
  }
  // "YYYY-MM-DD\tHH:MM:SS\t" of an epoch-ms time; gmtime once per second per thread.
  void dateTime(int64_t epoch_ms) {
    thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
    thread_local char cached[kDateTimeMax];
    thread_local size_t cached_len = 0;
    int64_t s = epoch_ms / 1000;
    if (epoch_ms < 0 && epoch_ms % 1000 != 0) --s;
    if (s != cached_second) {
      const std::tm tm = utc(epoch_ms);
      const int n = std::snprintf(cached, sizeof cached, "%04d-%02d-%02d\t%02d:%02d:%02d\t",
                                  (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday,
                                  tm.tm_hour, tm.tm_min, tm.tm_sec);
      cached_len = n > 0 ? std::min(static_cast<size_t>(n), sizeof cached - 1) : 0;
      cached_second = s;
    }
    raw(std::string_view(cached, cached_len));
  }
  void status(int status) {
    if (status <= 0 || status > 999) {
      raw("000\t");
      return;
    }
    p[0] = static_cast<char>('0' + status / 100);
    twoDigits(p + 1, status % 100);
    p[3] = '\t';
    p += 4;
  }
};

// Runs `write(Cursor&)` on a buffer of at least `max` bytes (on the stack for ordinary lines)
// and appends what it wrote to `out`.
template <typename Write>
void appendBounded(std::string& out, size_t max, Write&& write) {
  char stack[2048];
  std::unique_ptr<char[]> heap;
  char* buf = stack;
  if (max > sizeof stack) {
    heap.reset(new char[max]);
    buf = heap.get();
  }
  Cursor c{buf};
  write(c);
  out.append(buf, static_cast<size_t>(c.p - buf));
}

}  // namespace

std::string_view accessLogHeader() { return kHeader; }

std::string encodeAccessLogField(std::string_view value) {
  std::string out;
  appendBounded(out, textMax(value), [&](Cursor& c) { c.encoded(value); });
  return out;
}

// Both are cut from the line's own two fields (Cursor::dateTime), so their tests check what is
// logged.
std::string accessLogDate(int64_t epoch_ms) {
  std::string out;
  appendBounded(out, kDateTimeMax, [&](Cursor& c) { c.dateTime(epoch_ms); });
  return out.substr(0, out.find('\t'));
}

std::string accessLogTime(int64_t epoch_ms) {
  std::string out;
  appendBounded(out, kDateTimeMax, [&](Cursor& c) { c.dateTime(epoch_ms); });
  const size_t start = out.find('\t') + 1;
  return out.substr(start, out.size() - 1 - start);
}

std::string accessLogSeconds(int64_t ms) {
  std::string out;
  appendBounded(out, kSecondsMax, [&](Cursor& c) { c.seconds(ms); });
  out.pop_back();  // the tab
  return out;
}

std::optional<ContentRangeBounds> parseContentRangeBounds(std::string_view v) {
  constexpr std::string_view kUnit = "bytes ";
  if (v.size() <= kUnit.size() || !iequals(v.substr(0, kUnit.size()), kUnit)) return std::nullopt;
  v.remove_prefix(kUnit.size());
  const size_t dash = v.find('-');
  const size_t slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) {
    return std::nullopt;  // "bytes */1000" (416) has no bounds
  }
  const auto first = parseContentLength(v.substr(0, dash));
  const auto last = parseContentLength(v.substr(dash + 1, slash - dash - 1));
  if (!first || !last || *last < *first) return std::nullopt;
  return ContentRangeBounds{*first, *last};
}

std::string formatAccessLogLine(const AccessLogRecord& r) {
  std::string out;
  out.reserve(512);
  appendAccessLogLine(out, r);
  return out;
}

void appendAccessLogLine(std::string& out, const AccessLogRecord& r) {
  const std::string_view texts[] = {
      r.edge_location, r.client_ip,     r.method,        r.host,
      r.uri_stem,      r.referer,       r.user_agent,    r.uri_query,
      r.cookie,        r.result_type,   r.request_id,    r.host_header,
      r.protocol,      r.forwarded_for, r.ssl_protocol,  r.ssl_cipher,
      r.response_result_type, r.protocol_version, r.fle_status, r.fle_encrypted_fields,
      r.detailed_result_type, r.content_type};
  size_t max = kDateTimeMax + 4 /* status */ + 6 * kNumberMax + 2 * kSecondsMax;
  for (const std::string_view t : texts) max += textMax(t);
  appendBounded(out, max, [&](Cursor& c) {
    c.dateTime(r.end_ms);
    c.text(r.edge_location);
    c.number(r.sc_bytes);
    c.text(r.client_ip);
    c.text(r.method);
    c.text(r.host);
    c.text(r.uri_stem);
    c.status(r.status);
    c.text(r.referer);
    c.text(r.user_agent);
    c.text(r.uri_query);
    c.text(r.cookie);
    c.text(r.result_type);
    c.text(r.request_id);
    c.text(r.host_header);
    c.text(r.protocol);
    c.number(r.cs_bytes);
    c.seconds(r.time_taken_ms);
    c.text(r.forwarded_for);
    c.text(r.ssl_protocol);
    c.text(r.ssl_cipher);
    c.text(r.response_result_type);
    c.text(r.protocol_version);
    c.text(r.fle_status);
    c.text(r.fle_encrypted_fields);
    c.number(r.client_port);
    c.seconds(r.ttfb_ms);
    c.text(r.detailed_result_type);
    c.text(r.content_type);
    c.optNumber(r.content_length);
    c.optNumber(r.range_start);
    c.optNumber(r.range_end);
    c.p[-1] = '\n';  // the last field's tab
  });
}

}  // namespace edge::policies
