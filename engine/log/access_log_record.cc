#include "engine/log/access_log_record.h"

#include <string>

namespace edge::engine {

namespace {

std::string_view protocolVersion(const policies::ViewerRequest& req) {
  if (req.http_major == 1) return req.http_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
  return req.http_major == 2 ? "HTTP/2.0" : "-";
}

}  // namespace

policies::AccessLogRecord makeAccessLogRecord(const policies::ViewerRequest& req,
                                              const ExchangeLog& log,
                                              const policies::EdgeSettings& edge,
                                              int64_t wall_end_ms) {
  const auto [host, referer, user_agent, forwarded_for] =
      req.headers.firstValues<4>({"host", "referer", "user-agent", "x-forwarded-for"});
  policies::AccessLogRecord r;
  r.end_ms = wall_end_ms;
  r.edge_location = edge.pop_name;
  r.sc_bytes = log.bytes_sent;
  r.client_ip = req.client_ip;
  r.method = req.method_name;
  r.host = edge.domain_name;
  r.uri_stem = req.path;
  r.status = log.status;
  r.referer = referer.value_or("");
  r.user_agent = user_agent.value_or("");
  r.uri_query = req.query;
  // cs(Cookie) is only logged with cookie logging on, which edged does not offer: "-".

  const std::string_view response_type = policies::toString(log.responseType());
  const policies::ResultType final_type = log.resultType();
  const std::string_view result_type = policies::toString(final_type);
  std::string_view detailed = result_type;
  if (final_type == policies::ResultType::Error) {
    if (!log.detailed_result.empty()) detailed = log.detailed_result;
    else if (log.end == ExchangeLog::End::ViewerGone) {
      detailed = log.status == 0 ? "ClientHungUpRequest" : "ClientCommError";
    }
  }
  r.result_type = result_type;
  r.response_result_type = response_type;
  r.detailed_result_type = detailed;

  r.request_id = log.request_id;
  r.host_header = host.value_or("");
  r.protocol = "http";  // edged's viewer side is plain HTTP; ssl-protocol / ssl-cipher stay "-"
  r.cs_bytes = log.bytes_received;
  r.time_taken_ms = static_cast<int64_t>(log.end_ms - log.started_ms);
  r.forwarded_for = forwarded_for.value_or("");
  r.protocol_version = protocolVersion(req);
  r.client_port = req.client_port;
  if (log.first_byte_ms != 0) {
    r.ttfb_ms = static_cast<int64_t>(log.first_byte_ms - log.started_ms);
  }
  r.content_type = log.content_type;
  r.content_length = log.content_length;
  if (auto b = policies::parseContentRangeBounds(log.content_range)) {
    r.range_start = b->first;
    r.range_end = b->last;
  }
  return r;
}

}  // namespace edge::engine
