#include "policies/freshness.h"

#include <algorithm>

#include "policies/origin_request.h"

namespace edge::policies {

std::ostream& operator<<(std::ostream& os, const StoredFreshness& m) {
  os << "{stored_at " << m.stored_at << ", age_at_store " << m.age_at_store << ", ttl " << m.ttl
     << ", swr " << m.stale_while_revalidate << ", sie ";
  if (m.stale_if_error) {
    os << *m.stale_if_error;
  } else {
    os << "-";
  }
  return os << ", validators " << m.has_validators << ", conditional " << m.conditional_revalidation
            << '}';
}

StoredFreshness makeStoredFreshness(const Cacheable& decision, const HeaderList& response_headers,
                                    int64_t received_at, bool cookies_forwarded_legacy) {
  StoredFreshness m;
  m.stored_at = received_at;
  if (const auto age = response_headers.get("age")) {
    m.age_at_store = parseDeltaSeconds(trimOws(*age)).value_or(0);
  }
  m.ttl = decision.ttl_seconds;
  m.stale_while_revalidate = decision.stale_while_revalidate;
  m.stale_if_error = decision.stale_if_error;
  m.has_validators = response_headers.has("etag") || response_headers.has("last-modified");
  m.conditional_revalidation = decision.conditional_revalidation && !cookies_forwarded_legacy;
  return m;
}

std::string_view toString(Usability u) {
  switch (u) {
    case Usability::Fresh: return "fresh";
    case Usability::StaleWhileRevalidate: return "stale-while-revalidate";
    case Usability::MustRevalidate: return "must-revalidate";
    case Usability::Expired: return "expired";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const CacheEntryUsability& u) {
  return os << '{' << toString(u.status) << ", age " << u.age << '}';
}

int64_t currentAge(const StoredFreshness& meta, int64_t now) {
  return std::max<int64_t>(0, now - meta.stored_at) + meta.age_at_store;
}

CacheEntryUsability evaluateFreshness(const StoredFreshness& meta, int64_t now) {
  CacheEntryUsability u;
  u.age = currentAge(meta, now);
  const int64_t resident = std::max<int64_t>(0, now - meta.stored_at);
  if (resident < meta.ttl) {
    u.status = Usability::Fresh;
  } else if (resident - meta.ttl < meta.stale_while_revalidate) {
    u.status = Usability::StaleWhileRevalidate;
  } else if (meta.has_validators && meta.conditional_revalidation) {
    u.status = Usability::MustRevalidate;
  } else {
    u.status = Usability::Expired;
  }
  return u;
}

std::ostream& operator<<(std::ostream& os, const StaleOnError& s) {
  if (!s.serve_stale) return os << "{pass error}";
  return os << "{serve stale, hold " << s.hold_seconds << " s}";
}

StaleOnError decideStaleOnError(const StoredFreshness& meta, int64_t now, OriginOutcome outcome,
                                int64_t error_caching_min_ttl) {
  const bool no_response = outcome.status == 0;
  if (!no_response && (outcome.status < 500 || outcome.status > 599)) return {};
  if (meta.stale_if_error) {
    if (*meta.stale_if_error <= 0) return {};
    const bool listed = no_response || outcome.status == 500 || outcome.status == 502 ||
                        outcome.status == 503 || outcome.status == 504;
    const int64_t since_expiry = std::max<int64_t>(0, now - meta.stored_at) - meta.ttl;
    if (!listed || since_expiry >= *meta.stale_if_error) return {};
  }
  return {true, std::max<int64_t>(0, error_caching_min_ttl)};
}

HeaderList revalidationHeaders(const HeaderList& stored_response_headers) {
  HeaderList out;
  if (const auto etag = stored_response_headers.get("etag")) {
    out.add("If-None-Match", std::string(*etag));
  }
  if (const auto lm = stored_response_headers.get("last-modified")) {
    out.add("If-Modified-Since", std::string(*lm));
  }
  return out;
}

void updateStoredHeaders(HeaderList& stored, const HeaderList& not_modified) {
  const std::string connection = not_modified.getJoined("connection").value_or("");
  auto keep_stored = [&](std::string_view name) {
    return iequals(name, "content-length") || iequals(name, "content-encoding") ||
           iequals(name, "content-range") || isHopByHop(name, connection);
  };
  // Replace by name: drop every stored field the 304 carries, then append the 304's fields.
  std::vector<std::string_view> replaced;
  for (const Header& h : not_modified) {
    if (keep_stored(h.name)) continue;
    if (std::none_of(replaced.begin(), replaced.end(),
                     [&](std::string_view n) { return iequals(n, h.name); })) {
      replaced.push_back(h.name);
    }
  }
  for (std::string_view name : replaced) stored.remove(name);
  for (const Header& h : not_modified) {
    if (!keep_stored(h.name)) stored.add(h.name, h.value);
  }
}

}  // namespace edge::policies
