#include "engine/server/response_writer.h"

#include <charconv>

#include "policies/viewer_response.h"

namespace edge::engine {

BodyFraming chooseFraming(std::string_view method, int status, bool has_length, uint8_t http_minor) {
  if (method == "HEAD" || (status >= 100 && status < 200) || status == 204 || status == 304) {
    return BodyFraming::None;
  }
  if (has_length) return BodyFraming::ContentLength;
  return http_minor >= 1 ? BodyFraming::Chunked : BodyFraming::CloseDelimited;
}

namespace {
void appendNumber(std::string& out, uint64_t n, int base = 10) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, base);
  (void)ec;
  out.append(buf, end);
}
}  // namespace

void appendResponseHead(std::string& out, int status, const policies::HeaderList& headers,
                        BodyFraming framing, uint64_t content_length, bool keep_alive,
                        bool send_length_without_body) {
  out.append("HTTP/1.1 ");
  appendNumber(out, static_cast<uint64_t>(status));
  out.push_back(' ');
  out.append(policies::reasonPhrase(status));
  out.append("\r\n");
  for (const auto& h : headers) {
    if (policies::iequals(h.name, "content-length") || policies::iequals(h.name, "transfer-encoding") ||
        policies::iequals(h.name, "connection")) {
      continue;
    }
    out.append(h.name);
    out.append(": ");
    out.append(h.value);
    out.append("\r\n");
  }
  if (framing == BodyFraming::ContentLength ||
      (framing == BodyFraming::None && send_length_without_body)) {
    out.append("Content-Length: ");
    appendNumber(out, content_length);
    out.append("\r\n");
  } else if (framing == BodyFraming::Chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  }
  out.append(keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
}

void appendChunkSize(std::string& out, size_t len) {
  appendNumber(out, len, 16);
  out.append("\r\n");
}

void appendChunk(std::string& out, const char* data, size_t len) {
  if (len == 0) return;
  appendChunkSize(out, len);
  out.append(data, len);
  out.append("\r\n");
}

}  // namespace edge::engine
