// SigV4 verification of a request head, both forms (S3 API reference: "Authenticating Requests:
// Using the Authorization Header" and "Authenticating Requests: Using Query Parameters"). The
// error codes are the ones S3 answers; where the reference does not name one the source is given
// next to the check.
#include <openssl/crypto.h>

#include <algorithm>

#include "policies/http_date.h"
#include "policies/sigv4.h"

namespace edge::policies::sigv4 {

namespace {

bool isHex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return hexDigitValue(c) >= 0; });
}

// "AKID/20130524/us-east-1/s3/aws4_request" → access key and scope.
bool parseCredential(std::string_view cred, std::string& akid, Scope& scope) {
  std::string_view parts[5];
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t slash = cred.find('/', start);
    if ((slash == std::string_view::npos) != (i == 4)) return false;
    parts[i] = cred.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (parts[i].empty()) return false;
    start = slash + 1;
  }
  if (parts[1].size() != 8 ||
      !std::all_of(parts[1].begin(), parts[1].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  // This verifier serves S3 only; S3 refuses another service in the scope as malformed.
  if (parts[3] != "s3" || parts[4] != "aws4_request") return false;
  akid = std::string(parts[0]);
  scope = Scope{std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
  return true;
}

// "host;range;x-amz-date" → names (as sent; the client signed exactly this list).
bool parseSignedHeaders(std::string_view list, std::vector<std::string>& names) {
  size_t start = 0;
  while (true) {
    const size_t semi = list.find(';', start);
    const std::string_view name =
        list.substr(start, semi == std::string_view::npos ? semi : semi - start);
    if (name.empty()) return false;
    names.emplace_back(name);
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return true;
}

bool listed(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return iequals(n, name); });
}

struct Parsed {
  std::string akid;
  Scope scope;
  std::vector<std::string> signed_headers;
  std::string signature;  // lowercase hex
  std::string amz_date;
  int64_t time = 0;
};

// The Authorization value's components. Tolerates spaces around the commas.
tl::expected<Parsed, AuthError> parseAuthorization(std::string_view value) {
  value = trimOws(value);
  if (value.substr(0, kAlgorithm.size()) != kAlgorithm ||
      (value.size() > kAlgorithm.size() && value[kAlgorithm.size()] != ' ')) {
    return tl::make_unexpected(AuthError::InvalidArgument);  // S3: "Unsupported Authorization Type"
  }
  std::string_view rest = value.substr(kAlgorithm.size());
  std::optional<std::string_view> cred, signed_headers, signature;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = trimOws(rest.substr(0, comma));
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      return tl::make_unexpected(AuthError::AuthorizationHeaderMalformed);
    const std::string_view key = item.substr(0, eq);
    std::optional<std::string_view>* slot = key == "Credential"      ? &cred
                                            : key == "SignedHeaders" ? &signed_headers
                                            : key == "Signature"     ? &signature
                                                                     : nullptr;
    if (slot == nullptr || slot->has_value()) {
      return tl::make_unexpected(AuthError::AuthorizationHeaderMalformed);
    }
    *slot = item.substr(eq + 1);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  Parsed p;
  if (!cred || !signed_headers || !signature || !parseCredential(*cred, p.akid, p.scope) ||
      !parseSignedHeaders(*signed_headers, p.signed_headers) || !isHex64(*signature)) {
    return tl::make_unexpected(AuthError::AuthorizationHeaderMalformed);
  }
  p.signature = toLower(*signature);
  return p;
}

// Computes the signature and compares it in constant time; fills the key on success.
tl::expected<void, AuthError> checkSignature(const ViewerRequest& req, const Parsed& p,
                                             std::string_view payload_hash, bool presigned,
                                             const std::string& secret, SigningKey& key) {
  const CanonicalInput in{req.method_name,  req.path,     req.query, &req.headers,
                          p.signed_headers, payload_hash, presigned};
  const std::optional<std::string> canonical = canonicalRequest(in);
  if (!canonical) {
    // A bad %-escape in the path or query is a bad request; a signed header that is absent
    // cannot have been signed with this request.
    if (!canonicalUri(req.path) || !canonicalQuery(req.query)) {
      return tl::make_unexpected(AuthError::InvalidArgument);
    }
    return tl::make_unexpected(AuthError::SignatureDoesNotMatch);
  }
  key = signingKey(secret, p.scope);
  const std::string expected = signatureHex(key, stringToSign(p.amz_date, p.scope, *canonical));
  if (CRYPTO_memcmp(expected.data(), p.signature.data(), expected.size()) != 0) {
    return tl::make_unexpected(AuthError::SignatureDoesNotMatch);
  }
  return {};
}

Verified makeVerified(Parsed&& p, const SigningKey& key) {
  Verified v;
  v.access_key_id = std::move(p.akid);
  v.scope = std::move(p.scope);
  v.amz_date = std::move(p.amz_date);
  v.key = key;
  v.seed_signature = std::move(p.signature);
  return v;
}

tl::expected<Verified, AuthError> verifyHeaderForm(const ViewerRequest& req,
                                                   const SecretLookup& secrets, int64_t now) {
  if (req.headers.count("authorization") != 1) {
    return tl::make_unexpected(AuthError::AuthorizationHeaderMalformed);
  }
  auto parsed = parseAuthorization(*req.headers.get("authorization"));
  if (!parsed) return tl::make_unexpected(parsed.error());
  Parsed& p = *parsed;
  if (!listed(p.signed_headers, "host"))
    return tl::make_unexpected(AuthError::AuthorizationHeaderMalformed);

  // The date: X-Amz-Date, else Date (S3 API "Common request headers": x-amz-date takes
  // precedence; the signature's timestamp is then the Date value in ISO 8601 basic form).
  if (const auto amz = req.headers.get("x-amz-date")) {
    const std::optional<int64_t> t = parseAmzDate(trimOws(*amz));
    if (!t) return tl::make_unexpected(AuthError::AccessDeniedMissingDate);
    p.time = *t;
    p.amz_date = std::string(trimOws(*amz));
  } else if (const auto date = req.headers.get("date")) {
    const std::optional<int64_t> t = parseHttpDate(trimOws(*date));
    if (!t) return tl::make_unexpected(AuthError::AccessDeniedMissingDate);
    p.time = *t;
    p.amz_date = formatAmzDate(*t);
  } else {
    return tl::make_unexpected(AuthError::AccessDeniedMissingDate);
  }
  // S3: "Invalid credential date. Date is not the same as X-Amz-Date."
  // (AuthorizationHeaderMalformed)
  if (p.amz_date.compare(0, 8, p.scope.date) != 0) {
    return tl::make_unexpected(AuthError::AuthorizationHeaderMalformed);
  }
  if (p.time - now > kMaxClockSkewSeconds || now - p.time > kMaxClockSkewSeconds) {
    return tl::make_unexpected(AuthError::RequestTimeTooSkewed);
  }

  // x-amz-content-sha256: required for S3 header auth (see AuthError::MissingSecurityHeader).
  const std::optional<std::string_view> content = req.headers.get("x-amz-content-sha256");
  if (!content) return tl::make_unexpected(AuthError::MissingSecurityHeader);
  if (!listed(p.signed_headers, "x-amz-content-sha256")) {
    return tl::make_unexpected(AuthError::ContentSha256NotSigned);
  }
  const std::string_view hash = trimOws(*content);
  Verified v;
  if (isHex64(hash)) {
    v.payload = PayloadMode::Sha256;
    v.payload_sha256 = toLower(hash);
  } else if (hash == kUnsignedPayload) {
    v.payload = PayloadMode::Unsigned;
  } else if (hash == kStreamingSigned || hash == kStreamingSignedTrailer) {
    v.payload = PayloadMode::StreamingSigned;
    v.trailer = hash == kStreamingSignedTrailer;
  } else if (hash == kStreamingUnsignedTrailer) {
    v.payload = PayloadMode::StreamingUnsignedTrailer;
    v.trailer = true;
  } else {
    // S3: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-…, or a valid sha256 value."
    return tl::make_unexpected(AuthError::InvalidArgument);
  }

  const std::optional<std::string> secret = secrets(p.akid);
  if (!secret) return tl::make_unexpected(AuthError::InvalidAccessKeyId);
  SigningKey key{};
  if (auto ok = checkSignature(req, p, hash, false, *secret, key); !ok) {
    return tl::make_unexpected(ok.error());
  }
  Verified out = makeVerified(std::move(p), key);
  out.payload = v.payload;
  out.payload_sha256 = std::move(v.payload_sha256);
  out.trailer = v.trailer;
  if (const auto trailer = req.headers.get("x-amz-trailer"))
    out.trailer_header = toLower(trimOws(*trailer));
  if (const auto len = req.headers.get("x-amz-decoded-content-length")) {
    out.decoded_content_length = parseContentLength(trimOws(*len));
  }
  return out;
}

// The presigned parameters, each present exactly once (values percent-decoded).
struct QueryAuth {
  std::optional<std::string> algorithm, credential, date, expires, signed_headers, signature;
};

bool collectQueryAuth(std::string_view query, QueryAuth& q) {
  bool ok = true;
  forEachQueryParam(query, [&](std::string_view param, std::string_view name) {
    std::optional<std::string>* slot = name == "X-Amz-Algorithm"       ? &q.algorithm
                                       : name == "X-Amz-Credential"    ? &q.credential
                                       : name == "X-Amz-Date"          ? &q.date
                                       : name == "X-Amz-Expires"       ? &q.expires
                                       : name == "X-Amz-SignedHeaders" ? &q.signed_headers
                                       : name == "X-Amz-Signature"     ? &q.signature
                                                                       : nullptr;
    if (slot == nullptr) return;
    std::optional<std::string> value = percentDecode(
        name.size() < param.size() ? param.substr(name.size() + 1) : std::string_view());
    if (slot->has_value() || !value) ok = false;
    *slot = std::move(value);
  });
  return ok;
}

tl::expected<Verified, AuthError> verifyQueryForm(const ViewerRequest& req,
                                                  const SecretLookup& secrets, int64_t now) {
  constexpr AuthError kBad = AuthError::AuthorizationQueryParametersError;
  QueryAuth q;
  if (!collectQueryAuth(req.query, q) || !q.algorithm || !q.credential || !q.date || !q.expires ||
      !q.signed_headers || !q.signature) {
    return tl::make_unexpected(kBad);
  }
  // S3: "X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"" (AuthorizationQueryParametersError).
  if (*q.algorithm != kAlgorithm) return tl::make_unexpected(kBad);
  Parsed p;
  if (!parseCredential(*q.credential, p.akid, p.scope) ||
      !parseSignedHeaders(*q.signed_headers, p.signed_headers) || !isHex64(*q.signature) ||
      !listed(p.signed_headers, "host")) {
    return tl::make_unexpected(kBad);
  }
  p.signature = toLower(*q.signature);
  const std::optional<int64_t> t = parseAmzDate(*q.date);
  if (!t || q.date->compare(0, 8, p.scope.date) != 0) return tl::make_unexpected(kBad);
  p.time = *t;
  p.amz_date = *q.date;
  // S3: "X-Amz-Expires must be less than a week (in seconds) that is 604800" and must be a
  // positive integer (AuthorizationQueryParametersError).
  const std::string& e = *q.expires;
  if (e.empty() || e.size() > 7 ||
      !std::all_of(e.begin(), e.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return tl::make_unexpected(kBad);
  }
  const int64_t expires = std::stoll(e);
  if (expires < 1 || expires > kMaxPresignExpires) return tl::make_unexpected(kBad);
  if (p.time - now > kMaxClockSkewSeconds)
    return tl::make_unexpected(AuthError::AccessDeniedNotYetValid);
  if (now > p.time + expires) return tl::make_unexpected(AuthError::AccessDeniedExpired);

  const std::optional<std::string> secret = secrets(p.akid);
  if (!secret) return tl::make_unexpected(AuthError::InvalidAccessKeyId);
  SigningKey key{};
  if (auto ok = checkSignature(req, p, kUnsignedPayload, true, *secret, key); !ok) {
    return tl::make_unexpected(ok.error());
  }
  Verified out = makeVerified(std::move(p), key);
  out.presigned = true;
  out.payload = PayloadMode::Unsigned;
  return out;
}

bool hasQueryCredentials(std::string_view query) {
  bool found = false;
  forEachQueryParam(query, [&](std::string_view, std::string_view name) {
    found = found || name == "X-Amz-Algorithm" || name == "X-Amz-Credential" ||
            name == "X-Amz-Signature";
  });
  return found;
}

}  // namespace

bool hasCredentials(const ViewerRequest& req) {
  return req.headers.has("authorization") || hasQueryCredentials(req.query);
}

tl::expected<Verified, AuthError> verifyRequest(const ViewerRequest& req,
                                                const SecretLookup& secrets, int64_t now) {
  const bool header = req.headers.has("authorization");
  const bool query = hasQueryCredentials(req.query);
  // S3: "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature
  // query string parameter or the Authorization header should be specified" (InvalidArgument).
  if (header && query) return tl::make_unexpected(AuthError::InvalidArgument);
  if (header) return verifyHeaderForm(req, secrets, now);
  if (query) return verifyQueryForm(req, secrets, now);
  return tl::make_unexpected(AuthError::AccessDeniedAnonymous);
}

}  // namespace edge::policies::sigv4
