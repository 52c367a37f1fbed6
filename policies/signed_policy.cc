#include "policies/signed_policy.h"

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace edge::policies {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~";
constexpr char kPad = '_';

// Sextet value of each byte of the CloudFront alphabet; -1 for every other byte.
constexpr std::array<int8_t, 256> kDecode = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}();

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Glob over one section: `*` (0+ characters), `?` (one), `\?` (a literal '?'), other bytes
// literally (ASCII case-insensitively when `fold_case`). Classic two-pointer match with
// backtracking to the last `*`, exact when a `*` may consume anything.
bool glob(std::string_view pat, std::string_view s, bool fold_case) {
  size_t p = 0, i = 0, star_p = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (p < pat.size()) {
      const char c = pat[p];
      if (c == '*') {
        star_p = p++;
        star_i = i;
        continue;
      }
      if (c == '\\' && p + 1 < pat.size() && pat[p + 1] == '?') {
        if (s[i] == '?') {
          p += 2;
          ++i;
          continue;
        }
      } else if (c == '?' || c == s[i] || (fold_case && lowerAscii(c) == lowerAscii(s[i]))) {
        ++p;
        ++i;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    i = ++star_i;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

// Path and query, byte-exact. `url` is "/path" or "/path?query". The '?' that begins the query
// is matched by one `\?` or bare `?` of the pattern (the pattern's path part then matches the
// path, the rest the query: a `*` stays in its section), or swallowed by a trailing `*` that
// starts in the path (§5.4: a trailing `*` in the path implies `\?*`). So each `?` token of the
// pattern is tried as the separator; patterns have few.
bool globPathAndQuery(std::string_view pat, std::string_view url) {
  const size_t sep = url.find('?');
  if (sep == std::string_view::npos) return glob(pat, url, false);
  const std::string_view path = url.substr(0, sep);
  const std::string_view query = url.substr(sep + 1);
  if (pat.ends_with('*') && glob(pat, path, false)) return true;
  for (size_t k = 0; k < pat.size(); ++k) {
    const bool escaped = pat[k] == '\\' && k + 1 < pat.size() && pat[k + 1] == '?';
    if (!escaped && pat[k] != '?') continue;
    const size_t len = escaped ? 2 : 1;
    if (glob(pat.substr(0, k), path, false) && glob(pat.substr(k + len), query, false)) return true;
    k += len - 1;
  }
  return false;
}

// §5.4 "AWS:EpochTime": an integer.
std::optional<int64_t> epochOf(const nlohmann::json& cond) {
  if (!cond.is_object() || cond.size() != 1) return std::nullopt;
  const auto it = cond.find("AWS:EpochTime");
  if (it == cond.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    const uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  return std::nullopt;
}

tl::expected<SignedPolicy, std::string> parseStatement(const nlohmann::json& st) {
  using tl::make_unexpected;
  if (!st.is_object()) return make_unexpected("Statement is not an object");
  SignedPolicy p;
  const nlohmann::json* condition = nullptr;
  for (const auto& [key, value] : st.items()) {
    if (key == "Resource") {
      if (!value.is_string()) return make_unexpected("Resource is not a string");
      p.resource = value.get<std::string>();
    } else if (key == "Condition") {
      condition = &value;
    } else {
      return make_unexpected("unknown Statement member " + key);
    }
  }
  if (condition == nullptr) return make_unexpected("no Condition");
  if (!condition->is_object()) return make_unexpected("Condition is not an object");
  bool has_dlt = false;
  for (const auto& [key, value] : condition->items()) {
    if (key == "DateLessThan") {
      const auto t = epochOf(value);
      if (!t) return make_unexpected("DateLessThan is not {\"AWS:EpochTime\": integer}");
      p.date_less_than = *t;
      has_dlt = true;
    } else if (key == "DateGreaterThan") {
      const auto t = epochOf(value);
      if (!t) return make_unexpected("DateGreaterThan is not {\"AWS:EpochTime\": integer}");
      p.date_greater_than = *t;
    } else if (key == "IpAddress") {
      const auto it =
          value.is_object() && value.size() == 1 ? value.find("AWS:SourceIp") : value.end();
      if (it == value.end() || !it->is_string()) {
        return make_unexpected("IpAddress is not {\"AWS:SourceIp\": string}");
      }
      p.source_ip = parseIpRange(it->get<std::string>());
      if (!p.source_ip) return make_unexpected("AWS:SourceIp is not an address or CIDR range");
    } else {
      return make_unexpected("unknown Condition " + key);
    }
  }
  if (!has_dlt) return make_unexpected("no DateLessThan");
  return p;
}

}  // namespace

std::string encodeCloudFrontBase64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    const uint32_t v = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : kPad;
    out += kPad;
  }
  return out;
}

std::optional<std::string> decodeCloudFrontBase64(std::string_view text) {
  size_t pad = 0;
  while (pad < text.size() && pad < 2 && text[text.size() - 1 - pad] == kPad) ++pad;
  const std::string_view body = text.substr(0, text.size() - pad);
  if (body.size() % 4 == 1) return std::nullopt;
  if (pad > 0 && text.size() % 4 != 0) return std::nullopt;  // padding must complete a quantum
  std::string out;
  out.reserve(body.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    const int8_t v = kDecode[static_cast<uint8_t>(c)];
    if (v < 0) return std::nullopt;
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-zero unused bits
  return out;
}

void appendJsonEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      switch (c) {
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        }
      }
    } else {
      out += c;
    }
  }
}

