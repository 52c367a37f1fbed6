// The bundled static-directory origin: serves the files under a root directory over HTTP/1.1
// (GET and HEAD), with Content-Type by extension, Last-Modified, ETag and a configurable
// Cache-Control. Built on the engine's HTTP server; used by the demo and by tests. It stands in
// for the S3-compatible origin until that one lands.
#pragma once

#include <string>

#include "engine/server/exchange.h"

namespace edge::origin {

struct StaticDirOptions {
  std::string root;
  std::string cache_control = "max-age=60";  // "" = send none
};

class StaticDirService final : public engine::HttpService {
 public:
  explicit StaticDirService(StaticDirOptions options);
  engine::ExchangeHandlerPtr onRequest(engine::Exchange& ex) override;
  void answerParseError(engine::Exchange& ex, int status, std::string_view reason) override;

 private:
  StaticDirOptions options_;
};

// Maps a request path to a file below `root`: percent-decodes, rejects "..", NUL and
// backslashes, and maps a trailing '/' to "index.html". Empty when the path is not acceptable.
std::string resolveStaticPath(const std::string& root, std::string_view path);
std::string_view contentTypeFor(std::string_view file_name);

}  // namespace edge::origin
