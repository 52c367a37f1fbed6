// describeConfig(): the listing printed by `edged check-config`.
#include <sstream>

#include "policies/config_load.h"

namespace edge::policies {

namespace {

std::string_view toString(OriginProtocolPolicy p) {
  switch (p) {
    case OriginProtocolPolicy::HttpOnly: return "http-only";
    case OriginProtocolPolicy::HttpsOnly: return "https-only";
    case OriginProtocolPolicy::MatchViewer: return "match-viewer";
  }
  return "?";
}

std::string_view toString(ViewerProtocolPolicy p) {
  switch (p) {
    case ViewerProtocolPolicy::AllowAll: return "allow-all";
    case ViewerProtocolPolicy::RedirectToHttps: return "redirect-to-https";
    case ViewerProtocolPolicy::HttpsOnly: return "https-only";
  }
  return "?";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string methods(const std::vector<Method>& ms) {
  std::string out;
  for (Method m : ms) {
    if (!out.empty()) out += ',';
    out += toString(m);
  }
  return out;
}

void describeOrigin(std::ostream& os, const Config& c, const Origin& o) {
  os << "  " << o.id << "  " << o.domain_name;
  const auto it = c.edge.origin_address_overrides.find(o.domain_name);
  if (it != c.edge.origin_address_overrides.end()) os << " -> " << it->second.toString();
  os << "  path=\"" << o.origin_path << "\"";
  if (o.is_s3) {
    os << "  s3";
  } else {
    os << "  " << toString(o.protocol_policy) << " http:" << o.http_port << " https:" << o.https_port;
  }
  os << "  attempts=" << o.connection_attempts << " connect=" << o.connection_timeout_s
     << "s read=" << o.read_timeout_s << "s keepalive=" << o.keepalive_timeout_s << "s";
  if (o.response_completion_timeout_s) os << " completion=" << *o.response_completion_timeout_s << "s";
  if (!o.custom_headers.empty()) os << "  custom-headers=" << o.custom_headers.size();
  if (const auto oac = c.origin_access_controls.find(o.origin_access_control_id);
      oac != c.origin_access_controls.end()) {
    os << "  origin-access-control=" << oac->first << " (sigv4 " << toString(oac->second.signing_behavior)
       << ", " << oac->second.origin_type << ")";
  }
  os << '\n';
}

std::string legacyCache(const Behavior& b) {
  const ForwardedValues& fv = *b.forwarded_values;
  std::ostringstream os;
  os << "legacy ForwardedValues (query=" << (fv.query_string ? "all" : "none");
  if (!fv.query_string_cache_keys.empty()) os << " key=[" << join(fv.query_string_cache_keys, ",") << "]";
  os << " cookies=";
  switch (fv.cookie_forward) {
    case ForwardedValues::CookieForward::None: os << "none"; break;
    case ForwardedValues::CookieForward::All: os << "all"; break;
    case ForwardedValues::CookieForward::Whitelist:
      os << "whitelist[" << join(fv.cookie_names, ",") << "]";
      break;
  }
  os << " headers=[" << join(fv.headers, ",") << "]) TTL min/default/max=" << b.min_ttl << "/"
     << b.default_ttl << "/" << b.max_ttl;
  return os.str();
}

void describeBehavior(std::ostream& os, const Config& c, size_t n, const Behavior& b) {
  os << "  " << n << ". " << b.path_pattern << (b.is_default ? "  (default)" : "") << "\n"
     << "     origin: " << b.target_origin_id << "\n"
     << "     methods: " << methods(b.allowed_methods) << " (cached " << methods(b.cached_methods)
     << ")\n";
  if (const CachePolicy* p = c.findCachePolicy(b.cache_policy_id)) {
    os << "     cache policy: " << p->name << " (" << p->id << ") TTL min/default/max=" << p->min_ttl
       << "/" << p->default_ttl << "/" << p->max_ttl << "\n";
  } else if (b.forwarded_values) {
    os << "     cache: " << legacyCache(b) << "\n";
  }
  if (const OriginRequestPolicy* p = c.findOriginRequestPolicy(b.origin_request_policy_id)) {
    os << "     origin request policy: " << p->name << " (" << p->id << ")\n";
  }
  if (!b.response_headers_policy_id.empty()) {
    const auto it = c.response_headers_policies.find(b.response_headers_policy_id);
    os << "     response headers policy: "
       << (it == c.response_headers_policies.end() ? std::string("?") : it->second.name) << " ("
       << b.response_headers_policy_id << ")\n";
  }
  os << "     viewer protocol policy: " << toString(b.viewer_protocol_policy)
     << (b.compress ? "  compress" : "");
  if (b.trusted_key_groups_enabled) os << "  signed (key groups " << join(b.trusted_key_groups, ",") << ")";
  if (b.trusted_signers_enabled) os << "  signed (trusted signers)";
  for (const FunctionAssociation& f : b.functions) os << "  " << f.event_type << "=" << f.arn;
  os << "\n";
}

}  // namespace

std::string describeConfig(const Config& c) {
  std::ostringstream os;
  const Distribution& d = c.distribution;
  const EdgeSettings& e = c.edge;
  os << "Distribution " << e.domain_name << " (" << (d.enabled ? "enabled" : "DISABLED")
     << ", POP " << e.pop_name << ") from " << c.source_path << "\n";
  if (!d.aliases.empty()) os << "  aliases: " << join(d.aliases, ", ") << "\n";
  if (!d.default_root_object.empty()) os << "  default root object: " << d.default_root_object << "\n";
  os << "  listen:";
  for (const ListenAddress& a : e.listen) os << " " << a.toString();
  if (e.admin_listen) os << "  admin: " << e.admin_listen->toString();
  os << "\n";
  os << "Origins (" << d.origins.size() << "):\n";
  for (const Origin& o : d.origins) describeOrigin(os, c, o);
  for (const OriginGroup& g : d.origin_groups) {
    os << "  group " << g.id << ": " << join(g.member_origin_ids, " then ") << " on";
    for (int code : g.failover_status_codes) os << " " << code;
    os << "\n";
  }
  os << "Behaviors in evaluation order (first match wins, default last):\n";
  size_t n = 1;
  for (const Behavior& b : d.behaviors) describeBehavior(os, c, n++, b);
  describeBehavior(os, c, n, d.default_behavior);
  if (!d.custom_error_responses.empty()) {
    os << "Custom error responses:\n";
    for (const CustomErrorResponse& r : d.custom_error_responses) {
      os << "  " << r.error_code;
      if (r.response_code) os << " -> " << *r.response_code << " " << r.response_page_path;
      if (r.error_caching_min_ttl) os << "  cache " << *r.error_caching_min_ttl << "s";
      os << "\n";
    }
  }
  os << "Warnings: " << c.warnings.size() << "\n";
  for (const std::string& w : c.warnings) os << "  " << w << "\n";
  return os.str();
}

}  // namespace edge::policies
