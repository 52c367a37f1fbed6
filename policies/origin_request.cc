// The origin request (§1.4, §1.6, §1.7, §2.3, §2.5, §2.8, §13). Two models:
//  * legacy ForwardedValues: the §13.1 table (most viewer headers forwarded, a few removed unless
//    whitelisted);
//  * cache policy (+ origin request policy): only headers named by the key or the ORP, plus the
//    protocol headers CloudFront manages (§13.1 "IMPORTANT model difference").
#include "policies/origin_request.h"

#include <algorithm>
#include <cstdlib>

#include "policies/behavior_match.h"
#include "policies/cloudfront_headers.h"

namespace edge::policies {

namespace {

// What the behaviour forwards, resolved once.
struct Rules {
  const Behavior& behavior;
  const ForwardedValues* legacy = nullptr;  // non-null: legacy model
  const CachePolicy* cache = nullptr;
  const OriginRequestPolicy* orp = nullptr;
  bool signing = false;  // TrustedKeyGroups / TrustedSigners enabled (§5.9, §5.10)
};

bool listedCi(const std::vector<std::string>& names, std::string_view n) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& x) { return iequals(x, n); });
}

bool listedExact(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

// Does a policy NameList select `name`? Header names compare case-insensitively, cookie and
// query-string names byte-exactly (§2.2, §2.4).
bool selects(const NameList& list, std::string_view name, bool case_insensitive) {
  const bool listed = case_insensitive ? listedCi(list.names, name) : listedExact(list.names, name);
  switch (list.behavior) {
    case ListBehavior::None: return false;
    case ListBehavior::Whitelist: return listed;
    case ListBehavior::AllExcept: return !listed;
    case ListBehavior::All:
    case ListBehavior::AllViewer:
    case ListBehavior::AllViewerAndWhitelistCloudFront: return true;
  }
  return false;
}

// A viewer header the configuration forwards by name (legacy whitelist / "*", key, or ORP).
bool explicitlyForwarded(const Rules& r, std::string_view name) {
  if (r.legacy) return listedCi(r.legacy->headers, "*") || listedCi(r.legacy->headers, name);
  if (r.cache && r.cache->headers.behavior == ListBehavior::Whitelist &&
      listedCi(r.cache->headers.names, name)) {
    return true;
  }
  return r.orp && selects(r.orp->headers, name, true);
}

// Headers built by planOriginRequest itself rather than copied in the viewer loop.
bool isManaged(std::string_view name) {
  for (std::string_view m : {"Host", "User-Agent", "Cookie", "Accept-Encoding", "X-Forwarded-For",
                             "Via", "Connection", "X-Amz-Cf-Id"}) {
    if (iequals(name, m)) return true;
  }
  return false;
}

// Never sent whatever the configuration: framing (the fetcher frames the body), Expect, hop-by-hop,
// CloudFront-internal and CloudFront-generated names, and the §13.1 "removed" proxy headers.
bool neverForwarded(std::string_view name, std::string_view connection) {
  if (isHopByHop(name, connection) || isCloudFrontGeneratedHeader(name)) return true;
  for (std::string_view n : {"Content-Length", "Expect", "X-Real-IP", "X-Forwarded-Proto"}) {
    if (iequals(name, n)) return true;
  }
  const std::string lower = toLower(name);
  return lower.starts_with("x-edge-") || lower.starts_with("proxy-");
}

// §13.1 legacy table: forwarded unless one of the "removed" rows.
bool legacyDefault(const Rules& r, std::string_view name, const ViewerRequest& v) {
  for (std::string_view n : {"Accept", "Accept-Charset", "Accept-Language", "Referer",
                             "X-HTTP-Method-Override"}) {
    if (iequals(name, n)) return false;
  }
  if (iequals(name, "Authorization")) {
    if (v.method == Method::Get || v.method == Method::Head) return false;
    if (v.method == Method::Options) {
      const auto& cm = r.behavior.cached_methods;
      return std::find(cm.begin(), cm.end(), Method::Options) == cm.end();
    }
    return true;
  }
  return true;
}

// Policy model: protocol headers CloudFront manages even when nothing lists them.
bool policyDefault(std::string_view name, const ViewerRequest& v) {
  for (std::string_view n : {"Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since",
                             "If-Unmodified-Since"}) {
    if (iequals(name, n)) return true;
  }
  return v.has_body && (iequals(name, "Content-Type") || iequals(name, "Content-Encoding"));
}

bool isSigningCookie(std::string_view name) {
  for (std::string_view n : {"CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id",
                             "CloudFront-Expires", "CloudFront-Hash-Algorithm"}) {
    if (name == n) return true;
  }
  return false;
}

bool isSigningParam(std::string_view name) {
  for (std::string_view n : {"Expires", "Key-Pair-Id", "Policy", "Signature", "Hash-Algorithm"}) {
    if (name == n) return true;
  }
  return false;
}

bool cookieSelected(const Rules& r, std::string_view name) {
  if (r.signing && isSigningCookie(name)) return false;
  if (r.legacy) {
    switch (r.legacy->cookie_forward) {
      case ForwardedValues::CookieForward::None: return false;
      case ForwardedValues::CookieForward::All: return true;
      case ForwardedValues::CookieForward::Whitelist:
        // Whitelisted names may use * and ? (§2.8); cookie names never start with '/', so the
        // path-pattern glob is the same match.
        return std::any_of(r.legacy->cookie_names.begin(), r.legacy->cookie_names.end(),
                           [&](const std::string& p) { return matchPathPattern(p, name); });
    }
    return false;
  }
  return (r.cache && selects(r.cache->cookies, name, false)) ||
         (r.orp && selects(r.orp->cookies, name, false));
}

// "Cookie: a=1; b=2" with the forwarded cookies sorted by name (stable for duplicates, §2.2).
std::optional<std::string> forwardedCookies(const Rules& r, const HeaderList& headers) {
  struct Crumb {
    std::string_view name;
    std::string_view text;
  };
  std::vector<Crumb> crumbs;
  for (const Header& h : headers) {
    if (!iequals(h.name, "cookie")) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      const std::string_view part = trimOws(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      if (part.empty()) continue;
      const std::string_view name = trimOws(part.substr(0, part.find('=')));
      if (cookieSelected(r, name)) crumbs.push_back({name, part});
    }
  }
  if (crumbs.empty()) return std::nullopt;
  std::stable_sort(crumbs.begin(), crumbs.end(),
                   [](const Crumb& a, const Crumb& b) { return a.name < b.name; });
  std::string out;
  for (const Crumb& c : crumbs) {
    if (!out.empty()) out += "; ";
    out += c.text;
  }
  return out;
}

bool queryParamSelected(const Rules& r, std::string_view name) {
  if (r.signing && isSigningParam(name)) return false;
  if (r.legacy) return r.legacy->query_string;
  return (r.cache && selects(r.cache->query_strings, name, false)) ||
         (r.orp && selects(r.orp->query_strings, name, false));
}

// The forwarded query, byte-exact and in request order (§2.4); "" when nothing is forwarded.
std::string forwardedQuery(const Rules& r, std::string_view query) {
  std::string out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (param.empty() || !queryParamSelected(r, param.substr(0, param.find('=')))) continue;
    if (!out.empty()) out += '&';
    out += param;
  }
  return out;
}

