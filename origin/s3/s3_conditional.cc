#include "origin/s3/s3_conditional.h"

#include "policies/conditional.h"
#include "policies/http_date.h"

namespace edge::s3 {

namespace {

// A comma-separated list of entity-tags against `etag`: "*" or any member equal. S3 also accepts
// a bare (unquoted) tag, as the AWS CLI passes whatever the user typed.
bool listMatches(std::string_view list, std::string_view etag, bool weak) {
  list = policies::trimOws(list);
  if (list == "*") return true;
  std::string_view bare = etag;
  if (bare.size() >= 2 && bare.front() == '"' && bare.back() == '"') bare = bare.substr(1, bare.size() - 2);
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = policies::trimOws(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    if (item == bare) return true;
    if (weak ? policies::weakEtagMatch(item, etag) : policies::strongEtagMatch(item, etag)) return true;
  }
  return false;
}

std::optional<int64_t> date(std::optional<std::string_view> v) {
  if (!v) return std::nullopt;
  return policies::parseHttpDate(policies::trimOws(*v));
}

ConditionalHeaders read(const policies::HeaderList& h, std::string_view m, std::string_view nm,
                        std::string_view ms, std::string_view us) {
  return ConditionalHeaders{h.get(m), h.get(nm), h.get(ms), h.get(us)};
}

}  // namespace

std::string_view toString(Precondition p) {
  switch (p) {
    case Precondition::Proceed: return "Proceed";
    case Precondition::NotModified: return "NotModified";
    case Precondition::Failed: return "Failed";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, Precondition p) { return os << toString(p); }

ConditionalHeaders requestConditionals(const policies::HeaderList& h) {
  return read(h, "if-match", "if-none-match", "if-modified-since", "if-unmodified-since");
}

ConditionalHeaders copySourceConditionals(const policies::HeaderList& h) {
  return read(h, "x-amz-copy-source-if-match", "x-amz-copy-source-if-none-match",
              "x-amz-copy-source-if-modified-since", "x-amz-copy-source-if-unmodified-since");
}

Precondition evaluatePreconditions(const ConditionalHeaders& c, std::string_view etag, int64_t last_modified_s) {
  if (c.if_match) {
    if (!listMatches(*c.if_match, etag, false)) return Precondition::Failed;
  } else if (const auto t = date(c.if_unmodified_since); t && last_modified_s > *t) {
    return Precondition::Failed;
  }
  if (c.if_none_match) {
    return listMatches(*c.if_none_match, etag, true) ? Precondition::NotModified : Precondition::Proceed;
  }
  if (const auto t = date(c.if_modified_since); t && last_modified_s <= *t) return Precondition::NotModified;
  return Precondition::Proceed;
}

std::string_view failedCondition(const ConditionalHeaders& c, std::string_view etag) {
  if (c.if_match && !listMatches(*c.if_match, etag, false)) return "If-Match";
  if (!c.if_match && c.if_unmodified_since) return "If-Unmodified-Since";
  if (c.if_none_match) return "If-None-Match";
  return "If-Modified-Since";
}

}  // namespace edge::s3
