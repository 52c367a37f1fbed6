// `edged explain`: what the edge would do with one viewer request, computed by the same pure
// decisions the pipeline uses, without a server: the matched behaviour (§1.2), each cache key
// component (§2), the origin request (§13) and, for an assumed origin response, the TTL and the
// rule that produced it (§3). Pure: no I/O, no clock (the caller passes `now`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "policies/cache_key.h"
#include "policies/compression.h"
#include "policies/config.h"
#include "policies/origin_request.h"
#include "policies/ttl.h"
#include "policies/viewer_request.h"

namespace edge::policies {

// The command-line form of the question, before parsing (`edged explain` flags).
struct ExplainArgs {
  std::string method = "GET";               // -X
  std::vector<std::string> headers;         // -H 'Name: value', in order
  std::vector<std::string> origin_headers;  // --origin-header 'Name: value'
  int origin_status = 200;                  // --origin-status
  std::string url;                          // "http://host[:port]/path?query" or "/path?query"
};

// The parsed question.
struct ExplainRequest {
  ViewerRequest viewer;  // client_ip is the documentation address 192.0.2.1 (RFC 5737)
  int origin_status = 200;
  HeaderList origin_headers;  // the origin response assumed for the TTL decision
  int64_t now = 0;            // epoch seconds: "received" time of that response (Expires)
};

// "Name: value" → Header (value trimmed of SP/HTAB); nullopt without a ':' or with an empty or
// non-token name.
std::optional<Header> parseHeaderArg(std::string_view text);

// Builds the viewer request: the method (upper-cased), path and raw query of `url`, the headers
// in order, and a Host header — the URL's host when it has one and no -H Host was given, else
// `default_host` (the distribution domain). Errors name the bad argument.
tl::expected<ExplainRequest, std::string> buildExplainRequest(const ExplainArgs& args,
                                                              std::string_view default_host,
                                                              int64_t now);

struct Explanation {
  // §1.2: index into DistributionConfig.CacheBehaviors.Items; nullopt for the default behaviour.
  std::optional<size_t> behavior_index;
  std::string path_pattern;
  std::string target_origin_id;
  // §1.3: false when the method is not in AllowedMethods: CloudFront answers 403 and nothing
  // below applies (the fields are still filled in for the curious).
  bool method_allowed = true;
  std::string rewritten_path;  // after DefaultRootObject (§1.6)
  std::string cache_policy;    // "cache policy <Name> (<Id>)" or "legacy ForwardedValues"
  CacheKeyParts key_parts;
  CacheKey key;
  // §13. nullopt when the behaviour's target resolves to no origin (the loader rejects that).
  std::optional<OriginRequestPlan> origin_request;
  std::string origin_url;  // scheme://DomainName:port + path_and_query, as the fetcher uses it
  std::string connect_to;  // "host:port" from Edge.OriginAddressOverrides, "" when none
  // §3.
  TtlSettings ttl_settings;
  int origin_status = 200;
  HeaderList origin_headers;
  TtlDecision ttl;  // Uncacheable{key_parts.no_cache} when the behaviour caches nothing
  // §4: whether the behaviour compresses at the edge, the coding this key's variant would use,
  // and the verdict on the assumed origin response.
  bool edge_compression = false;
  ContentCoding offered = ContentCoding::Identity;
  CompressVerdict compression = CompressVerdict::NotOffered;
};

Explanation explainRequest(const Config& config, const ExplainRequest& request);

// The text `edged explain` prints (several labelled sections, one item per line).
std::string formatExplanation(const Explanation& e, const ViewerRequest& viewer);

// One line for the TTL outcome, e.g. "cached for 300 s: s-maxage=600 clamped to MaxTTL 300" or
// "not cached: origin-no-store (Cache-Control: no-store with MinTTL 0)"; stale-while-revalidate,
// stale-if-error and Set-Cookie handling are appended when they say something.
std::string describeTtlDecision(const TtlDecision& decision);

// What a NoCacheReason means, in words, e.g. "Cache-Control: no-store with MinTTL 0".
std::string_view describeNoCacheReason(NoCacheReason reason);

}  // namespace edge::policies