std::optional<std::string> acceptEncodingFor(const Rules& r, const ViewerRequest& v) {
  if (v.http_major == 1 && v.http_minor == 0) return std::nullopt;  // §2.3
  if (r.cache && (r.cache->enable_accept_encoding_gzip || r.cache->enable_accept_encoding_brotli)) {
    return normalizeAcceptEncoding(v, r.cache->enable_accept_encoding_gzip,
                                   r.cache->enable_accept_encoding_brotli);
  }
  if (explicitlyForwarded(r, "Accept-Encoding")) return v.headers.getJoined("accept-encoding");
  if (r.legacy && r.behavior.compress) return normalizeAcceptEncoding(v, true, false);  // §2.8
  return std::nullopt;
}

// Names of CloudFront-generated headers the key or ORP asks for (§13.3).
std::vector<std::string> generatedHeaderNames(const Rules& r) {
  std::vector<std::string> out;
  auto take = [&](const NameList& l) {
    if (l.behavior != ListBehavior::Whitelist &&
        l.behavior != ListBehavior::AllViewerAndWhitelistCloudFront) {
      return;
    }
    for (const std::string& n : l.names) {
      if (isCloudFrontGeneratedHeader(n) && !listedCi(out, n)) out.push_back(n);
    }
  };
  if (r.cache) take(r.cache->headers);
  if (r.orp) take(r.orp->headers);
  if (r.legacy) {
    for (const std::string& n : r.legacy->headers) {
      if (isCloudFrontGeneratedHeader(n) && !listedCi(out, n)) out.push_back(n);
    }
  }
  return out;
}

std::string httpVersion(const ViewerRequest& v) {
  return std::to_string(v.http_major) + "." + std::to_string(v.http_minor);
}

}  // namespace

std::string applyDefaultRootObject(std::string_view path, std::string_view default_root_object) {
  if (path == "/" && !default_root_object.empty()) return "/" + std::string(default_root_object);
  return std::string(path);
}

