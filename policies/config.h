// The configuration model: a CloudFront DistributionConfig (API field names, API shapes) plus the
// resources it references by Id (cache policies, origin request policies, …) and the `Edge`
// settings CloudFront has no field for. Plain values; loaded once at start-up by config_load.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "policies/http_types.h"

namespace edge::policies {

struct ListenAddress {
  std::string host;  // numeric IPv4/IPv6 or "localhost"
  uint16_t port = 0;
  std::string toString() const;  // "host:port" ("[v6]:port" for IPv6)
  bool operator==(const ListenAddress&) const = default;
};
// Parses "host:port" / "[v6]:port"; nullopt when malformed or the port is out of range.
std::optional<ListenAddress> parseListenAddress(std::string_view text);

// [API:CustomOriginConfig.OriginProtocolPolicy]
enum class OriginProtocolPolicy : uint8_t { HttpOnly, HttpsOnly, MatchViewer };

// [API:Origin] One origin of the distribution. Defaults are CloudFront's (§1.4).
struct Origin {
  std::string id;
  std::string domain_name;
  std::string origin_path;      // "" or "/x/y": starts with '/', no trailing '/'
  HeaderList custom_headers;    // added to every origin request, replacing same-named viewer headers
  int connection_attempts = 3;  // 1–3
  int connection_timeout_s = 10;  // 1–10
  int read_timeout_s = 30;        // OriginReadTimeout, 1–120
  int keepalive_timeout_s = 5;    // OriginKeepaliveTimeout, 1–120
  std::optional<int> response_completion_timeout_s;
  uint16_t http_port = 80;
  uint16_t https_port = 443;
  OriginProtocolPolicy protocol_policy = OriginProtocolPolicy::HttpOnly;
  bool is_s3 = false;  // S3OriginConfig given (S3 REST origin)
  std::string origin_access_control_id;  // OAC, "" when unused
};

// [API:OriginGroup] primary/secondary failover pair.
struct OriginGroup {
  std::string id;
  std::vector<std::string> member_origin_ids;  // exactly two: primary, secondary
  std::vector<int> failover_status_codes;
};

// [API:ViewerProtocolPolicy]
enum class ViewerProtocolPolicy : uint8_t { AllowAll, RedirectToHttps, HttpsOnly };

// [API:ForwardedValues] legacy cache settings (forwarding implies keying, §2.8).
struct ForwardedValues {
  bool query_string = false;
  std::vector<std::string> query_string_cache_keys;
  enum class CookieForward : uint8_t { None, Whitelist, All } cookie_forward = CookieForward::None;
  std::vector<std::string> cookie_names;  // whitelist names, may use * and ?
  std::vector<std::string> headers;       // "*" means all headers (nothing cached)
  bool operator==(const ForwardedValues&) const = default;
};

struct FunctionAssociation {
  std::string event_type;  // viewer-request | viewer-response | origin-request | origin-response
  std::string arn;         // FunctionARN or LambdaFunctionARN
  bool is_lambda = false;
  bool include_body = false;
};

// [API:CacheBehavior] / [API:DefaultCacheBehavior]
struct Behavior {
  std::string path_pattern;  // "*" for the default behaviour
  bool is_default = false;
  std::string target_origin_id;
  ViewerProtocolPolicy viewer_protocol_policy = ViewerProtocolPolicy::AllowAll;
  std::vector<Method> allowed_methods{Method::Get, Method::Head};  // one of the 3 sets of §1.3
  std::vector<Method> cached_methods{Method::Get, Method::Head};
  bool compress = false;
  std::string cache_policy_id;           // "" when the legacy ForwardedValues model is used
  std::string origin_request_policy_id;  // "" when none
  std::string response_headers_policy_id;
  std::optional<ForwardedValues> forwarded_values;  // legacy model; exactly one of this / policy
  int64_t min_ttl = 0;          // legacy TTLs (§3.1)
  int64_t default_ttl = 86400;
  int64_t max_ttl = 31536000;
  bool trusted_key_groups_enabled = false;
  std::vector<std::string> trusted_key_groups;
  bool trusted_signers_enabled = false;
  std::vector<std::string> trusted_signers;
  std::vector<FunctionAssociation> functions;

