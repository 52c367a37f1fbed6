// AWS Signature Version 4 for S3: the building blocks, signing, and error texts. Verification of
// a request head is in sigv4_verify.cc, the aws-chunked body in sigv4_chunked.cc.
//
// Canonicalisation follows the S3 API reference, "Signature Calculations for the Authorization
// Header" (sig-v4-header-based-auth): the path is URI-encoded once (each segment decoded, then
// encoded again, so a client's own encoding is normalised and never doubled), the query is
// decoded and re-encoded per parameter and sorted, header values are trimmed with inner runs of
// spaces collapsed, and same-named headers are joined with ','.
#include "policies/sigv4.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "policies/http_date.h"
#include "policies/sigv4_internal.h"

namespace edge::policies::sigv4 {

namespace detail {

const EVP_MD* sha256Md() {
  // Fetched once: OpenSSL 3 looks the implementation up again on every call given EVP_sha256(),
  // which costs more than hashing a canonical request. Process lifetime, never freed.
  static const EVP_MD* const md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) std::abort();
    return m;
  }();
  return md;
}

// RFC 2104 HMAC over SHA-256 (64-byte blocks) with two digest passes; the one-shot HMAC() of
// OpenSSL 3 fetches its MAC implementation on every call (5 calls per signature).
Digest32 hmacSha256(const uint8_t* key, size_t key_len, std::string_view data) {
  constexpr size_t kBlock = 64;
  uint8_t k[kBlock] = {};
  unsigned int len = 0;
  if (key_len > kBlock) {
    if (EVP_Digest(key, key_len, k, &len, sha256Md(), nullptr) != 1) std::abort();
  } else if (key_len > 0) {
    std::memcpy(k, key, key_len);
  }
  uint8_t pad[kBlock];
  Digest32 inner{}, out{};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx) std::abort();
  for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
  if (EVP_DigestInit_ex(ctx.get(), sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), pad, kBlock) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), inner.data(), &len) != 1) {
    std::abort();
  }
  for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
  if (EVP_DigestInit_ex(ctx.get(), sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), pad, kBlock) != 1 ||
      EVP_DigestUpdate(ctx.get(), inner.data(), inner.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1) {
    std::abort();
  }
  return out;
}

std::string hexLower(const uint8_t* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kHex[bytes[i] >> 4];
    s[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return s;
}

StreamDigest::StreamDigest(const EVP_MD* md) : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free), md_(md) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md_, nullptr) != 1) std::abort();
}

void StreamDigest::update(std::string_view data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) std::abort();
}

std::string StreamDigest::finishRaw() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), md, &len) != 1 ||
      EVP_DigestInit_ex(ctx_.get(), md_, nullptr) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string StreamDigest::finishHex() {
  const std::string raw = finishRaw();
  return hexLower(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
}

}  // namespace detail

using detail::hexLower;
using detail::hmacSha256;

std::string Scope::toString() const {
  return date + "/" + region + "/" + service + "/aws4_request";
}

std::ostream& operator<<(std::ostream& os, const Scope& s) { return os << s.toString(); }

std::string_view toString(PayloadMode m) {
  switch (m) {
    case PayloadMode::Unsigned:
      return "Unsigned";
    case PayloadMode::Sha256:
      return "Sha256";
    case PayloadMode::StreamingSigned:
      return "StreamingSigned";
    case PayloadMode::StreamingUnsignedTrailer:
      return "StreamingUnsignedTrailer";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, PayloadMode m) { return os << toString(m); }

std::string sha256Hex(std::string_view data) {
  unsigned char md[32];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, detail::sha256Md(), nullptr) != 1)
    std::abort();
  return hexLower(md, len);
}

// ---- dates
// ---------------------------------------------------------------------------------------

namespace {

void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

bool digits(std::string_view s, size_t pos, size_t n, unsigned& out) {
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

}  // namespace

std::string formatAmzDate(int64_t epoch_seconds) {
  int64_t days = epoch_seconds / 86400;
  int64_t secs = epoch_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02u%02u%02uZ", static_cast<long long>(y), m, d,
                static_cast<unsigned>(secs / 3600), static_cast<unsigned>(secs / 60 % 60),
                static_cast<unsigned>(secs % 60));
  return buf;
}

