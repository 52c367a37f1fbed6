// explainRequest() runs the pipeline's pure decisions in the pipeline's order (request_fsm.cc:
// match behaviour, viewer checks, default root object, origin request; then the TTL decision the
// cache step will make) so that `edged explain` cannot drift from what a request really gets.
#include "policies/explain.h"

#include <sstream>

#include "policies/behavior_match.h"
#include "policies/forwarding_rules.h"
#include "policies/viewer_response.h"

namespace edge::policies {

namespace {

// The documentation address (RFC 5737 TEST-NET-1) stands in for the viewer's IP.
constexpr const char* kExplainClientIp = "192.0.2.1";
// X-Amz-Cf-Id is random per request; explain shows a placeholder instead.
constexpr const char* kRequestIdPlaceholder = "(generated per request)";

// RFC 9110 §5.6.2 tchar.
bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}

bool hasControlOrSpace(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

struct SplitUrl {
  std::string host;  // "" for a bare "/path"
  std::string target;
};

tl::expected<SplitUrl, std::string> splitUrl(std::string_view url) {
  if (const size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  SplitUrl out;
  if (url.starts_with('/')) {
    out.target = std::string(url);
    return out;
  }
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return tl::unexpected("URL must be http://HOST/PATH or /PATH: " + std::string(url));
  }
  const std::string scheme = toLower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    return tl::unexpected("URL scheme must be http or https: " + std::string(url));
  }
  std::string_view rest = url.substr(sep + 3);
  const size_t end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return tl::unexpected("URL needs a host (and no user info): " + std::string(url));
  }
  out.host = std::string(authority);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  out.target = rest.starts_with('/') ? std::string(rest) : "/" + std::string(rest);
  return out;
}

const Origin* resolveOrigin(const Config& config, const Behavior& behavior) {
  if (const Origin* o = config.findOrigin(behavior.target_origin_id)) return o;
  // An origin group: until failover lands its primary member serves (as request_fsm.cc does).
  for (const auto& g : config.distribution.origin_groups) {
    if (g.id == behavior.target_origin_id && !g.member_origin_ids.empty()) {
      return config.findOrigin(g.member_origin_ids.front());
    }
  }
  return nullptr;
}

std::string cachePolicyLabel(const Behavior& behavior, const Config& config) {
  if (behavior.forwarded_values) return "legacy ForwardedValues and behaviour TTLs";
  const CachePolicy* p = config.findCachePolicy(behavior.cache_policy_id);
  if (p == nullptr) return "unknown cache policy " + behavior.cache_policy_id;
  return "cache policy " + p->name + " (" + p->id + ")";
}

bool cachesOptions(const Behavior& behavior) {
  for (Method m : behavior.cached_methods) {
    if (m == Method::Options) return true;
  }
  return false;
}

void printKeyList(std::ostream& os, std::string_view label, const std::vector<std::string>& items) {
  if (items.empty()) {
    os << "  " << label << "(none)\n";
    return;
  }
  for (const auto& item : items) os << "  " << label << item << '\n';
}

void formatCacheKey(std::ostream& os, const Explanation& e) {
  const CacheKeyParts& k = e.key_parts;
  os << "cache key: " << e.cache_policy << '\n';
  os << "  domain           " << k.domain << '\n';
  os << "  path             " << k.path << '\n';
  os << "  method           " << (k.method.empty() ? "(GET and HEAD share one object)" : k.method)
     << '\n';
  os << "  accept-encoding  " << (k.accept_encoding.empty() ? "(not keyed)" : k.accept_encoding)
     << '\n';
  if (k.headers.empty()) os << "  header           (none)\n";
  for (const KeyedHeader& h : k.headers) os << "  header           " << h << '\n';
  printKeyList(os, "cookie           ", k.cookies);
  printKeyList(os, "query            ", k.query);
  os << "  path+query       " << k.pathAndQuery() << "  (what invalidation paths match)\n";
  os << "  hash             " << toHex(e.key.hash) << '\n';
  if (k.no_cache) {
    os << "  the behaviour caches nothing: " << describeNoCacheReason(*k.no_cache) << '\n';
  }
}

}  // namespace

std::optional<Header> parseHeaderArg(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view name = text.substr(0, colon);
  if (!isToken(name)) return std::nullopt;
  return Header{std::string(name), std::string(trimOws(text.substr(colon + 1)))};
}

