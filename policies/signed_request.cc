#include "policies/signed_request.h"

#include <algorithm>

#include "policies/forwarding_rules.h"

namespace edge::policies {

namespace {

// Records one occurrence of a signing field; a second one marks the credentials duplicate.
void setField(SignedCredentials& c, CredentialField& f, std::string_view value) {
  if (f.present) {
    c.duplicate = true;
    return;
  }
  f.present = true;
  f.raw = value;
  if (value.find('%') == std::string_view::npos) return;
  // A '%' not followed by two hex digits leaves the value as sent (it then fails the strict
  // base64 / integer checks).
  if (auto decoded = percentDecode(value)) {
    f.decoded = std::move(*decoded);
    f.use_decoded = true;
  }
}

// The field a signing name selects (names without their "CloudFront-" prefix for cookies).
CredentialField* fieldFor(SignedCredentials& c, std::string_view name) {
  if (name == "Expires") return &c.expires;
  if (name == "Policy") return &c.policy;
  if (name == "Signature") return &c.signature;
  if (name == "Key-Pair-Id") return &c.key_pair_id;
  if (name == "Hash-Algorithm") return &c.hash_algorithm;
  return nullptr;
}

bool extractFromQuery(const ViewerRequest& request, SignedCredentials& c) {
  forEachQueryParam(request.query, [&](std::string_view param, std::string_view name) {
    CredentialField* f = fieldFor(c, name);
    if (f != nullptr) setField(c, *f, param.substr(std::min(param.size(), name.size() + 1)));
  });
  return c.expires.present || c.policy.present || c.signature.present || c.key_pair_id.present ||
         c.hash_algorithm.present || c.duplicate;
}

void extractFromCookies(const ViewerRequest& request, SignedCredentials& c) {
  constexpr std::string_view kPrefix = "CloudFront-";
  forEachCookie(request.headers, [&](std::string_view name, std::string_view crumb) {
    if (!isSigningCookie(name)) return;
    const size_t eq = crumb.find('=');
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : trimOws(crumb.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);  // RFC 6265 quoted cookie-value
    }
    if (CredentialField* f = fieldFor(c, name.substr(kPrefix.size()))) setField(c, *f, value);
  });
}

std::optional<SignatureHash> hashOf(const CredentialField& f) {
  if (!f.present || f.value() == "SHA1") return SignatureHash::Sha1;
  if (f.value() == "SHA256") return SignatureHash::Sha256;
  return std::nullopt;
}

// A canned Expires: decimal digits only, at most 2147483647 (§5.3).
enum class ExpiresCheck : uint8_t { Ok, NotInteger, TooLate };
ExpiresCheck parseExpires(std::string_view s, int64_t& out) {
  if (s.empty()) return ExpiresCheck::NotInteger;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return ExpiresCheck::NotInteger;
    if (v <= kMaxSignedEpoch) v = v * 10 + (c - '0');  // stops growing once too late
  }
  if (v > kMaxSignedEpoch) return ExpiresCheck::TooLate;
  out = v;
  return ExpiresCheck::Ok;
}

SignedCheck fail(SignedFailure f, std::string_view reason, CredentialSource source) {
  return SignedCheck{f, reason, source, false};
}

// The credentials once the cheap checks (steps 1–3 of checkSignedRequest) passed.
struct Prechecked {
  const TrustedKey* key = nullptr;
  SignatureHash hash = SignatureHash::Sha1;
  bool custom = false;  // Policy (else canned Expires)
  int64_t expires = 0;  // canned only
};

tl::expected<Prechecked, SignedCheck> precheck(const SignedCredentials& c,
                                               const TrustedKeys& keys) {
  auto no = [&](SignedFailure f, std::string_view reason) {
    return tl::make_unexpected(fail(f, reason, c.source));
  };
  if (c.duplicate) return no(SignedFailure::AccessDenied, "duplicated signing parameter");
  if (!c.key_pair_id.present || c.key_pair_id.value().empty()) {
    return no(SignedFailure::MissingKey, "no Key-Pair-Id");
  }
  Prechecked p;
  p.key = keys.find(c.key_pair_id.value());
  if (p.key == nullptr)
    return no(SignedFailure::InvalidKey, "Key-Pair-Id not trusted by this behaviour");
  if (!c.signature.present || c.signature.value().empty()) {
    return no(SignedFailure::AccessDenied, "no Signature");
  }
  p.custom = c.policy.present && !c.policy.value().empty();
  if (!p.custom && (!c.expires.present || c.expires.value().empty())) {
    return no(SignedFailure::AccessDenied, "no Expires or Policy");
  }
  const std::optional<SignatureHash> hash = hashOf(c.hash_algorithm);
  if (!hash) return no(SignedFailure::AccessDenied, "unsupported Hash-Algorithm");
  p.hash = *hash;
  if (p.key->type == KeyType::EcP256 && p.hash != SignatureHash::Sha256) {
    return no(SignedFailure::AccessDenied, "ECDSA key needs Hash-Algorithm=SHA256");
  }
  if (!p.custom) {
    switch (parseExpires(c.expires.value(), p.expires)) {
      case ExpiresCheck::Ok: break;
      case ExpiresCheck::NotInteger:
        return no(SignedFailure::AccessDenied, "Expires is not an integer");
      case ExpiresCheck::TooLate:
        return no(SignedFailure::AccessDenied, toString(PolicyViolation::TooLateEpoch));
    }
  }
  return p;
}