bool isHopByHop(std::string_view name, std::string_view connection_header_value) {
  for (std::string_view n : {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                             "Transfer-Encoding", "Upgrade", "Proxy-Authenticate",
                             "Proxy-Authorization"}) {
    if (iequals(name, n)) return true;
  }
  std::string_view rest = connection_header_value;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    if (iequals(trimOws(rest.substr(0, comma)), name)) return true;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

std::optional<std::string> normalizeAcceptEncoding(const ViewerRequest& viewer, bool gzip,
                                                   bool brotli) {
  if (!gzip && !brotli) return std::nullopt;
  if (viewer.http_major == 1 && viewer.http_minor == 0) return std::nullopt;
  const auto value = viewer.headers.getJoined("accept-encoding");
  if (!value) return std::nullopt;
  bool has_gzip = false, has_br = false;
  std::string_view rest = *value;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view member = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t semi = member.find(';');
    const std::string_view coding = trimOws(member.substr(0, semi));
    bool zero_q = false;
    if (semi != std::string_view::npos) {
      const std::string params = toLower(member.substr(semi + 1));
      const size_t q = params.find("q=");
      if (q != std::string::npos) zero_q = std::strtod(params.c_str() + q + 2, nullptr) <= 0.0;
    }
    if (zero_q) continue;
    if (iequals(coding, "gzip")) has_gzip = true;
    if (iequals(coding, "br")) has_br = true;
  }
  const bool use_gzip = gzip && has_gzip;
  const bool use_br = brotli && has_br;
  if (use_br && use_gzip) return "br,gzip";
  if (use_gzip) return "gzip";
  if (use_br) return "br";
  return "identity";
}

OriginRequestPlan planOriginRequest(const OriginRequestInputs& in) {
  const ViewerRequest& v = in.viewer;
  Rules r{in.behavior};
  if (in.behavior.forwarded_values) {
    r.legacy = &*in.behavior.forwarded_values;
  } else {
    r.cache = in.config.findCachePolicy(in.behavior.cache_policy_id);
    r.orp = in.config.findOriginRequestPolicy(in.behavior.origin_request_policy_id);
  }
  r.signing = in.behavior.trusted_key_groups_enabled || in.behavior.trusted_signers_enabled;

  OriginRequestPlan plan;
  plan.method = v.method_name.empty() ? std::string(toString(v.method)) : v.method_name;
  plan.path_and_query = in.origin.origin_path + std::string(in.rewritten_path);
  const std::string query = forwardedQuery(r, v.query);
  if (!query.empty()) plan.path_and_query += "?" + query;

  HeaderList& out = plan.headers;
  const std::string connection = v.headers.getJoined("connection").value_or("");
  const auto viewer_host = v.headers.get("host");
  const bool keep_host = !in.origin.is_s3 && viewer_host && explicitlyForwarded(r, "Host");
  out.add("Host", keep_host ? std::string(*viewer_host) : in.origin.domain_name);

  for (const Header& h : v.headers) {
    if (isManaged(h.name) || neverForwarded(h.name, connection)) continue;
    const bool by_default = r.legacy ? legacyDefault(r, h.name, v) : policyDefault(h.name, v);
    if (by_default || explicitlyForwarded(r, h.name)) out.add(h.name, h.value);
  }

  const auto ua = v.headers.get("user-agent");
  out.add("User-Agent", ua && explicitlyForwarded(r, "User-Agent") ? std::string(*ua)
                                                                     : "Amazon CloudFront");
  if (auto ae = acceptEncodingFor(r, v)) out.add("Accept-Encoding", std::move(*ae));
  if (auto cookies = forwardedCookies(r, v.headers)) out.add("Cookie", std::move(*cookies));
  for (const std::string& name : generatedHeaderNames(r)) {
    if (auto value = cloudFrontGeneratedHeader(name, v)) out.add(name, std::move(*value));
  }

  // §13.1: the viewer's X-Forwarded-For is trusted as-is; the TCP peer is appended (no space).
  std::string xff;
  for (const Header& h : v.headers) {
    if (!iequals(h.name, "x-forwarded-for")) continue;
    const std::string_view value = trimOws(h.value);
    if (value.empty()) continue;
    if (!xff.empty()) xff += ',';
    xff += value;
  }
  if (!v.client_ip.empty()) xff += (xff.empty() ? "" : ",") + v.client_ip;
  if (!xff.empty()) out.add("X-Forwarded-For", std::move(xff));

  // RFC 9110 §7.6.3: a forwarded Via is kept and ours appended.
  std::string via = httpVersion(v) + " " + std::string(in.via_host) + " (CloudFront)";
  const auto viewer_via = v.headers.getJoined("via");
  const bool keep_via = viewer_via && (r.legacy || explicitlyForwarded(r, "Via"));
  out.add("Via", keep_via ? *viewer_via + ", " + via : via);
  out.add("X-Amz-Cf-Id", std::string(in.request_id));
  out.add("Connection", "Keep-Alive");

  // §13.2: origin custom headers last, replacing same-named headers.
  for (const Header& h : in.origin.custom_headers) out.set(h.name, h.value);
  return plan;
}

}  // namespace edge::policies