tl::expected<ExplainRequest, std::string> buildExplainRequest(const ExplainArgs& args,
                                                              std::string_view default_host,
                                                              int64_t now) {
  ExplainRequest out;
  out.now = now;
  ViewerRequest& v = out.viewer;
  if (!isToken(args.method)) return tl::unexpected("bad method: '" + args.method + "'");
  v.method_name = args.method;
  for (char& c : v.method_name) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  v.method = parseMethod(v.method_name);

  auto split = splitUrl(args.url);
  if (!split) return tl::unexpected(split.error());
  if (hasControlOrSpace(split->target)) {
    return tl::unexpected("URL has spaces or control characters (percent-encode them): " +
                          args.url);
  }
  const size_t q = split->target.find('?');
  v.path = split->target.substr(0, q);
  if (q != std::string::npos) {
    v.has_query = true;
    v.query = split->target.substr(q + 1);
  }

  for (const auto& line : args.headers) {
    auto h = parseHeaderArg(line);
    if (!h) return tl::unexpected("bad header (want 'Name: value'): '" + line + "'");
    v.headers.add(std::move(h->name), std::move(h->value));
  }
  if (!v.headers.has("host")) {
    v.headers.add("Host", split->host.empty() ? std::string(default_host) : split->host);
  }
  v.client_ip = kExplainClientIp;

  if (args.origin_status < 100 || args.origin_status > 599) {
    return tl::unexpected("origin status must be 100..599, not " +
                          std::to_string(args.origin_status));
  }
  out.origin_status = args.origin_status;
  for (const auto& line : args.origin_headers) {
    auto h = parseHeaderArg(line);
    if (!h) return tl::unexpected("bad origin header (want 'Name: value'): '" + line + "'");
    out.origin_headers.add(std::move(h->name), std::move(h->value));
  }
  return out;
}

Explanation explainRequest(const Config& config, const ExplainRequest& request) {
  const ViewerRequest& viewer = request.viewer;
  const Distribution& dist = config.distribution;
  Explanation e;

  // §1.2
  const Behavior& behavior = matchBehavior(dist, viewer.path);
  if (!behavior.is_default && !dist.behaviors.empty() && &behavior >= dist.behaviors.data() &&
      &behavior < dist.behaviors.data() + dist.behaviors.size()) {
    e.behavior_index = static_cast<size_t>(&behavior - dist.behaviors.data());
  }
  e.path_pattern = behavior.path_pattern;
  e.target_origin_id = behavior.target_origin_id;
  e.method_allowed = behavior.allows(viewer.method);

  // §1.6, §2
  e.rewritten_path = applyDefaultRootObject(viewer.path, dist.default_root_object);
  e.cache_policy = cachePolicyLabel(behavior, config);
  e.key_parts =
      makeCacheKeyParts({viewer, behavior, config, config.edge.domain_name, e.rewritten_path});
  e.key = serializeCacheKey(e.key_parts);

  // §13
  if (const Origin* origin = resolveOrigin(config, behavior)) {
    e.origin_request = planOriginRequest({viewer, behavior, *origin, config, e.rewritten_path,
                                          kRequestIdPlaceholder, viaHostFor(config.edge.pop_name)});
    const bool https = origin->protocol_policy == OriginProtocolPolicy::HttpsOnly;
    const uint16_t port = https ? origin->https_port : origin->http_port;
    e.origin_url = std::string(https ? "https://" : "http://") + origin->domain_name + ":" +
                   std::to_string(port) + e.origin_request->path_and_query;
    if (auto it = config.edge.origin_address_overrides.find(origin->domain_name);
        it != config.edge.origin_address_overrides.end()) {
      e.connect_to = it->second.toString();
    }
  }

  // §3
  e.ttl_settings = ttlSettingsFor(behavior, config);
  e.origin_status = request.origin_status;
  e.origin_headers = request.origin_headers;
  if (e.key_parts.no_cache) {
    e.ttl = Uncacheable{*e.key_parts.no_cache};
  } else {
    const TtlInputs in{
        .method = viewer.method,
        .options_cached = cachesOptions(behavior),
        .status = request.origin_status,
        .headers = request.origin_headers,
        .ttl = e.ttl_settings,
        .error_responses = dist.custom_error_responses,
        .forwards_cookies = forwardsCookies(resolveForwardingRules(behavior, config)),
        .now = request.now,
    };
    e.ttl = decideTtl(in);
  }
  // §4
  const CacheKeyPolicy key_policy = resolveCacheKeyPolicy(behavior, config);
  e.edge_compression = key_policy.compress;
  if (key_policy.compress) {
    e.offered = offeredCoding(e.key_parts.accept_encoding, key_policy.gzip, key_policy.brotli);
  }
  e.compression = decideCompression(e.offered, e.origin_status, e.origin_headers);
  return e;
}