// Steps 5–7: decode the Signature, decode and parse the Policy (or build the canned one from
// `url`), verify. The policy the signature covers, or the failure.
tl::expected<SignedPolicy, SignedCheck> verify(const SignedCredentials& c, const Prechecked& p,
                                               const std::string& url) {
  auto no = [&](SignedFailure f, std::string_view reason) {
    return tl::make_unexpected(fail(f, reason, c.source));
  };
  const auto signature = decodeCloudFrontBase64(c.signature.value());
  if (!signature)
    return no(SignedFailure::MalformedSignature, "Signature is not CloudFront base64");
  SignedPolicy policy;
  std::string signed_text;
  if (p.custom) {
    auto text = decodeCloudFrontBase64(c.policy.value());
    if (!text) return no(SignedFailure::MalformedPolicy, "Policy is not CloudFront base64");
    auto parsed = parseCustomPolicy(*text);
    if (!parsed) return no(SignedFailure::MalformedPolicy, "Policy is not a valid policy");
    policy = std::move(*parsed);
    signed_text = std::move(*text);
  } else {
    cannedPolicyInto(signed_text, url, c.expires.value());
    policy.resource = url;
    policy.exact_resource = true;
    policy.date_less_than = p.expires;
  }
  if (!verifySignature(*p.key, p.hash, signed_text, *signature)) {
    return no(SignedFailure::AccessDenied, "signature does not verify");
  }
  return policy;
}

}  // namespace

std::string_view toString(SignedFailure f) {
  switch (f) {
    case SignedFailure::MissingKey: return "MissingKey";
    case SignedFailure::InvalidKey: return "InvalidKey";
    case SignedFailure::MalformedSignature: return "MalformedSignature";
    case SignedFailure::MalformedPolicy: return "MalformedPolicy";
    case SignedFailure::AccessDenied: return "AccessDenied";
  }
  return "AccessDenied";
}

std::ostream& operator<<(std::ostream& os, SignedFailure f) { return os << toString(f); }

std::string_view signedFailureMessage(SignedFailure f) {
  switch (f) {
    case SignedFailure::MissingKey: return "Missing Key-Pair-Id query parameter or cookie value";
    case SignedFailure::InvalidKey: return "Unknown Key";
    case SignedFailure::MalformedSignature: return "Could not unencode Signature";
    case SignedFailure::MalformedPolicy: return "Malformed Policy";
    case SignedFailure::AccessDenied: return "Access denied";
  }
  return "Access denied";
}

std::string signedFailureBody(SignedFailure f) {
  std::string body = R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>)";
  body += toString(f);
  body += "</Code><Message>";
  body += signedFailureMessage(f);
  body += "</Message></Error>";
  return body;
}

std::string_view toString(CredentialSource s) {
  switch (s) {
    case CredentialSource::None: return "none";
    case CredentialSource::Query: return "url";
    case CredentialSource::Cookie: return "cookie";
  }
  return "none";
}

SignedCredentials extractSignedCredentials(const ViewerRequest& request) {
  SignedCredentials c;
  if (extractFromQuery(request, c)) {
    c.source = CredentialSource::Query;
    return c;
  }
  extractFromCookies(request, c);
  const bool any = c.expires.present || c.policy.present || c.signature.present ||
                   c.key_pair_id.present || c.hash_algorithm.present;
  c.source = any ? CredentialSource::Cookie : CredentialSource::None;
  return c;
}

void signedResourceUrlInto(std::string& out, const ViewerRequest& request,
                           std::string_view scheme) {
  const std::string_view host = request.headers.get("host").value_or(std::string_view());
  out.clear();
  out.reserve(scheme.size() + 3 + host.size() + request.path.size() + 1 + request.query.size());
  out += scheme;
  out += "://";
  out += host;
  out += request.path;
  const size_t query_at = out.size();
  bool first = true, any = false;
  forEachQueryParam(request.query, [&](std::string_view param, std::string_view name) {
    if (isSigningQueryParam(name)) return;
    out += first ? '?' : '&';
    out += param;
    first = false;
    any = any || !param.empty();
  });
  // Only empty parameters left ("&Expires=…" with the signing ones removed): no query at all.
  if (!any) out.resize(query_at);
}

std::string signedResourceUrl(const ViewerRequest& request, std::string_view scheme) {
  std::string out;
  signedResourceUrlInto(out, request, scheme);
  return out;
}

std::ostream& operator<<(std::ostream& os, const SignedCheck& c) {
  if (c.ok()) {
    os << "OK";
  } else {
    os << *c.failure;
  }
  os << " (" << c.reason << ", " << toString(c.source);
  if (c.memo_hit) os << ", memo hit";
  return os << ")";
}

SignedCheck checkSignedRequest(const ViewerRequest& request, std::string_view scheme,
                               const TrustedKeys& keys, SignatureMemo& memo, int64_t now) {
  const SignedCredentials c = extractSignedCredentials(request);
  const auto p = precheck(c, keys);
  if (!p) return p.error();
  const std::string url = signedResourceUrl(request, scheme);
  const std::string_view key_id = c.key_pair_id.value();
  const MemoDigest digest =
      memo.digest({key_id, p->hash, !p->custom, p->custom ? c.policy.value() : c.expires.value(),
                   p->custom ? std::string_view() : std::string_view(url), c.signature.value()});
  SignedCheck result{std::nullopt, "valid signature", c.source, false};
  const SignedPolicy* policy = memo.find(digest, key_id, now);
  tl::expected<SignedPolicy, SignedCheck> verified;
  if (policy != nullptr) {
    result.memo_hit = true;
  } else {
    verified = verify(c, *p, url);
    if (!verified) return verified.error();
    memo.insert(digest, key_id, *verified, now);
    policy = &*verified;
  }
  if (const auto violation = checkPolicyConditions(*policy, url, request.client_ip, now)) {
    result.failure = SignedFailure::AccessDenied;
    result.reason = toString(*violation);
  }
  return result;
}

}  // namespace edge::policies
