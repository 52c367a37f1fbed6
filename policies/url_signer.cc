#include "policies/url_signer.h"

#include "policies/forwarding_rules.h"
#include "policies/http_date.h"
#include "policies/ip_address.h"
#include "policies/signed_policy.h"

namespace edge::policies {

namespace {

// "http(s)://host…" without a fragment or spaces; nullopt when fine, else the problem.
std::optional<std::string> urlProblem(std::string_view url) {
  size_t host_at = 0;
  if (url.starts_with("https://")) {
    host_at = 8;
  } else if (url.starts_with("http://")) {
    host_at = 7;
  } else {
    return "must be an absolute http:// or https:// URL";
  }
  const size_t host_end = url.find_first_of("/?", host_at);
  if (host_end == host_at || host_at == url.size()) return "has no host";
  if (url.find('#') != std::string_view::npos) return "must not contain a fragment ('#')";
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return "must be ASCII without spaces (percent-encode other characters)";
    }
  }
  const size_t q = url.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::optional<std::string> problem;
  forEachQueryParam(url.substr(q + 1), [&](std::string_view, std::string_view name) {
    if (!problem && isSigningQueryParam(name)) {
      problem = "already contains the CloudFront signing parameter " + std::string(name);
    }
  });
  return problem;
}


bool isLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Reads exactly `n` digits at `s`; advances it.
bool digits(std::string_view& s, size_t n, int& out) {
  if (s.size() < n) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  s.remove_prefix(n);
  return true;
}

bool take(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<int64_t> parseSigningDate(std::string_view s) {
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos) {
    if (s.size() > 12) return std::nullopt;
    int64_t v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
  }
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!digits(s, 4, year) || !take(s, '-') || !digits(s, 2, month) || !take(s, '-') ||
      !digits(s, 2, day)) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 ||
      day > kDays[month - 1] + (month == 2 && isLeap(year) ? 1 : 0)) {
    return std::nullopt;
  }
  int64_t offset = 0;
  if (!s.empty()) {
    if (!take(s, 'T') && !take(s, ' ')) return std::nullopt;
    if (!digits(s, 2, hour) || !take(s, ':') || !digits(s, 2, minute)) return std::nullopt;
    if (take(s, ':') && !digits(s, 2, second)) return std::nullopt;
    if (take(s, '.')) {
      int ignored;
      if (!digits(s, 1, ignored)) return std::nullopt;
      while (!s.empty() && s.front() >= '0' && s.front() <= '9') s.remove_prefix(1);
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    if (take(s, 'Z')) {
      // UTC
    } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
      const int sign = s.front() == '-' ? -1 : 1;
      s.remove_prefix(1);
      int oh, om;
      if (!digits(s, 2, oh)) return std::nullopt;
      take(s, ':');
      if (!digits(s, 2, om) || oh > 23 || om > 59) return std::nullopt;
      offset = sign * (oh * 3600 + om * 60);
    }
    if (!s.empty()) return std::nullopt;
  }
  return daysFromCivil(year, month, day) * 86400 +
         hour * 3600 + minute * 60 + second - offset;
}

tl::expected<SignedUrlResult, std::string> signUrl(const UrlSignRequest& r, const ParsedKey& key) {
  using tl::make_unexpected;
  if (auto problem = urlProblem(r.url)) return make_unexpected("--url " + *problem);
  if (r.key_pair_id.empty()) return make_unexpected("--key-pair-id must not be empty");
  if (r.ip_address && !parseIpRange(*r.ip_address)) {
    return make_unexpected("--ip-address \"" + *r.ip_address +
                           "\" is not an IP address or CIDR range");
  }
  if (r.date_greater_than && *r.date_greater_than >= r.date_less_than) {
    return make_unexpected("--date-greater-than must be before --date-less-than");
  }
  SignedUrlResult out;
  out.hash =
      r.hash.value_or(key.type == KeyType::EcP256 ? SignatureHash::Sha256 : SignatureHash::Sha1);
  if (key.type == KeyType::EcP256 && out.hash != SignatureHash::Sha256) {
    return make_unexpected("ECDSA keys sign with SHA256 only");
  }
  const std::string& resource = r.policy_resource.value_or(r.url);
  // Only an explicit --policy-resource is read as a pattern. A URL that itself holds '*', '?'
  // or "\?" (legal bytes in a host, path or query) is signed with a canned policy, as botocore
  // and aws-sdk-js-v3 do: CloudFront compares a canned policy's URL byte for byte, whereas the
  // same URL as a custom policy's Resource would be a glob where "\?" means a bare '?'
  // (found by viewer_request_fuzz: a Host holding '*' and a query holding "\?").
  out.custom = r.date_greater_than || r.ip_address ||
               (r.policy_resource &&
                (*r.policy_resource != r.url || r.policy_resource->find('*') != std::string::npos));
  const std::string expires = std::to_string(r.date_less_than);
  out.policy =
      out.custom
          ? buildCustomPolicy({resource, r.date_less_than, r.date_greater_than, r.ip_address})
          : cannedPolicy(resource, expires);
  auto signature = signMessage(key, out.hash, out.policy);
  if (!signature) return make_unexpected(signature.error());
  const std::string sig = encodeCloudFrontBase64(*signature);

  out.cookies.emplace_back(out.custom ? "CloudFront-Policy" : "CloudFront-Expires",
                           out.custom ? encodeCloudFrontBase64(out.policy) : expires);
  out.cookies.emplace_back("CloudFront-Signature", sig);
  out.cookies.emplace_back("CloudFront-Key-Pair-Id", r.key_pair_id);
  if (out.hash == SignatureHash::Sha256)
    out.cookies.emplace_back("CloudFront-Hash-Algorithm", "SHA256");

  out.url = r.url;
  char sep = r.url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : out.cookies) {
    out.url += sep;
    out.url += std::string_view(name).substr(std::string_view("CloudFront-").size());
    out.url += '=';
    out.url += value;
    sep = '&';
  }
  return out;
}

}  // namespace edge::policies
