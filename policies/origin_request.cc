// The origin request (§1.4, §1.6, §1.7, §2.3, §2.5, §2.8, §13). Two models:
//  * legacy ForwardedValues: the §13.1 table (most viewer headers forwarded, a few removed unless
//    whitelisted);
//  * cache policy (+ origin request policy): only headers named by the key or the ORP, plus the
//    protocol headers CloudFront manages (§13.1 "IMPORTANT model difference").
#include "policies/origin_request.h"

#include <algorithm>
#include <cstdlib>

#include "policies/ascii.h"
#include "policies/cloudfront_headers.h"
#include "policies/forwarding_rules.h"

namespace edge::policies {

namespace {

bool listedCi(const std::vector<std::string>& names, std::string_view n) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& x) { return iequals(x, n); });
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
  return istartsWith(name, "x-edge-") || istartsWith(name, "proxy-");
}

// §13.1 legacy table: forwarded unless one of the "removed" rows.
bool legacyDefault(const ForwardingRules& r, std::string_view name, const ViewerRequest& v) {
  for (std::string_view n : {"Accept", "Accept-Charset", "Accept-Language", "Referer",
                             "X-HTTP-Method-Override"}) {
    if (iequals(name, n)) return false;
  }
  if (iequals(name, "Authorization")) {
    if (v.method == Method::Get || v.method == Method::Head) return false;
    if (v.method == Method::Options) {
      const auto& cm = r.behavior->cached_methods;
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

// "Cookie: a=1; b=2" with the forwarded cookies sorted by name (stable for duplicates, §2.2).
std::optional<std::string> forwardedCookies(const ForwardingRules& r, const HeaderList& headers) {
  struct Crumb {
    std::string_view name;
    std::string_view text;
  };
  std::vector<Crumb> crumbs;
  forEachCookie(headers, [&](std::string_view name, std::string_view crumb) {
    if (cookieForwarded(r, name)) crumbs.push_back({name, crumb});
  });
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

// The forwarded query, byte-exact and in request order (§2.4); "" when nothing is forwarded.
std::string forwardedQuery(const ForwardingRules& r, std::string_view query) {
  std::string out;
  forEachQueryParam(query, [&](std::string_view param, std::string_view name) {
    if (param.empty() || !queryParamForwarded(r, name)) return;
    if (!out.empty()) out += '&';
    out += param;
  });
  return out;
}

std::optional<std::string> acceptEncodingFor(const ForwardingRules& r, const ViewerRequest& v) {
  if (v.http_major == 1 && v.http_minor == 0) return std::nullopt;  // §2.3
  if (r.cache && (r.cache->enable_accept_encoding_gzip || r.cache->enable_accept_encoding_brotli)) {
    return normalizeAcceptEncoding(v, r.cache->enable_accept_encoding_gzip,
                                   r.cache->enable_accept_encoding_brotli, r.compress);
  }
  if (headerForwardedByConfig(r, "Accept-Encoding")) return v.headers.getJoined("accept-encoding");
  if (r.legacy && r.behavior->compress) {
    return normalizeAcceptEncoding(v, true, false, r.compress);  // §2.8
  }
  return std::nullopt;
}

// Names of CloudFront-generated headers the key or ORP asks for (§13.3).
std::vector<std::string> generatedHeaderNames(const ForwardingRules& r) {
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
                                                   bool brotli, bool range_identity) {
  const std::string_view value = normalizedAcceptEncoding(viewer, gzip, brotli, range_identity);
  if (value.empty()) return std::nullopt;
  return std::string(value);
}

std::string_view normalizedAcceptEncoding(const ViewerRequest& viewer, bool gzip, bool brotli,
                                          bool range_identity) {
  if (!gzip && !brotli) return {};
  if (viewer.http_major == 1 && viewer.http_minor == 0) return {};
  // Each Accept-Encoding line is scanned in place (the same members as the ", "-joined value).
  // Only "gzip" and "br" matter, so a member is tested for those at its first byte and any
  // other member is skipped to the next comma without being tokenised.
  const auto isOws = [](char c) { return c == ' ' || c == '\t'; };
  bool present = false, has_gzip = false, has_br = false, has_range = false;
  for (const Header& h : viewer.headers) {
    if (!equalsLower(h.name, "accept-encoding")) {
      if (range_identity && equalsLower(h.name, "range")) has_range = true;
      continue;
    }
    present = true;
    const char* p = h.value.data();
    const char* const end = p + h.value.size();
    // The coding `lit` at p as a whole member coding: followed by OWS, then end, ',' or ';'.
    const auto codingAt = [&](std::string_view lit) -> const char* {
      if (static_cast<size_t>(end - p) < lit.size() ||
          !equalsLower(std::string_view(p, lit.size()), lit)) {
        return nullptr;
      }
      const char* q = p + lit.size();
      while (q != end && isOws(*q)) ++q;
      return q == end || *q == ',' || *q == ';' ? q : nullptr;
    };
    while (p != end) {
      if (*p == ',' || isOws(*p)) {
        ++p;
        continue;
      }
      bool* flag = nullptr;
      const char* after = nullptr;
      if ((after = codingAt("gzip")) != nullptr) {
        flag = &has_gzip;
      } else if ((after = codingAt("br")) != nullptr) {
        flag = &has_br;
      }
      if (flag == nullptr) {  // another coding (or junk): skip the member
        p = findEither(p, end, ',', ',');
        continue;
      }
      p = after;
      bool zero_q = false;
      if (p != end && *p == ';') {  // parameters (a q-value): rare, allocation is fine here
        const char* params = p + 1;
        p = findEither(p, end, ',', ',');
        const std::string lower =
            toLower(std::string_view(params, static_cast<size_t>(p - params)));
        const size_t q = lower.find("q=");
        if (q != std::string::npos) zero_q = std::strtod(lower.c_str() + q + 2, nullptr) <= 0.0;
      }
      if (!zero_q) *flag = true;
    }
  }
  if (!present) return {};
  if (has_range) return "identity";
  const bool use_gzip = gzip && has_gzip;
  const bool use_br = brotli && has_br;
  if (use_br && use_gzip) return "br,gzip";
  if (use_gzip) return "gzip";
  if (use_br) return "br";
  return "identity";
}

OriginRequestPlan planOriginRequest(const OriginRequestInputs& in) {
  const ViewerRequest& v = in.viewer;
  const ForwardingRules r = resolveForwardingRules(in.behavior, in.config);

  OriginRequestPlan plan;
  plan.method = v.method_name.empty() ? std::string(toString(v.method)) : v.method_name;
  plan.path_and_query = in.origin.origin_path + std::string(in.rewritten_path);
  const std::string query = forwardedQuery(r, v.query);
  if (!query.empty()) plan.path_and_query += "?" + query;

  HeaderList& out = plan.headers;
  out.reserve(v.headers.size() + in.origin.custom_headers.size() + 8);
  const std::string connection = v.headers.getJoined("connection").value_or("");
  const auto viewer_host = v.headers.get("host");
  const bool keep_host = !in.origin.is_s3 && viewer_host && headerForwardedByConfig(r, "Host");
  out.add("Host", keep_host ? std::string(*viewer_host) : in.origin.domain_name);

  for (const Header& h : v.headers) {
    if (isManaged(h.name) || neverForwarded(h.name, connection)) continue;
    const bool by_default = r.legacy ? legacyDefault(r, h.name, v) : policyDefault(h.name, v);
    if (by_default || headerForwardedByConfig(r, h.name)) out.add(h.name, h.value);
  }

  const auto ua = v.headers.get("user-agent");
  out.add("User-Agent", ua && headerForwardedByConfig(r, "User-Agent") ? std::string(*ua)
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
  const bool keep_via = viewer_via && (r.legacy || headerForwardedByConfig(r, "Via"));
  out.add("Via", keep_via ? *viewer_via + ", " + via : via);
  out.add("X-Amz-Cf-Id", std::string(in.request_id));
  out.add("Connection", "Keep-Alive");

  // §13.2: origin custom headers last, replacing same-named headers.
  for (const Header& h : in.origin.custom_headers) out.set(h.name, h.value);
  return plan;
}

}  // namespace edge::policies
