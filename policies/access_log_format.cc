#include "policies/access_log_format.h"

#include <array>
#include <charconv>
#include <limits>
#include <cstdio>
#include <ctime>

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

void appendEncoded(std::string& out, std::string_view value) {
  if (value.empty()) {
    out += '-';
    return;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (!kMustEncode[c]) continue;
    out.append(value.data() + plain, i - plain);
    const char esc[3] = {'%', kHex[c >> 4], kHex[c & 0xF]};
    out.append(esc, 3);
    plain = i + 1;
  }
  out.append(value.data() + plain, value.size() - plain);
}

void appendDecimal(std::string& out, uint64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

void appendTwo(char* p, int v) {
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

void field(std::string& out, std::string_view text) {
  appendEncoded(out, text);
  out += '\t';
}

void number(std::string& out, uint64_t n) {
  appendDecimal(out, n);
  out += '\t';
}

void optNumber(std::string& out, const std::optional<uint64_t>& n) {
  if (n) appendDecimal(out, *n);
  else out += '-';
  out += '\t';
}

void seconds(std::string& out, int64_t ms) {
  if (ms < 0) ms = 0;
  appendDecimal(out, static_cast<uint64_t>(ms / 1000));
  char frac[4] = {'.', '0', '0', '0'};
  const int m = static_cast<int>(ms % 1000);
  frac[1] = static_cast<char>('0' + m / 100);
  appendTwo(frac + 2, m % 100);
  out.append(frac, 4);
  out += '\t';
}

// "YYYY-MM-DD\tHH:MM:SS\t" of an epoch-ms time; gmtime once per second per thread.
void dateTime(std::string& out, int64_t epoch_ms) {
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local char cached[64];
  int64_t s = epoch_ms / 1000;
  if (epoch_ms < 0 && epoch_ms % 1000 != 0) --s;
  if (s != cached_second) {
    const std::tm tm = utc(epoch_ms);
    std::snprintf(cached, sizeof cached, "%04d-%02d-%02d\t%02d:%02d:%02d\t",
                  (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    cached_second = s;
  }
  out += cached;
}

}  // namespace

std::string_view accessLogHeader() { return kHeader; }

std::string encodeAccessLogField(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  appendEncoded(out, value);
  return out;
}

// Both are the line's own two fields (dateTime), so the tests of these check what is logged.
std::string accessLogDate(int64_t epoch_ms) {
  std::string out;
  dateTime(out, epoch_ms);
  return out.substr(0, out.find('\t'));
}

std::string accessLogTime(int64_t epoch_ms) {
  std::string out;
  dateTime(out, epoch_ms);
  const size_t start = out.find('\t') + 1;
  return out.substr(start, out.size() - 1 - start);
}

std::string accessLogSeconds(int64_t ms) {
  std::string out;
  seconds(out, ms);
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
  dateTime(out, r.end_ms);
  field(out, r.edge_location);
  number(out, r.sc_bytes);
  field(out, r.client_ip);
  field(out, r.method);
  field(out, r.host);
  field(out, r.uri_stem);
  if (r.status <= 0 || r.status > 999) {
    out += "000\t";
  } else {
    char st[4] = {static_cast<char>('0' + r.status / 100), 0, 0, '\t'};
    appendTwo(st + 1, r.status % 100);
    out.append(st, 4);
  }
  field(out, r.referer);
  field(out, r.user_agent);
  field(out, r.uri_query);
  field(out, r.cookie);
  field(out, r.result_type);
  field(out, r.request_id);
  field(out, r.host_header);
  field(out, r.protocol);
  number(out, r.cs_bytes);
  seconds(out, r.time_taken_ms);
  field(out, r.forwarded_for);
  field(out, r.ssl_protocol);
  field(out, r.ssl_cipher);
  field(out, r.response_result_type);
  field(out, r.protocol_version);
  field(out, r.fle_status);
  field(out, r.fle_encrypted_fields);
  number(out, r.client_port);
  seconds(out, r.ttfb_ms);
  field(out, r.detailed_result_type);
  field(out, r.content_type);
  optNumber(out, r.content_length);
  optNumber(out, r.range_start);
  optNumber(out, r.range_end);
  out.back() = '\n';  // the last field's tab
}

}  // namespace edge::policies
