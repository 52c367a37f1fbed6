#include "policies/access_log_format.h"

#include <array>
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

bool mustEncode(unsigned char c) {
  if (c <= 32 || c >= 127) return true;
  switch (c) {
    case '<': case '>': case '"': case '#': case '%': case '{': case '}': case '|':
    case '\\': case '^': case '~': case '[': case ']': case '`': case '\'':
      return true;
    default:
      return false;
  }
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
  out += encodeAccessLogField(text);
  out += '\t';
}

void number(std::string& out, uint64_t n) {
  out += std::to_string(n);
  out += '\t';
}

void optNumber(std::string& out, const std::optional<uint64_t>& n) {
  if (n) out += std::to_string(*n);
  else out += '-';
  out += '\t';
}

}  // namespace

std::string_view accessLogHeader() { return kHeader; }

std::string encodeAccessLogField(std::string_view value) {
  if (value.empty()) return "-";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (mustEncode(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string accessLogDate(int64_t epoch_ms) {
  const std::tm tm = utc(epoch_ms);
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday);
  return buf.data();
}

std::string accessLogTime(int64_t epoch_ms) {
  const std::tm tm = utc(epoch_ms);
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf.data();
}

std::string accessLogSeconds(int64_t ms) {
  if (ms < 0) ms = 0;
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf.data();
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
  field(out, accessLogDate(r.end_ms));
  field(out, accessLogTime(r.end_ms));
  field(out, r.edge_location);
  number(out, r.sc_bytes);
  field(out, r.client_ip);
  field(out, r.method);
  field(out, r.host);
  field(out, r.uri_stem);
  if (r.status <= 0) {
    out += "000\t";
  } else {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "%03d", r.status);
    field(out, buf.data());
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
  field(out, accessLogSeconds(r.time_taken_ms));
  field(out, r.forwarded_for);
  field(out, r.ssl_protocol);
  field(out, r.ssl_cipher);
  field(out, r.response_result_type);
  field(out, r.protocol_version);
  field(out, r.fle_status);
  field(out, r.fle_encrypted_fields);
  number(out, r.client_port);
  field(out, accessLogSeconds(r.ttfb_ms));
  field(out, r.detailed_result_type);
  field(out, r.content_type);
  optNumber(out, r.content_length);
  optNumber(out, r.range_start);
  optNumber(out, r.range_end);
  out.back() = '\n';  // the last field's tab
  return out;
}

}  // namespace edge::policies