void cannedPolicyInto(std::string& out, std::string_view resource, std::string_view expires) {
  constexpr std::string_view kHead = R"({"Statement":[{"Resource":")";
  constexpr std::string_view kMiddle = R"(","Condition":{"DateLessThan":{"AWS:EpochTime":)";
  constexpr std::string_view kTail = "}}}]}";
  out.clear();
  out.reserve(kHead.size() + resource.size() + kMiddle.size() + expires.size() + kTail.size());
  out += kHead;
  appendJsonEscaped(out, resource);
  out += kMiddle;
  out += expires;
  out += kTail;
}

std::string cannedPolicy(std::string_view resource, std::string_view expires) {
  std::string out;
  cannedPolicyInto(out, resource, expires);
  return out;
}

tl::expected<SignedPolicy, std::string> parseCustomPolicy(std::string_view json) {
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return tl::make_unexpected("policy is not valid JSON");
  if (!doc.is_object()) return tl::make_unexpected("policy is not a JSON object");
  const auto st = doc.find("Statement");
  if (st == doc.end()) return tl::make_unexpected("no Statement");
  if (doc.size() != 1) return tl::make_unexpected("unknown top-level member");
  if (st->is_array()) {
    if (st->size() != 1) return tl::make_unexpected("Statement must hold exactly one statement");
    return parseStatement((*st)[0]);
  }
  return parseStatement(*st);
}

bool resourceMatches(std::string_view pattern, std::string_view url) {
  if (pattern == "*") return true;
  const size_t url_proto_end = url.find("://");
  if (url_proto_end == std::string_view::npos) return false;
  const std::string_view url_proto = url.substr(0, url_proto_end);
  const std::string_view url_after = url.substr(url_proto_end + 3);
  const size_t url_slash = url_after.find('/');
  const std::string_view url_domain = url_after.substr(0, url_slash);
  const std::string_view url_rest =
      url_slash == std::string_view::npos ? std::string_view() : url_after.substr(url_slash);

  std::string_view pat_proto = "*";
  std::string_view pat_after = pattern;
  const size_t proto_end = pattern.find("://");
  if (proto_end != std::string_view::npos && pattern.find('/') > proto_end) {
    pat_proto = pattern.substr(0, proto_end);
    pat_after = pattern.substr(proto_end + 3);
  } else if (!pattern.starts_with('*')) {
    return false;  // §5.4: http://, https:// or *:// (or a leading `*`, implying *://)
  }
  if (!glob(pat_proto, url_proto, true)) return false;

  const size_t pat_slash = pat_after.find('/');
  if (pat_slash == std::string_view::npos) {
    // Nothing after the domain: a trailing `*` implies /*\?*, otherwise the URL must end too.
    if (pat_after.ends_with('*')) return glob(pat_after, url_domain, true);
    return url_rest.empty() && glob(pat_after, url_domain, true);
  }
  return glob(pat_after.substr(0, pat_slash), url_domain, true) &&
         globPathAndQuery(pat_after.substr(pat_slash), url_rest);
}

std::string_view toString(PolicyViolation v) {
  switch (v) {
    case PolicyViolation::Expired: return "expired";
    case PolicyViolation::TooLateEpoch: return "expiry beyond the 32-bit epoch";
    case PolicyViolation::NotYetValid: return "not yet valid";
    case PolicyViolation::IpMismatch: return "client IP not allowed";
    case PolicyViolation::ResourceMismatch: return "resource does not match";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, PolicyViolation v) { return os << toString(v); }

std::optional<PolicyViolation> checkPolicyConditions(const SignedPolicy& policy,
                                                     std::string_view url,
                                                     std::string_view client_ip, int64_t now) {
  if (policy.date_less_than > kMaxSignedEpoch) return PolicyViolation::TooLateEpoch;
  if (!(now < policy.date_less_than)) return PolicyViolation::Expired;
  if (policy.date_greater_than && !(now > *policy.date_greater_than)) {
    return PolicyViolation::NotYetValid;
  }
  if (policy.source_ip) {
    const auto ip = parseIpAddress(client_ip);
    if (!ip || !policy.source_ip->contains(*ip)) return PolicyViolation::IpMismatch;
  }
  if (policy.resource) {
    const bool match =
        policy.exact_resource ? *policy.resource == url : resourceMatches(*policy.resource, url);
    if (!match) return PolicyViolation::ResourceMismatch;
  }
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, const SignedPolicy& p) {
  os << "{resource ";
  if (p.resource) {
    os << (p.exact_resource ? "=" : "~") << *p.resource;
  } else {
    os << "(any)";
  }
  os << ", before " << p.date_less_than;
  if (p.date_greater_than) os << ", after " << *p.date_greater_than;
  if (p.source_ip) os << ", from " << *p.source_ip;
  return os << "}";
}

std::string buildCustomPolicy(const PolicyConditions& c) {
  std::string out = R"({"Statement":[{"Resource":")";
  appendJsonEscaped(out, c.resource);
  out += R"(","Condition":{"DateLessThan":{"AWS:EpochTime":)";
  out += std::to_string(c.date_less_than);
  out += '}';
  if (c.ip_address) {
    std::string ip = *c.ip_address;
    if (ip.find('/') == std::string::npos) ip += ip.find(':') == std::string::npos ? "/32" : "/128";
    out += R"(,"IpAddress":{"AWS:SourceIp":")";
    appendJsonEscaped(out, ip);
    out += "\"}";
  }
  if (c.date_greater_than) {
    out += R"(,"DateGreaterThan":{"AWS:EpochTime":)";
    out += std::to_string(*c.date_greater_than);
    out += '}';
  }
  out += "}}]}";
  return out;
}

}  // namespace edge::policies
