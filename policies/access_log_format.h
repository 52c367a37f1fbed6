// CloudFront standard access log lines (cloudfront-behavior.md §10): the record of one viewer
// request as the engine knows it, and the pure functions that turn it into the W3C line of 33
// tab-separated fields with CloudFront's encodings. No I/O, no clock: the engine passes the
// times in. Any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edge::policies {

// The values of the 33 fields before encoding. Strings left empty (and optionals left unset) are
// logged as "-". Field numbers refer to §10's table. The record only points at its strings
// (the request, the exchange's log, the config): it lives for one formatAccessLogLine call.
struct AccessLogRecord {
  int64_t end_ms = 0;           // 1, 2: epoch ms when the response ended (date, time; UTC)
  std::string_view edge_location;    // 3: x-edge-location (the POP name)
  uint64_t sc_bytes = 0;        // 4: bytes sent to the viewer, head included
  std::string_view client_ip;        // 5: c-ip
  std::string_view method;           // 6: cs-method
  std::string_view host;             // 7: cs(Host), the distribution domain
  std::string_view uri_stem;         // 8: cs-uri-stem, path without the query
  int status = 0;               // 9: sc-status; 0 = viewer left before a response ("000")
  std::string_view referer;          // 10: cs(Referer)
  std::string_view user_agent;       // 11: cs(User-Agent)
  std::string_view uri_query;        // 12: cs-uri-query, without the '?'
  std::string_view cookie;           // 13: cs(Cookie), only with cookie logging
  std::string_view result_type;      // 14: x-edge-result-type (final classification)
  std::string_view request_id;       // 15: x-edge-request-id (= X-Amz-Cf-Id)
  std::string_view host_header;      // 16: x-host-header, the Host the viewer sent
  std::string_view protocol;         // 17: cs-protocol: http, https, ws, wss
  uint64_t cs_bytes = 0;        // 18: bytes received from the viewer, head included
  int64_t time_taken_ms = 0;    // 19: time-taken
  std::string_view forwarded_for;    // 20: x-forwarded-for (only when the viewer sent one)
  std::string_view ssl_protocol;     // 21
  std::string_view ssl_cipher;       // 22
  std::string_view response_result_type;  // 23: x-edge-response-result-type (before sending)
  std::string_view protocol_version; // 24: cs-protocol-version, e.g. "HTTP/1.1"
  std::string_view fle_status;       // 25
  std::string_view fle_encrypted_fields;  // 26
  uint16_t client_port = 0;     // 27: c-port
  int64_t ttfb_ms = 0;          // 28: time-to-first-byte
  std::string_view detailed_result_type;  // 29: x-edge-detailed-result-type
  std::string_view content_type;     // 30: sc-content-type
  std::optional<uint64_t> content_length;  // 31: sc-content-len
  std::optional<uint64_t> range_start;     // 32: sc-range-start
  std::optional<uint64_t> range_end;       // 33: sc-range-end
};

inline constexpr int kAccessLogFieldCount = 33;

// "#Version: 1.0\n#Fields: date time … sc-range-end\n": the two lines every log file starts with.
std::string_view accessLogHeader();

// The record as one line: 33 fields separated by tabs, ending in '\n'. Every text field is
// encoded with encodeAccessLogField; numbers are decimal; the times are seconds with three
// decimals ("0.082").
std::string formatAccessLogLine(const AccessLogRecord& rec);
// The same line appended to `out` (the hot path: the caller reuses one buffer, no allocation).
void appendAccessLogLine(std::string& out, const AccessLogRecord& rec);

// §10's encoding: bytes 0-32 and >= 127 and the characters < > " # % { } | \ ^ ~ [ ] ` ' are
// written as %XX (uppercase hex); everything else as is. Empty → "-".
std::string encodeAccessLogField(std::string_view value);

// "YYYY-MM-DD" and "HH:MM:SS" (UTC) of an epoch-millisecond time.
std::string accessLogDate(int64_t epoch_ms);
std::string accessLogTime(int64_t epoch_ms);
// Milliseconds as seconds with three decimals: 82 → "0.082". Negative values count as 0.
std::string accessLogSeconds(int64_t ms);

// The first and last byte of a Content-Range value "bytes 0-99/1000"; nullopt when it is not a
// satisfied byte range.
struct ContentRangeBounds {
  uint64_t first = 0;
  uint64_t last = 0;
};
std::optional<ContentRangeBounds> parseContentRangeBounds(std::string_view content_range);

}  // namespace edge::policies
