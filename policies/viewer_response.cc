#include "policies/viewer_response.h"

#include <xxhash.h>

#include "policies/forwarding_rules.h"

namespace edge::policies {

namespace {

bool isResponseHopByHop(std::string_view name, std::string_view connection) {
  static constexpr std::string_view kNames[] = {"Connection", "Keep-Alive", "TE", "Trailer",
                                                "Transfer-Encoding", "Upgrade"};
  for (std::string_view n : kNames) {
    if (iequals(name, n)) return true;
  }
  if (istartsWith(name, "proxy-")) return true;
  std::string_view rest = connection;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    if (iequals(trimOws(rest.substr(0, comma)), name)) return true;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

constexpr std::string_view kMethodNotAllowed =
    "This distribution is not configured to allow the HTTP request method that was used for this "
    "request. The distribution supports only cachable requests.";
constexpr std::string_view kBadRequest = "Bad request.";
constexpr std::string_view kConnect = "CloudFront wasn't able to connect to the origin.";
constexpr std::string_view kDns = "CloudFront wasn't able to resolve the origin domain name.";
constexpr std::string_view kClosed = "The origin closed the connection.";
constexpr std::string_view kTimeout =
    "CloudFront attempted to establish a connection with the origin, but either the attempt "
    "failed or the origin closed the connection.";
constexpr std::string_view kUnavailable = "The request could not be satisfied.";

}  // namespace

HeaderList filterOriginResponseHeaders(const HeaderList& origin_headers, const Behavior& behavior,
                                       const Config& config) {
  const std::string connection = origin_headers.getJoined("connection").value_or("");
  // §3.10: Set-Cookie survives only when the behaviour forwards cookies to the origin.
  const bool keep_cookies = forwardsCookies(resolveForwardingRules(behavior, config));
  HeaderList out;
  out.reserve(origin_headers.size() + 6);  // + Date and the edge stamp, without regrowing
  for (const Header& h : origin_headers) {
    if (isResponseHopByHop(h.name, connection) || iequals(h.name, "Content-Length") ||
        iequals(h.name, "Via") || (!keep_cookies && iequals(h.name, "Set-Cookie"))) {
      continue;
    }
    out.add(h.name, h.value);
  }
  return out;
}

std::string_view toString(XCache x) {
  switch (x) {
    case XCache::Hit: return "Hit from cloudfront";
    case XCache::RefreshHit: return "RefreshHit from cloudfront";
    case XCache::Miss: return "Miss from cloudfront";
    case XCache::Error: return "Error from cloudfront";
    case XCache::Redirect: return "Redirect from cloudfront";
  }
  return "Error from cloudfront";
}

void stampEdgeHeaders(HeaderList& headers, const EdgeStamp& stamp) {
  // Same result as four HeaderList::set calls, in one scan of the list.
  std::erase_if(headers.items(), [](const Header& h) {
    return iequals(h.name, "X-Cache") || iequals(h.name, "Via") || iequals(h.name, "X-Amz-Cf-Pop") ||
           iequals(h.name, "X-Amz-Cf-Id");
  });
  headers.add("X-Cache", std::string(toString(stamp.x_cache)));
  std::string via;
  via.reserve(stamp.via_host.size() + 18);
  via.push_back(static_cast<char>('0' + stamp.http_major % 10));
  via.push_back('.');
  via.push_back(static_cast<char>('0' + stamp.http_minor % 10));
  via.push_back(' ');
  via.append(stamp.via_host).append(" (CloudFront)");
  headers.add("Via", std::move(via));
  headers.add("X-Amz-Cf-Pop", std::string(stamp.pop));
  headers.add("X-Amz-Cf-Id", std::string(stamp.request_id));
}

EdgeError edgeError(EdgeErrorKind kind) {
  switch (kind) {
    case EdgeErrorKind::BadRequest: return {400, kBadRequest, "InvalidRequest"};
    case EdgeErrorKind::RequestTooLarge: return {413, kBadRequest, "InvalidRequest"};
    case EdgeErrorKind::MethodNotAllowed: return {403, kMethodNotAllowed, "InvalidRequestMethod"};
    case EdgeErrorKind::GetWithBody: return {403, kBadRequest, "InvalidRequest"};
    case EdgeErrorKind::OriginDnsError: return {502, kDns, "OriginDnsError"};
    case EdgeErrorKind::OriginConnectError: return {502, kConnect, "OriginConnectError"};
    case EdgeErrorKind::OriginConnectTimeout: return {504, kTimeout, "OriginConnectError"};
    case EdgeErrorKind::OriginReadTimeout: return {504, kTimeout, "OriginCommError"};
    case EdgeErrorKind::OriginInvalidResponse: return {502, kClosed, "OriginInvalidResponseError"};
    case EdgeErrorKind::OriginHeaderTooBig: return {502, kClosed, "OriginHeaderTooBigError"};
    case EdgeErrorKind::ServiceUnavailable: return {503, kUnavailable, "CapacityExceeded"};
  }
  return {503, kUnavailable, "Error"};
}

std::string_view toString(EdgeErrorKind kind) {
  switch (kind) {
    case EdgeErrorKind::BadRequest: return "BadRequest";
    case EdgeErrorKind::RequestTooLarge: return "RequestTooLarge";
    case EdgeErrorKind::MethodNotAllowed: return "MethodNotAllowed";
    case EdgeErrorKind::GetWithBody: return "GetWithBody";
    case EdgeErrorKind::OriginDnsError: return "OriginDnsError";
    case EdgeErrorKind::OriginConnectError: return "OriginConnectError";
    case EdgeErrorKind::OriginConnectTimeout: return "OriginConnectTimeout";
    case EdgeErrorKind::OriginReadTimeout: return "OriginReadTimeout";
    case EdgeErrorKind::OriginInvalidResponse: return "OriginInvalidResponse";
    case EdgeErrorKind::OriginHeaderTooBig: return "OriginHeaderTooBig";
    case EdgeErrorKind::ServiceUnavailable: return "ServiceUnavailable";
  }
  return "Unknown";
}

std::string renderErrorPage(int status, std::string_view reason_html, std::string_view request_id) {
  std::string out;
  out.reserve(1024);
  out += "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" "
         "\"http://www.w3.org/TR/html4/loose.dtd\">\n"
         "<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; "
         "charset=iso-8859-1\">\n"
         "<TITLE>ERROR: The request could not be satisfied</TITLE>\n"
         "</HEAD><BODY>\n"
         "<H1>";
  out += std::to_string(status);
  out += " ERROR</H1>\n"
         "<H2>The request could not be satisfied.</H2>\n"
         "<HR noshade size=\"1px\">\n";
  out += reason_html;
  out += "\n"
         "We can't connect to the server for this app or website at this time. There might be "
         "too much traffic or a configuration error. Try again later, or contact the app or "
         "website owner.\n"
         "<BR clear=\"all\">\n"
         "If you provide content to customers through CloudFront, you can find steps to "
         "troubleshoot and help prevent this error by reviewing the CloudFront documentation.\n"
         "<BR clear=\"all\">\n"
         "<HR noshade size=\"1px\">\n"
         "<PRE>\n"
         "Generated by cloudfront (CloudFront)\n"
         "Request ID: ";
  out += request_id;
  out += "\n"
         "</PRE>\n"
         "<ADDRESS>\n"
         "</ADDRESS>\n"
         "</BODY></HTML>";
  return out;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";  // CloudFront's wording (§1.1)
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string formatRequestId(const std::array<uint8_t, 40>& random_bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char out[56];
  char* o = out;
  size_t i = 0;
  for (; i + 3 <= random_bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{random_bytes[i]} << 16) | (uint32_t{random_bytes[i + 1]} << 8) |
                       random_bytes[i + 2];
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  // 40 = 13 * 3 + 1: one byte left → two characters and "==".
  const uint32_t v = uint32_t{random_bytes[i]} << 16;
  *o++ = kAlphabet[(v >> 18) & 63];
  *o++ = kAlphabet[(v >> 12) & 63];
  *o++ = '=';
  *o++ = '=';
  return std::string(out, sizeof out);
}

std::string viaHostFor(std::string_view seed) {
  const XXH128_hash_t h = XXH3_128bits(seed.data(), seed.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32 + 15);
  for (unsigned char byte : canonical.digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out + ".cloudfront.net";
}

}  // namespace edge::policies