  bool allows(Method m) const;
};

// [API:CustomErrorResponse]
struct CustomErrorResponse {
  int error_code = 0;
  std::string response_page_path;  // "" when not set
  std::optional<int> response_code;
  std::optional<int64_t> error_caching_min_ttl;
};

// [API:DistributionConfig]
struct Distribution {
  std::string caller_reference;
  std::string comment;
  bool enabled = true;
  std::vector<std::string> aliases;
  std::string default_root_object;  // "" when unset; no leading '/'
  std::vector<Origin> origins;
  std::vector<OriginGroup> origin_groups;
  Behavior default_behavior;
  std::vector<Behavior> behaviors;  // in configured order; first match wins
  std::vector<CustomErrorResponse> custom_error_responses;
  std::string http_version = "http2";
  std::string price_class;
};

// [API:CachePolicyHeadersConfig] / [API:OriginRequestPolicyHeadersConfig] and friends. The
// behaviour enums are the union of what cache policies and origin request policies allow; the
// loader rejects a value the resource kind does not support.
enum class ListBehavior : uint8_t {
  None,
  Whitelist,
  AllExcept,
  All,                              // cookies / query strings
  AllViewer,                        // ORP headers
  AllViewerAndWhitelistCloudFront,  // ORP headers
};
std::string_view toString(ListBehavior b);

struct NameList {
  ListBehavior behavior = ListBehavior::None;
  std::vector<std::string> names;
  bool operator==(const NameList&) const = default;
};

// [API:CachePolicyConfig]
struct CachePolicy {
  std::string id;
  std::string name;
  bool managed = false;
  int64_t min_ttl = 0;
  int64_t default_ttl = 86400;
  int64_t max_ttl = 31536000;
  bool enable_accept_encoding_gzip = false;
  bool enable_accept_encoding_brotli = false;
  NameList headers;
  NameList cookies;
  NameList query_strings;
};

// [API:OriginRequestPolicyConfig]
struct OriginRequestPolicy {
  std::string id;
  std::string name;
  bool managed = false;
  NameList headers;
  NameList cookies;
  NameList query_strings;
};

// [API:ResponseHeadersPolicyConfig]: kept as its JSON text until the issue that applies it.
struct ResponseHeadersPolicy {
  std::string id;
  std::string name;
  std::string config_json;
};

// [API:PublicKeyConfig]
struct PublicKey {
  std::string id;
  std::string name;
  std::string encoded_key;  // PEM
};

// [API:KeyGroupConfig]
struct KeyGroup {
  std::string id;
  std::string name;
  std::vector<std::string> public_key_ids;
};

// [API:FunctionConfig] + code (CloudFront Functions).
struct EdgeFunction {
  std::string name;
  std::string runtime;
  std::string code;
};

// [API:OriginAccessControlConfig] (§12). SigningProtocol is always "sigv4".
enum class SigningBehavior : uint8_t {
  Always,      // sign every origin request, replacing a viewer Authorization
  Never,       // sign nothing
  NoOverride,  // sign only when the origin request carries no Authorization of the viewer's
};
std::string_view toString(SigningBehavior b);  // "always" | "never" | "no-override"

struct OriginAccessControl {
  std::string id;
  std::string name;
  SigningBehavior signing_behavior = SigningBehavior::Always;
  std::string origin_type = "s3";  // s3 | mediastore | mediapackagev2 | lambda
};

// The credentials the edge signs origin requests with (CloudFront uses its service principal;
// a self-hosted edge needs a key the bucket trusts). `region` is used when the origin's
// DomainName does not name one (bucket.s3.<region>.amazonaws.com does).
struct OriginAccessCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region = "us-east-1";
};

