// Serialising a response head and framing body bytes for an HTTP/1.x viewer. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "policies/http_types.h"

namespace edge::engine {

enum class BodyFraming : uint8_t {
  None,            // HEAD, 1xx, 204, 304: no body bytes at all
  ContentLength,   // Content-Length: N
  Chunked,         // Transfer-Encoding: chunked (HTTP/1.1 viewers)
  CloseDelimited,  // HTTP/1.0 viewer, length unknown: the body ends when the connection closes
};

// Chooses the framing for a response to a viewer of the given version.
BodyFraming chooseFraming(std::string_view method, int status, bool has_length, uint8_t http_minor);

// Appends "HTTP/1.1 <status> <reason>\r\n", the headers, the framing header, Connection, and the
// blank line to `out`. Any Content-Length / Transfer-Encoding / Connection in `headers` is ignored:
// framing and persistence are decided here only.
void appendResponseHead(std::string& out, int status, const policies::HeaderList& headers,
                        BodyFraming framing, uint64_t content_length, bool keep_alive,
                        bool send_length_without_body);

// Appends one chunk ("<hex>\r\n<data>\r\n"); nothing for len == 0.
void appendChunk(std::string& out, const char* data, size_t len);
// The size line of a chunk of `len` bytes ("<hex>\r\n"); the caller adds data and "\r\n".
void appendChunkSize(std::string& out, size_t len);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace edge::engine
