// The top-level `Edge` member: settings CloudFront has no field for (listen addresses, POP name,
// cache size, origin address overrides, viewer-side limits and timeouts).
#include <limits>

#include "policies/config_load_internal.h"

namespace edge::policies::config_detail {

namespace {

ListenAddress readAddress(LoadContext& ctx, const Json& j, const std::string& path) {
  const std::string& text = asString(ctx, j, path);
  auto addr = parseListenAddress(text);
  if (!addr) {
    ctx.fail(path, "must be \"host:port\" with a numeric IPv4 address, \"localhost\" or "
                   "\"[IPv6]\" and a port 0-65535 (got " + inQuotes(text) + ")");
  }
  return *addr;
}

uint32_t readLimit(ObjectReader& r, std::string_view key, uint32_t fallback) {
  return static_cast<uint32_t>(
      r.integer(key, fallback, 1, std::numeric_limits<uint32_t>::max()));
}

}  // namespace

void loadEdge(LoadContext& ctx, const Json& j, const std::string& path) {
  ObjectReader r(ctx, j, path);
  EdgeSettings& e = ctx.config().edge;
  if (const Json* listen = r.find("Listen")) {
    const std::string field = r.field("Listen");
    e.listen.clear();
    if (listen->is_string()) {
      e.listen.push_back(readAddress(ctx, *listen, field));
    } else if (listen->is_array()) {
      for (size_t i = 0; i < listen->size(); ++i) {
        e.listen.push_back(readAddress(ctx, (*listen)[i], indexPath(field, i)));
      }
      if (e.listen.empty()) ctx.fail(field, "must list at least one address");
    } else {
      ctx.fail(field, "must be a string or an array of strings");
    }
  }
  if (const Json* admin = r.find("AdminListen")) {
    e.admin_listen = readAddress(ctx, *admin, r.field("AdminListen"));
  }
  e.workers = static_cast<int>(r.integer("Workers", e.workers, 0, 1024));
  if (auto v = r.optString("DomainName")) {
    if (v->empty()) ctx.fail(r.field("DomainName"), "must not be empty");
    e.domain_name = toLower(*v);
  }
  if (auto v = r.optString("PopName")) {
    if (v->empty()) ctx.fail(r.field("PopName"), "must not be empty");
    e.pop_name = *v;
  }
  e.cache_memory_bytes = static_cast<uint64_t>(r.integer(
      "CacheMemoryBytes", static_cast<int64_t>(e.cache_memory_bytes), 0,
      std::numeric_limits<int64_t>::max()));
  if (const Json* overrides = r.find("OriginAddressOverrides")) {
    const std::string field = r.field("OriginAddressOverrides");
    if (!overrides->is_object()) ctx.fail(field, "must be an object");
    for (auto it = overrides->begin(); it != overrides->end(); ++it) {
      // Keyed exactly as written; loadDistribution() warns when no origin has this DomainName.
      e.origin_address_overrides[it.key()] =
          readAddress(ctx, it.value(), joinPath(field, it.key()));
    }
  }
  e.access_log = r.string("AccessLog", e.access_log);
  // A file needs room for the two header lines and a line or so (a line is ~300-1000 bytes).
  e.access_log_max_bytes = static_cast<uint64_t>(r.integer(
      "AccessLogMaxBytes", static_cast<int64_t>(e.access_log_max_bytes), 0,
      std::numeric_limits<int64_t>::max()));
  if (e.access_log_max_bytes != 0 && e.access_log_max_bytes < 4096) {
    ctx.fail(r.field("AccessLogMaxBytes"), "must be 0 (no rotation) or at least 4096 (got " +
                                               std::to_string(e.access_log_max_bytes) + ")");
  }
  e.access_log_max_files =
      static_cast<uint32_t>(r.integer("AccessLogMaxFiles", e.access_log_max_files, 1, 1000));
  e.test_clock = r.boolean("TestClock", e.test_clock);
  e.max_cache_object_bytes = static_cast<uint64_t>(
      r.integer("MaxCacheObjectBytes", static_cast<int64_t>(e.max_cache_object_bytes), 0,
                std::numeric_limits<int64_t>::max()));
  e.debug_headers = r.boolean("DebugHeaders", e.debug_headers);
  e.gzip_level = static_cast<int>(r.integer("GzipLevel", e.gzip_level, 1, 9));
  // Quality 10-11 run near 1 MB/s: a 10 MB body would hold a worker for seconds (bench/README.md).
  e.brotli_quality = static_cast<int>(r.integer("BrotliQuality", e.brotli_quality, 0, 9));
  e.max_request_header_bytes = readLimit(r, "MaxRequestHeaderBytes", e.max_request_header_bytes);
  e.max_url_bytes = readLimit(r, "MaxUrlBytes", e.max_url_bytes);
  e.max_header_count = readLimit(r, "MaxHeaderCount", e.max_header_count);
  e.max_request_body_bytes = static_cast<uint64_t>(
      r.integer("MaxRequestBodyBytes", static_cast<int64_t>(e.max_request_body_bytes), 0,
                std::numeric_limits<int64_t>::max()));
  e.header_timeout_ms = readLimit(r, "HeaderTimeoutMs", e.header_timeout_ms);
  e.idle_timeout_ms = readLimit(r, "IdleTimeoutMs", e.idle_timeout_ms);
  e.body_timeout_ms = readLimit(r, "BodyTimeoutMs", e.body_timeout_ms);
  e.send_timeout_ms = readLimit(r, "SendTimeoutMs", e.send_timeout_ms);
  e.shutdown_grace_ms = readLimit(r, "ShutdownGraceMs", e.shutdown_grace_ms);
  e.max_connections_per_worker =
      readLimit(r, "MaxConnectionsPerWorker", e.max_connections_per_worker);
  // Below 16 KiB a single response head or a pipelined request would already reach it.
  e.max_connection_buffer_bytes = static_cast<uint32_t>(
      r.integer("MaxConnectionBufferBytes", e.max_connection_buffer_bytes, 16384,
                std::numeric_limits<uint32_t>::max()));
  e.max_origin_fetches_per_worker =
      readLimit(r, "MaxOriginFetchesPerWorker", e.max_origin_fetches_per_worker);
  r.object("OriginAccessCredentials", [&](ObjectReader& c) {
    OriginAccessCredentials creds;
    creds.access_key_id = c.requireString("AccessKeyId");
    creds.secret_access_key = c.requireString("SecretAccessKey");
    if (creds.access_key_id.empty()) ctx.fail(c.field("AccessKeyId"), "must not be empty");
    if (creds.secret_access_key.empty()) ctx.fail(c.field("SecretAccessKey"), "must not be empty");
    creds.region = c.string("Region", creds.region);
    if (creds.region.empty()) ctx.fail(c.field("Region"), "must not be empty");
    e.origin_access_credentials = std::move(creds);
  });
  r.finish();
}

}  // namespace edge::policies::config_detail