// Settings CloudFront has no field for, under the top-level `Edge` member.
struct EdgeSettings {
  std::vector<ListenAddress> listen{{"127.0.0.1", 8080}};
  std::optional<ListenAddress> admin_listen;
  int workers = 0;  // 0 = one per CPU
  std::string domain_name = "d111111abcdef8.cloudfront.net";
  std::string pop_name = "EMU50-C1";
  uint64_t cache_memory_bytes = 256ull << 20;
  std::map<std::string, ListenAddress> origin_address_overrides;  // origin DomainName → host:port
  std::string access_log;  // path, "" = off (§10 format, engine/log/access_log_writer.h)
  // Size rotation: before the file would pass this many bytes it becomes <file>.1 (and .1 → .2,
  // …); 0 = never (logrotate with SIGHUP instead). Rotated files kept: access_log_max_files.
  uint64_t access_log_max_bytes = 0;
  uint32_t access_log_max_files = 5;
  bool test_clock = false;
  // Bodies larger than this are streamed to the viewers that asked but never stored.
  uint64_t max_cache_object_bytes = 64ull << 20;
  // Adds X-Edged-Cache-Reason (outcome, TTL rule, freshness) to viewer responses: the same
  // reasons `edged explain` prints. Off by default.
  bool debug_headers = false;
  // Edge compression (§4): zlib level for gzip (1-9) and brotli quality (0-11). Each variant is
  // compressed once, by the fill that stores it (see bench/README.md for the speed per level).
  int gzip_level = 6;
  int brotli_quality = 5;  // at most 9 (10-11 are ~1 MB/s)
  // Viewer-side limits and timeouts (CloudFront's own values where it documents them, §14).
  uint32_t max_request_header_bytes = 20480;  // request line + headers → 413 beyond
  uint32_t max_url_bytes = 8192;              // → 413
  uint32_t max_header_count = 256;            // → 413
  uint64_t max_request_body_bytes = 1ull << 30;  // → 413
  uint32_t header_timeout_ms = 10000;  // whole request head must arrive within this
  uint32_t idle_timeout_ms = 60000;    // keep-alive idle
  uint32_t body_timeout_ms = 30000;    // max gap between request body bytes
  uint32_t send_timeout_ms = 60000;    // max time a response write may stall on a viewer
  uint32_t shutdown_grace_ms = 10000;  // SIGTERM: in-flight requests get this long
  // At the limit a new connection is accepted and closed at once (no bytes), until some go away.
  uint32_t max_connections_per_worker = 10000;
  // Bytes one viewer connection may hold: response bytes queued to a slow reader (beyond it the
  // origin / cache read for that viewer pauses, and no further pipelined request starts) and
  // unparsed input (pipelined requests waiting; beyond it reading stops).
  uint32_t max_connection_buffer_bytes = 256 * 1024;
  // Origin fetches (fills, revalidations, pass-through) one worker runs at once; a miss beyond it
  // gets CloudFront's generated 503 (CapacityExceeded) instead of waiting. Hits are unaffected.
  uint32_t max_origin_fetches_per_worker = 1024;
  // Required when an origin uses an OriginAccessControl that signs (§12).
  std::optional<OriginAccessCredentials> origin_access_credentials;
};

struct Config {
  std::string source_path;  // file it was loaded from
  std::string etag;         // `ETag` of a get-distribution-config export, if present
  Distribution distribution;
  EdgeSettings edge;
  std::map<std::string, CachePolicy> cache_policies;  // by Id, managed ones included
  std::map<std::string, OriginRequestPolicy> origin_request_policies;
  std::map<std::string, ResponseHeadersPolicy> response_headers_policies;
  std::map<std::string, PublicKey> public_keys;
  std::map<std::string, KeyGroup> key_groups;
  std::map<std::string, EdgeFunction> functions;  // by Name
  std::map<std::string, OriginAccessControl> origin_access_controls;  // by Id
  std::vector<std::string> warnings;  // unknown fields etc., "file: path: message"

  const Origin* findOrigin(std::string_view id) const;
  const CachePolicy* findCachePolicy(std::string_view id) const;
  const OriginRequestPolicy* findOriginRequestPolicy(std::string_view id) const;
};

}  // namespace edge::policies