std::optional<int64_t> parseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  unsigned y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || !digits(s, 4, 2, mo) || !digits(s, 6, 2, d) || !digits(s, 9, 2, h) ||
      !digits(s, 11, 2, mi) || !digits(s, 13, 2, se)) {
    return std::nullopt;
  }
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 59)
    return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return std::nullopt;
  return daysFromCivil(y, static_cast<int>(mo), static_cast<int>(d)) * 86400 + h * 3600 + mi * 60 + se;
}

// ---- encoding and canonical forms ---------------------------------------------------------------

std::string uriEncode(std::string_view bytes, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::optional<std::string> canonicalUri(std::string_view raw_path) {
  if (raw_path.empty()) return std::string("/");
  std::string out;
  out.reserve(raw_path.size() + 8);
  size_t start = 0;
  while (true) {
    const size_t slash = raw_path.find('/', start);
    const std::string_view segment =
        raw_path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment.find('%') == std::string_view::npos) {
      out += uriEncode(segment, true);
    } else {
      const std::optional<std::string> decoded = percentDecode(segment);
      if (!decoded) return std::nullopt;
      out += uriEncode(*decoded, true);
    }
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::optional<std::string> canonicalQuery(std::string_view raw_query, bool drop_signature) {
  std::vector<std::pair<std::string, std::string>> params;
  bool ok = true;
  forEachQueryParam(raw_query, [&](std::string_view param, std::string_view name) {
    if (!ok || param.empty()) return;  // "a=1&&b=2": an empty parameter is no parameter
    const std::string_view value =
        name.size() < param.size() ? param.substr(name.size() + 1) : std::string_view();
    const std::optional<std::string> n = percentDecode(name);
    const std::optional<std::string> v = percentDecode(value);
    if (!n || !v) {
      ok = false;
      return;
    }
    if (drop_signature && *n == "X-Amz-Signature") return;
    params.emplace_back(uriEncode(*n, true), uriEncode(*v, true));
  });
  if (!ok) return std::nullopt;
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [n, v] : params) {
    if (!out.empty()) out += '&';
    out += n;
    out += '=';
    out += v;
  }
  return out;
}

namespace {

// Appends a header value trimmed, with each inner run of spaces and tabs collapsed to one space.
void appendTrimAll(std::string& out, std::string_view v) {
  v = trimOws(v);
  bool space = false;
  for (const char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
}

}  // namespace

std::optional<std::string> canonicalRequest(const CanonicalInput& in) {
  const std::optional<std::string> uri = canonicalUri(in.raw_path);
  const std::optional<std::string> query = canonicalQuery(in.raw_query, in.drop_signature_param);
  if (!uri || !query || in.headers == nullptr) return std::nullopt;
  std::string out;
  out.reserve(256);
  out.append(in.method).append("\n").append(*uri).append("\n").append(*query).append("\n");
  for (const std::string& name : in.signed_headers) {
    out += name;
    out += ':';
    bool found = false;
    for (const Header& h : *in.headers) {
      if (!iequals(h.name, name)) continue;
      if (found) out += ',';
      found = true;
      appendTrimAll(out, h.value);
    }
    if (!found) return std::nullopt;
    out += '\n';
  }
  out += '\n';
  for (size_t i = 0; i < in.signed_headers.size(); ++i) {
    if (i > 0) out += ';';
    out += in.signed_headers[i];
  }
  out += '\n';
  out += in.payload_hash;
  return out;
}

std::string stringToSign(std::string_view amz_date, const Scope& scope,
                         std::string_view canonical_request) {
  std::string s;
  s.reserve(160);
  s.append(kAlgorithm)
      .append("\n")
      .append(amz_date)
      .append("\n")
      .append(scope.toString())
      .append("\n");
  s += sha256Hex(canonical_request);
  return s;
}

SigningKey signingKey(std::string_view secret_access_key, const Scope& scope) {
  const detail::Digest32 k_date = hmacSha256("AWS4" + std::string(secret_access_key), scope.date);
  const detail::Digest32 k_region = hmacSha256(k_date, scope.region);
  const detail::Digest32 k_service = hmacSha256(k_region, scope.service);
  return hmacSha256(k_service, "aws4_request");
}

std::string signatureHex(const SigningKey& key, std::string_view string_to_sign) {
  const detail::Digest32 mac = hmacSha256(key, string_to_sign);
  return hexLower(mac.data(), mac.size());
}

// ---- signing ------------------------------------------------------------------------------------

bool signRequest(std::string_view method, std::string_view raw_path, std::string_view raw_query,
                 HeaderList& headers, const Credentials& creds, const SignOptions& opts,
                 int64_t now) {
  if (!headers.has("host")) return false;
  std::vector<std::string> names = {"host", "x-amz-content-sha256", "x-amz-date"};
  if (headers.has("x-amz-security-token")) names.emplace_back("x-amz-security-token");
  for (const std::string& extra : opts.extra_signed_headers) {
    if (!headers.has(extra)) return false;
    names.push_back(toLower(extra));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  // Everything that can fail is checked before `headers` changes.
  const std::optional<std::string> uri = canonicalUri(raw_path);
  const std::optional<std::string> query = canonicalQuery(raw_query);
  if (!uri || !query) return false;

  const std::string amz_date = formatAmzDate(now);
  const Scope scope{amz_date.substr(0, 8), opts.region, opts.service};
  headers.remove("authorization");
  headers.set("X-Amz-Date", amz_date);
  headers.set("X-Amz-Content-Sha256", opts.payload_hash);
  CanonicalInput in{method, raw_path, raw_query, &headers, names, opts.payload_hash, false};
  const std::optional<std::string> canonical = canonicalRequest(in);
  if (!canonical) std::abort();  // every signed header and the path/query were checked above
  const std::string signature = signatureHex(signingKey(creds.secret_access_key, scope),
                                             stringToSign(amz_date, scope, *canonical));
  std::string auth = std::string(kAlgorithm) + " Credential=" + creds.access_key_id + "/" +
                     scope.toString() + ", SignedHeaders=";
  for (size_t i = 0; i < names.size(); ++i) auth += (i > 0 ? ";" : "") + names[i];
  auth += ", Signature=" + signature;
  headers.add("Authorization", std::move(auth));
  return true;
}

std::string presignQuery(std::string_view method, std::string_view host, std::string_view raw_path,
                         std::string_view raw_query, const Credentials& creds,
                         const SignOptions& opts, int64_t now, int64_t expires_seconds) {
  const std::string amz_date = formatAmzDate(now);
  const Scope scope{amz_date.substr(0, 8), opts.region, opts.service};
  std::string added =
      "X-Amz-Algorithm=" + std::string(kAlgorithm) +
      "&X-Amz-Credential=" + uriEncode(creds.access_key_id + "/" + scope.toString(), true) +
      "&X-Amz-Date=" + amz_date + "&X-Amz-Expires=" + std::to_string(expires_seconds) +
      "&X-Amz-SignedHeaders=host";
  std::string query = raw_query.empty() ? added : std::string(raw_query) + "&" + added;
  const HeaderList headers{{"host", std::string(host)}};
  CanonicalInput in{method, raw_path, query, &headers, {"host"}, kUnsignedPayload, false};
  const std::optional<std::string> canonical = canonicalRequest(in);
  if (!canonical) return "";
  query += "&X-Amz-Signature=" + signatureHex(signingKey(creds.secret_access_key, scope),
                                              stringToSign(amz_date, scope, *canonical));
  return query;
}

// ---- errors -------------------------------------------------------------------------------------

std::string_view toString(AuthError e) {
  switch (e) {
    case AuthError::MissingSecurityHeader:
    case AuthError::ContentSha256NotSigned:
      return "InvalidRequest";
    case AuthError::AuthorizationHeaderMalformed:
      return "AuthorizationHeaderMalformed";
    case AuthError::AuthorizationQueryParametersError:
      return "AuthorizationQueryParametersError";
    case AuthError::InvalidArgument:
      return "InvalidArgument";
    case AuthError::InvalidAccessKeyId:
      return "InvalidAccessKeyId";
    case AuthError::SignatureDoesNotMatch:
      return "SignatureDoesNotMatch";
    case AuthError::RequestTimeTooSkewed:
      return "RequestTimeTooSkewed";
    case AuthError::AccessDeniedExpired:
    case AuthError::AccessDeniedNotYetValid:
    case AuthError::AccessDeniedMissingDate:
    case AuthError::AccessDeniedAnonymous:
      return "AccessDenied";
    case AuthError::XAmzContentSHA256Mismatch:
      return "XAmzContentSHA256Mismatch";
    case AuthError::IncompleteBody:
      return "IncompleteBody";
    case AuthError::BadDigest:
      return "BadDigest";
  }
  return "AccessDenied";
}

int httpStatus(AuthError e) {
  switch (e) {
    case AuthError::MissingSecurityHeader:
    case AuthError::ContentSha256NotSigned:
    case AuthError::AuthorizationHeaderMalformed:
    case AuthError::AuthorizationQueryParametersError:
    case AuthError::InvalidArgument:
    case AuthError::XAmzContentSHA256Mismatch:
    case AuthError::IncompleteBody:
    case AuthError::BadDigest:
      return 400;
    case AuthError::InvalidAccessKeyId:
    case AuthError::SignatureDoesNotMatch:
    case AuthError::RequestTimeTooSkewed:
    case AuthError::AccessDeniedExpired:
    case AuthError::AccessDeniedNotYetValid:
    case AuthError::AccessDeniedMissingDate:
    case AuthError::AccessDeniedAnonymous:
      return 403;
  }
  return 403;
}

std::string_view message(AuthError e) {
  switch (e) {
    case AuthError::MissingSecurityHeader:
      return "Missing required header for this request: x-amz-content-sha256";
    case AuthError::ContentSha256NotSigned:
      return "header 'x-amz-content-sha256' must be included in signature";
    case AuthError::AuthorizationHeaderMalformed:
      return "The authorization header is malformed.";
    case AuthError::AuthorizationQueryParametersError:
      return "Query-string authentication version 4 requires the X-Amz-Algorithm, "
             "X-Amz-Credential, "
             "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
    case AuthError::InvalidArgument:
      return "Invalid argument.";
    case AuthError::InvalidAccessKeyId:
      return "The AWS Access Key Id you provided does not exist in our records.";
    case AuthError::SignatureDoesNotMatch:
      return "The request signature we calculated does not match the signature you provided. Check "
             "your "
             "key and signing method.";
    case AuthError::RequestTimeTooSkewed:
      return "The difference between the request time and the current time is too large.";
    case AuthError::AccessDeniedExpired:
      return "Request has expired";
    case AuthError::AccessDeniedNotYetValid:
      return "Request is not yet valid";
    case AuthError::AccessDeniedMissingDate:
      return "AWS authentication requires a valid Date or x-amz-date header";
    case AuthError::AccessDeniedAnonymous:
      return "Access Denied";
    case AuthError::XAmzContentSHA256Mismatch:
      return "The provided 'x-amz-content-sha256' header does not match what was computed.";
    case AuthError::IncompleteBody:
      return "You did not provide the number of bytes specified by the Content-Length HTTP header.";
    case AuthError::BadDigest:
      return "The checksum you specified did not match the calculated checksum.";
  }
  return "Access Denied";
}

std::ostream& operator<<(std::ostream& os, AuthError e) {
  os << toString(e);
  if (e == AuthError::AccessDeniedExpired || e == AuthError::AccessDeniedNotYetValid ||
      e == AuthError::AccessDeniedMissingDate || e == AuthError::ContentSha256NotSigned ||
      e == AuthError::MissingSecurityHeader) {
    os << " (" << message(e) << ")";
  }
  return os;
}

}  // namespace edge::policies::sigv4