std::string_view describeNoCacheReason(NoCacheReason reason) {
  switch (reason) {
    case NoCacheReason::MethodNotCached:
      return "the method is not cached (only GET, HEAD and, when CachedMethods lists it, OPTIONS)";
    case NoCacheReason::AllHeadersForwarded:
      return "legacy ForwardedValues forwards all headers (\"*\"): nothing is cached";
    case NoCacheReason::UnknownCachePolicy:
      return "the behaviour's CachePolicyId is unknown";
    case NoCacheReason::CachingDisabled:
      return "MaxTTL is 0 (caching disabled)";
    case NoCacheReason::OriginNoStore:
      return "Cache-Control: no-store with MinTTL 0";
    case NoCacheReason::OriginNoCache:
      return "Cache-Control: no-cache with MinTTL 0";
    case NoCacheReason::OriginPrivate:
      return "Cache-Control: private with MinTTL 0";
    case NoCacheReason::StatusNotCacheable:
      return "CloudFront never caches this status code";
    case NoCacheReason::ErrorWithoutMaxAge:
      return "this error status is cached only with Cache-Control max-age or s-maxage";
    case NoCacheReason::ErrorTtlZero:
      return "ErrorCachingMinTTL is 0 for this status";
  }
  return "unknown reason";
}

std::string describeTtlDecision(const TtlDecision& decision) {
  std::ostringstream os;
  if (const auto* u = std::get_if<Uncacheable>(&decision)) {
    os << "not cached: " << toString(u->reason) << " (" << describeNoCacheReason(u->reason) << ')';
    if (u->set_cookie != SetCookieHandling::Absent)
      os << "; Set-Cookie " << toString(u->set_cookie);
    return os.str();
  }
  const auto& c = std::get<Cacheable>(decision);
  if (c.ttl_seconds == 0) {
    os << "stored with TTL 0, revalidated on every request: ";
  } else {
    os << "cached for " << c.ttl_seconds << " s: ";
  }
  os << c.explanation();
  if (c.stale_while_revalidate > 0) {
    os << "; stale-while-revalidate " << c.stale_while_revalidate << " s";
  }
  if (c.stale_if_error) {
    if (*c.stale_if_error == 0) {
      os << "; stale-if-error disabled";
    } else {
      os << "; stale-if-error " << *c.stale_if_error << " s";
    }
  }
  if (c.set_cookie != SetCookieHandling::Absent) os << "; Set-Cookie " << toString(c.set_cookie);
  return os.str();
}

std::string formatExplanation(const Explanation& e, const ViewerRequest& viewer) {
  std::ostringstream os;
  os << "request: " << viewer.method_name << ' ' << requestTarget(viewer) << '\n';
  for (const Header& h : viewer.headers) os << "  " << h << '\n';

  os << "behaviour: ";
  if (e.behavior_index) {
    os << "CacheBehaviors.Items[" << *e.behavior_index << "] PathPattern \"" << e.path_pattern
       << '"';
  } else {
    os << "DefaultCacheBehavior (PathPattern \"" << e.path_pattern << "\")";
  }
  os << " -> origin " << e.target_origin_id << '\n';
  if (!e.method_allowed) {
    os << "  " << viewer.method_name
       << " is not in the behaviour's AllowedMethods: CloudFront answers 403; nothing is looked "
          "up or forwarded\n";
    return os.str();
  }
  if (e.rewritten_path != viewer.path) {
    os << "  DefaultRootObject: " << viewer.path << " -> " << e.rewritten_path << '\n';
  }

  formatCacheKey(os, e);

  if (e.origin_request) {
    os << "origin request: " << e.origin_request->method << ' ' << e.origin_url;
    if (!e.connect_to.empty()) os << " (connects to " << e.connect_to << ')';
    os << '\n';
    for (const Header& h : e.origin_request->headers) os << "  " << h << '\n';
  } else {
    os << "origin request: none (TargetOriginId " << e.target_origin_id << " names no origin)\n";
  }

  os << "origin response (assumed): " << e.origin_status << '\n';
  for (const Header& h : e.origin_headers) os << "  " << h << '\n';
  os << "ttl: MinTTL " << e.ttl_settings.min_ttl << ", DefaultTTL " << e.ttl_settings.default_ttl
     << ", MaxTTL " << e.ttl_settings.max_ttl << '\n';
  os << "  " << describeTtlDecision(e.ttl) << '\n';
  os << "compression: ";
  if (!e.edge_compression) {
    os << "off for this behaviour (needs Compress, gzip/brotli in the cache policy, TTLs not all "
          "zero, Accept-Encoding not listed)\n";
  } else if (e.offered == ContentCoding::Identity) {
    os << "none for this key (the viewer accepts no enabled coding, or sent Range)\n";
  } else {
    os << e.offered << " variant; " << e.compression << '\n';
  }
  return os.str();
}

}  // namespace edge::policies
