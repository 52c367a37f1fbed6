#include "policies/compression.h"

#include <array>

#include "policies/ttl.h"

namespace edge::policies {

namespace {

// §4.2, the 2023 developer guide's list (46 entries), as data: a later addition is one line.
constexpr std::array<std::string_view, 46> kCompressibleTypes = {
    "application/dash+xml",
    "application/eot",
    "application/font",
    "application/font-sfnt",
    "application/javascript",
    "application/json",
    "application/opentype",
    "application/otf",
    "application/pkcs7-mime",
    "application/protobuf",
    "application/rss+xml",
    "application/truetype",
    "application/ttf",
    "application/vnd.apple.mpegurl",
    "application/vnd.mapbox-vector-tile",
    "application/vnd.ms-fontobject",
    "application/xhtml+xml",
    "application/xml",
    "application/x-font-opentype",
    "application/x-font-truetype",
    "application/x-font-ttf",
    "application/x-httpd-cgi",
    "application/x-javascript",
    "application/x-mpegurl",
    "application/x-opentype",
    "application/x-otf",
    "application/x-perl",
    "application/x-ttf",
    "font/eot",
    "font/opentype",
    "font/otf",
    "font/ttf",
    "image/svg+xml",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/js",
    "text/plain",
    "text/richtext",
    "text/tab-separated-values",
    "text/xml",
    "text/x-component",
    "text/x-java-source",
    "text/x-script",
    "vnd.apple.mpegurl",
};

}  // namespace

std::string_view toString(ContentCoding c) {
  switch (c) {
    case ContentCoding::Identity: return "identity";
    case ContentCoding::Gzip: return "gzip";
    case ContentCoding::Brotli: return "br";
  }
  return "?";
}

std::string_view toString(CompressVerdict v) {
  switch (v) {
    case CompressVerdict::Compress: return "compressed";
    case CompressVerdict::NotOffered: return "not compressed: no coding offered for this key";
    case CompressVerdict::Status: return "not compressed: status not 200/403/404";
    case CompressVerdict::AlreadyEncoded: return "not compressed: origin sent Content-Encoding";
    case CompressVerdict::ContentType: return "not compressed: Content-Type not compressible";
    case CompressVerdict::NoContentLength:
      return "not compressed: no valid Content-Length from the origin";
    case CompressVerdict::TooSmall: return "not compressed: under 1,000 bytes";
    case CompressVerdict::TooLarge: return "not compressed: over 10,000,000 bytes";
  }
  return "?";
}

bool compressibleContentType(std::string_view content_type) {
  // The media type is what precedes the first ';' (RFC 9110 §8.3.1), without surrounding OWS.
  const std::string_view media = trimOws(content_type.substr(0, content_type.find(';')));
  for (std::string_view t : kCompressibleTypes) {
    if (iequals(media, t)) return true;
  }
  return false;
}

bool edgeCompression(const Behavior& behavior, const Config& config) {
  if (!behavior.compress) return false;
  const TtlSettings ttl = ttlSettingsFor(behavior, config);
  if (ttl.min_ttl == 0 && ttl.default_ttl == 0 && ttl.max_ttl == 0) return false;
  const auto listsAcceptEncoding = [](const std::vector<std::string>& names) {
    for (const std::string& n : names) {
      if (iequals(n, "accept-encoding")) return true;
    }
    return false;
  };
  if (behavior.forwarded_values) return !listsAcceptEncoding(behavior.forwarded_values->headers);
  const CachePolicy* cp = config.findCachePolicy(behavior.cache_policy_id);
  if (cp == nullptr) return false;
  if (!cp->enable_accept_encoding_gzip && !cp->enable_accept_encoding_brotli) return false;
  return !(cp->headers.behavior == ListBehavior::Whitelist && listsAcceptEncoding(cp->headers.names));
}

ContentCoding offeredCoding(std::string_view keyed_accept_encoding, bool gzip, bool brotli) {
  // The slot is one of "br,gzip", "br", "gzip" or "" (normalizedAcceptEncoding): test members.
  const bool has_br = keyed_accept_encoding.starts_with("br");
  const bool has_gzip = keyed_accept_encoding.ends_with("gzip");
  if (brotli && has_br) return ContentCoding::Brotli;
  if (gzip && has_gzip) return ContentCoding::Gzip;
  return ContentCoding::Identity;
}

CompressVerdict decideCompression(ContentCoding offered, int status, const HeaderList& headers) {
  if (offered == ContentCoding::Identity) return CompressVerdict::NotOffered;
  if (status != 200 && status != 403 && status != 404) return CompressVerdict::Status;
  if (headers.has("content-encoding")) return CompressVerdict::AlreadyEncoded;
  const auto type = headers.get("content-type");
  if (!type || !compressibleContentType(*type)) return CompressVerdict::ContentType;
  // Chunked responses are not compressed, even with a Content-Length beside the framing.
  if (headers.has("transfer-encoding") || headers.count("content-length") != 1) {
    return CompressVerdict::NoContentLength;
  }
  const std::optional<uint64_t> length = parseContentLength(*headers.get("content-length"));
  if (!length) return CompressVerdict::NoContentLength;
  if (*length < kMinCompressBytes) return CompressVerdict::TooSmall;
  if (*length > kMaxCompressBytes) return CompressVerdict::TooLarge;
  return CompressVerdict::Compress;
}

std::optional<std::string> compressedEtag(std::string_view etag) {
  if (etag.starts_with("W/")) return std::string(etag);
  if (etag.starts_with("\"")) return "W/" + std::string(etag);
  return std::nullopt;
}

void applyCompressedHeaders(HeaderList& headers, ContentCoding coding) {
  headers.set("Content-Encoding", std::string(toString(coding)));
  headers.remove("content-length");
  // Vary: Accept-Encoding, merged into the Vary already there (one line, as applyViewerVary
  // leaves it) unless it lists the name already.
  std::string vary = headers.getJoined("vary").value_or("");
  bool listed = false;
  for (std::string_view rest = vary; !rest.empty();) {
    const size_t comma = rest.find(',');
    if (iequals(trimOws(rest.substr(0, comma)), "accept-encoding")) listed = true;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  if (!listed) headers.set("Vary", vary.empty() ? "Accept-Encoding" : vary + ", Accept-Encoding");
  if (const auto etag = headers.get("etag")) {
    if (auto converted = compressedEtag(trimOws(*etag))) {
      headers.set("ETag", std::move(*converted));
    } else {
      headers.remove("etag");
    }
  }
}

}  // namespace edge::policies
