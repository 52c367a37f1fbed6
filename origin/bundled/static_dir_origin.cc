#include "origin/bundled/static_dir_origin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "engine/server/file_sender.h"
#include "policies/http_date.h"
#include "policies/http_types.h"

namespace edge::origin {

namespace {

void sendSimple(engine::Exchange& ex, int status, std::string_view body) {
  policies::HeaderList h;
  h.add("Server", "edged-static-origin");
  h.add("Date", policies::formatHttpDate(std::time(nullptr)));
  h.add("Content-Type", "text/plain");
  ex.sendHead(status, std::move(h), body.size());
  ex.sendBody(body.data(), body.size());
  ex.finish();
}

}  // namespace

std::string resolveStaticPath(const std::string& root, std::string_view path) {
  std::optional<std::string> percent_decoded = policies::percentDecode(path);
  if (!percent_decoded) return {};
  std::string decoded = std::move(*percent_decoded);
  if (decoded.empty() || decoded[0] != '/') return {};
  if (decoded.find('\0') != std::string::npos || decoded.find('\\') != std::string::npos) return {};
  // Reject any ".." segment.
  size_t start = 0;
  while (start <= decoded.size()) {
    size_t end = decoded.find('/', start);
    if (end == std::string::npos) end = decoded.size();
    if (decoded.compare(start, end - start, "..") == 0) return {};
    start = end + 1;
  }
  if (decoded.back() == '/') decoded += "index.html";
  return root + decoded;
}

std::string_view contentTypeFor(std::string_view name) {
  struct Entry {
    std::string_view ext, type;
  };
  static constexpr Entry kTypes[] = {
      {".html", "text/html"},       {".htm", "text/html"},         {".css", "text/css"},
      {".js", "application/javascript"}, {".json", "application/json"}, {".txt", "text/plain"},
      {".svg", "image/svg+xml"},    {".png", "image/png"},         {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},      {".gif", "image/gif"},         {".ico", "image/x-icon"},
      {".xml", "application/xml"},  {".woff2", "font/woff2"},      {".bin", "application/octet-stream"},
  };
  for (const auto& e : kTypes) {
    if (name.size() >= e.ext.size() && name.substr(name.size() - e.ext.size()) == e.ext) return e.type;
  }
  return "application/octet-stream";
}

StaticDirService::StaticDirService(StaticDirOptions options) : options_(std::move(options)) {}

void StaticDirService::answerParseError(engine::Exchange& ex, int status, std::string_view reason) {
  sendSimple(ex, status, std::string(reason) + "\n");
}

engine::ExchangeHandlerPtr StaticDirService::onRequest(engine::Exchange& ex) {
  const auto& req = ex.request();
  if (req.method_name != "GET" && req.method_name != "HEAD") {
    sendSimple(ex, 405, "method not allowed\n");
    return nullptr;
  }
  const std::string file = resolveStaticPath(options_.root, req.path);
  struct stat st {};
  if (file.empty()) {
    sendSimple(ex, 400, "bad path\n");
    return nullptr;
  }
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) ::close(fd);
    sendSimple(ex, 404, "not found\n");
    return nullptr;
  }
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_mtime));
  policies::HeaderList h;
  h.add("Server", "edged-static-origin");
  h.add("Date", policies::formatHttpDate(std::time(nullptr)));
  h.add("Content-Type", std::string(contentTypeFor(file)));
  h.add("Last-Modified", policies::formatHttpDate(st.st_mtime));
  h.add("ETag", etag);
  if (!options_.cache_control.empty()) h.add("Cache-Control", options_.cache_control);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  ex.sendHead(200, std::move(h), size);
  if (req.method_name == "HEAD" || size == 0) {
    ::close(fd);
    ex.finish();
    return nullptr;
  }
  auto sender = std::make_unique<engine::FileSender>(ex, fd, 0, size);
  if (!sender->pump()) return nullptr;
  return sender;
}

}  // namespace edge::origin
