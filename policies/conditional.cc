#include "policies/conditional.h"

#include "policies/http_date.h"

namespace edge::policies {

namespace {

struct EntityTag {
  bool weak = false;
  std::string_view opaque;  // including the quotes
};

// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (RFC 9110 §8.8.3); false when malformed.
bool parseEtag(std::string_view s, EntityTag& out) {
  s = trimOws(s);
  out.weak = s.starts_with("W/");
  if (out.weak) s.remove_prefix(2);
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  if (s.substr(1, s.size() - 2).find('"') != std::string_view::npos) return false;
  out.opaque = s;
  return true;
}

}  // namespace

std::string_view toString(ConditionalResult r) {
  switch (r) {
    case ConditionalResult::Unconditional: return "unconditional";
    case ConditionalResult::NotModified: return "not-modified";
  }
  return "?";
}

bool weakEtagMatch(std::string_view a, std::string_view b) {
  EntityTag x, y;
  return parseEtag(a, x) && parseEtag(b, y) && x.opaque == y.opaque;
}

bool strongEtagMatch(std::string_view a, std::string_view b) {
  EntityTag x, y;
  return parseEtag(a, x) && parseEtag(b, y) && !x.weak && !y.weak && x.opaque == y.opaque;
}

bool ifNoneMatchMatches(std::string_view if_none_match, std::string_view stored_etag) {
  if (trimOws(if_none_match) == "*") return true;
  // Entity-tags may contain commas inside the quotes, so split on commas outside quotes.
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    size_t i = 0;
    bool quoted = false;
    while (i < rest.size() && (quoted || rest[i] != ',')) {
      if (rest[i] == '"') quoted = !quoted;
      ++i;
    }
    const std::string_view member = trimOws(rest.substr(0, i));
    rest = i < rest.size() ? rest.substr(i + 1) : std::string_view();
    if (!member.empty() && weakEtagMatch(member, stored_etag)) return true;
  }
  return false;
}

ConditionalResult evaluateViewerConditional(Method method, const HeaderList& request_headers,
                                            const HeaderList& stored_response_headers,
                                            int64_t stored_at) {
  if (method != Method::Get && method != Method::Head) return ConditionalResult::Unconditional;
  if (const auto inm = request_headers.getJoined("if-none-match")) {
    const auto etag = stored_response_headers.get("etag");
    const bool star = trimOws(*inm) == "*";  // any current representation matches
    if (star || (etag && ifNoneMatchMatches(*inm, *etag))) return ConditionalResult::NotModified;
    return ConditionalResult::Unconditional;
  }
  // More than one If-Modified-Since line is invalid (RFC 9110 §13.1.3): ignored.
  if (request_headers.count("if-modified-since") != 1) return ConditionalResult::Unconditional;
  const auto ims = parseHttpDate(trimOws(*request_headers.get("if-modified-since")));
  if (!ims) return ConditionalResult::Unconditional;
  std::optional<int64_t> modified;
  if (const auto lm = stored_response_headers.get("last-modified")) modified = parseHttpDate(*lm);
  if (!modified) {
    if (const auto date = stored_response_headers.get("date")) modified = parseHttpDate(*date);
  }
  if (!modified) modified = stored_at;
  return *modified <= *ims ? ConditionalResult::NotModified : ConditionalResult::Unconditional;
}

bool ifRangeAllowsPartial(std::string_view if_range, const HeaderList& stored_response_headers) {
  if_range = trimOws(if_range);
  if (if_range.starts_with("W/") || if_range.starts_with("\"")) {
    const auto etag = stored_response_headers.get("etag");
    return etag && strongEtagMatch(if_range, *etag);
  }
  const auto date = parseHttpDate(if_range);
  const auto lm = stored_response_headers.get("last-modified");
  if (!date || !lm) return false;
  const auto modified = parseHttpDate(*lm);
  return modified && *modified == *date;
}

HeaderList notModifiedHeaders(const HeaderList& stored_response_headers) {
  HeaderList out;
  for (const Header& h : stored_response_headers) {
    for (std::string_view n : {"cache-control", "content-location", "date", "etag", "expires",
                               "last-modified", "vary"}) {
      if (iequals(h.name, n)) {
        out.add(h.name, h.value);
        break;
      }
    }
  }
  return out;
}

}  // namespace edge::policies
