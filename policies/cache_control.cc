#include "policies/cache_control.h"

#include <algorithm>
#include <span>

#include "policies/ascii.h"
#include "policies/http_types.h"

namespace edge::policies {

namespace {

bool isOws(char c) { return c == ' ' || c == '\t'; }

// Bytes that end a directive name or a token argument: '=', ',', SP, HTAB.
struct Stops {
  bool table[256] = {};
  constexpr Stops() {
    table[static_cast<unsigned char>('=')] = true;
    table[static_cast<unsigned char>(',')] = true;
    table[static_cast<unsigned char>(' ')] = true;
    table[static_cast<unsigned char>('\t')] = true;
  }
  bool operator()(char c) const { return table[static_cast<unsigned char>(c)]; }
};
constexpr Stops kStop;

char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

enum class Kind : uint8_t {
  Unknown,
  MaxAge,
  SMaxAge,
  NoStore,
  NoCache,
  Private,
  Public,
  MustRevalidate,
  ProxyRevalidate,
  NoTransform,
  Immutable,
  StaleWhileRevalidate,
  StaleIfError,
};

// `lit` (lower-case) at `p`, followed by the end or a byte that ends a name.
bool nameAt(const char* p, const char* end, std::string_view lit) {
  const auto left = static_cast<size_t>(end - p);
  if (left < lit.size() || !equalsLower(std::string_view(p, lit.size()), lit)) return false;
  return left == lit.size() || kStop(p[lit.size()]);
}

// Identifies the directive name at `p` by its first letter and moves `p` past the name.
Kind readName(const char*& p, const char* end) {
  struct Candidate {
    std::string_view name;
    Kind kind;
  };
  static constexpr Candidate kM[] = {{"max-age", Kind::MaxAge},
                                     {"must-revalidate", Kind::MustRevalidate}};
  static constexpr Candidate kS[] = {{"s-maxage", Kind::SMaxAge},
                                     {"stale-while-revalidate", Kind::StaleWhileRevalidate},
                                     {"stale-if-error", Kind::StaleIfError}};
  static constexpr Candidate kN[] = {{"no-store", Kind::NoStore},
                                     {"no-cache", Kind::NoCache},
                                     {"no-transform", Kind::NoTransform}};
  static constexpr Candidate kP[] = {{"public", Kind::Public},
                                     {"private", Kind::Private},
                                     {"proxy-revalidate", Kind::ProxyRevalidate}};
  static constexpr Candidate kI[] = {{"immutable", Kind::Immutable}};
  std::span<const Candidate> candidates;
  switch (*p | 0x20) {
    case 'm': candidates = kM; break;
    case 's': candidates = kS; break;
    case 'n': candidates = kN; break;
    case 'p': candidates = kP; break;
    case 'i': candidates = kI; break;
    default: break;
  }
  for (const Candidate& c : candidates) {
    if (nameAt(p, end, c.name)) {
      p += c.name.size();
      return c.kind;
    }
  }
  while (p != end && !kStop(*p)) ++p;
  return Kind::Unknown;
}

bool isDeltaKind(Kind k) {
  return k == Kind::MaxAge || k == Kind::SMaxAge || k == Kind::StaleWhileRevalidate ||
         k == Kind::StaleIfError;
}

std::optional<int64_t>& deltaSlot(Kind k, ResponseCacheControl& cc) {
  switch (k) {
    case Kind::SMaxAge: return cc.s_maxage;
    case Kind::StaleWhileRevalidate: return cc.stale_while_revalidate;
    case Kind::StaleIfError: return cc.stale_if_error;
    default: return cc.max_age;
  }
}

// The common `max-age=3600` form (digits right after '=', then ',' or the end) in one pass.
// Returns false, leaving `p` alone, for anything else (the general path then reads it).
bool readPlainDelta(const char*& p, const char* end, std::optional<int64_t>& slot) {
  const char* q = p;
  if (q == end || *q != '=' || ++q == end) return false;
  const char* digits = q;
  uint64_t value = 0;
  while (q != end && static_cast<unsigned>(*q - '0') <= 9) value = value * 10 + (*q++ - '0');
  if (q == digits || (q != end && *q != ',') || q - digits > 18) return false;  // general path
  if (!slot) slot = static_cast<int64_t>(std::min<uint64_t>(value, kMaxDeltaSeconds));
  p = q;
  return true;
}

// A directive's argument as it appeared.
struct Arg {
  bool present = false;
  bool quoted = false;
  bool escaped = false;   // the quoted string contains a backslash escape
  bool junk = false;      // unterminated quote or stray text after the argument
  std::string_view text;  // token, or the inside of the quoted string (escapes kept)
};

// Reads an optional "=" argument at `p` and moves `p` to the next ',' (or the end).
Arg readArg(const char*& p, const char* end) {
  Arg a;
  while (p != end && isOws(*p)) ++p;
  if (p != end && *p == '=') {
    a.present = true;
    ++p;
    while (p != end && isOws(*p)) ++p;
    if (p != end && *p == '"') {
      a.quoted = true;
      const char* start = ++p;
      while (p != end && *p != '"') {
        if (*p == '\\') {
          a.escaped = true;
          if (++p == end) break;
        }
        ++p;
      }
      a.text = std::string_view(start, static_cast<size_t>(p - start));
      if (p == end) {
        a.junk = true;  // unterminated
      } else {
        ++p;  // closing quote
      }
    } else {
      const char* start = p;
      while (p != end && !kStop(*p)) ++p;  // a stray '=' ends the token and is junk
      a.text = std::string_view(start, static_cast<size_t>(p - start));
    }
  }
  while (p != end && *p != ',') {
    if (!isOws(*p)) a.junk = true;
    ++p;
  }
  return a;
}

// First occurrence wins; an invalid argument reads as 0 (see the header).
void setDelta(const Arg& a, std::optional<int64_t>& slot, bool& malformed) {
  if (slot) return;
  std::optional<int64_t> value;
  if (a.present && !a.junk && !a.escaped) value = parseDeltaSeconds(a.text);
  if (!value) {
    malformed = true;
    value = 0;
  }
  slot = value;
}

// Appends the lower-cased field names of a qualified no-cache / private argument to `fields`.
// Returns false when the list names nothing (then the caller applies the bare form).
bool addFields(const Arg& a, std::string& fields) {
  std::string unescaped;
  std::string_view list = a.text;
  if (a.escaped) {
    for (size_t i = 0; i < a.text.size(); ++i) {
      if (a.text[i] == '\\' && i + 1 < a.text.size()) ++i;
      unescaped += a.text[i];
    }
    list = unescaped;
  }
  bool any = false;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = trimOws(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name.empty()) continue;
    if (!fields.empty()) fields += ',';
    for (char c : name) fields += asciiLower(c);
    any = true;
  }
  return any;
}

bool listNames(std::string_view fields, std::string_view field) {
  while (!fields.empty()) {
    const size_t comma = fields.find(',');
    if (iequals(fields.substr(0, comma), field)) return true;
    fields = comma == std::string_view::npos ? std::string_view() : fields.substr(comma + 1);
  }
  return false;
}

void apply(Kind kind, const Arg& a, ResponseCacheControl& cc) {
  switch (kind) {
    case Kind::Unknown: return;
    case Kind::MaxAge: setDelta(a, cc.max_age, cc.malformed); return;
    case Kind::SMaxAge: setDelta(a, cc.s_maxage, cc.malformed); return;
    case Kind::StaleWhileRevalidate: setDelta(a, cc.stale_while_revalidate, cc.malformed); return;
    case Kind::StaleIfError: setDelta(a, cc.stale_if_error, cc.malformed); return;
    case Kind::NoStore: cc.no_store = true; return;
    case Kind::NoCache:
      if (!a.present || a.junk || !addFields(a, cc.no_cache_fields)) cc.no_cache = true;
      return;
    case Kind::Private:
      if (!a.present || a.junk || !addFields(a, cc.private_fields)) cc.is_private = true;
      return;
    case Kind::Public: cc.is_public = true; return;
    case Kind::MustRevalidate: cc.must_revalidate = true; return;
    case Kind::ProxyRevalidate: cc.proxy_revalidate = true; return;
    case Kind::NoTransform: cc.no_transform = true; return;
    case Kind::Immutable: cc.immutable = true; return;
  }
}

}  // namespace

std::optional<int64_t> parseDeltaSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // Up to 18 significant digits cannot overflow; more saturate (after validating every byte).
  uint64_t value = 0;
  size_t significant = 0;
  for (char c : text) {
    const unsigned digit = static_cast<unsigned char>(c) - '0';
    if (digit > 9) return std::nullopt;
    significant += (significant != 0 || digit != 0) ? 1 : 0;
    value = value * 10 + digit;
  }
  if (significant > 18) return kMaxDeltaSeconds;
  return value < static_cast<uint64_t>(kMaxDeltaSeconds) ? static_cast<int64_t>(value)
                                                         : kMaxDeltaSeconds;
}

void parseResponseCacheControlInto(std::string_view header_value, ResponseCacheControl& cc) {
  const char* p = header_value.data();
  const char* const end = p + header_value.size();
  while (p != end) {
    if (*p == ',' || isOws(*p)) {
      ++p;
      continue;
    }
    const Kind kind = readName(p, end);
    if (isDeltaKind(kind) && readPlainDelta(p, end, deltaSlot(kind, cc))) continue;
    apply(kind, readArg(p, end), cc);
  }
}

ResponseCacheControl parseResponseCacheControl(std::string_view header_value) {
  ResponseCacheControl cc;
  parseResponseCacheControlInto(header_value, cc);
  return cc;
}

ResponseCacheControl parseResponseCacheControl(const HeaderList& headers) {
  ResponseCacheControl cc;
  for (const auto& h : headers) {
    if (iequals(h.name, "cache-control")) parseResponseCacheControlInto(h.value, cc);
  }
  return cc;
}

bool ResponseCacheControl::namesNoCacheField(std::string_view field) const {
  return listNames(no_cache_fields, field);
}

bool ResponseCacheControl::namesPrivateField(std::string_view field) const {
  return listNames(private_fields, field);
}

std::ostream& operator<<(std::ostream& os, const ResponseCacheControl& cc) {
  bool first = true;
  auto item = [&](std::string_view text) -> std::ostream& {
    if (!first) os << ", ";
    first = false;
    return os << text;
  };
  if (cc.max_age) item("max-age=") << *cc.max_age;
  if (cc.s_maxage) item("s-maxage=") << *cc.s_maxage;
  if (cc.no_store) item("no-store");
  if (cc.no_cache) item("no-cache");
  if (!cc.no_cache_fields.empty()) item("no-cache=\"") << cc.no_cache_fields << '"';
  if (cc.is_private) item("private");
  if (!cc.private_fields.empty()) item("private=\"") << cc.private_fields << '"';
  if (cc.is_public) item("public");
  if (cc.must_revalidate) item("must-revalidate");
  if (cc.proxy_revalidate) item("proxy-revalidate");
  if (cc.no_transform) item("no-transform");
  if (cc.immutable) item("immutable");
  if (cc.stale_while_revalidate) item("stale-while-revalidate=") << *cc.stale_while_revalidate;
  if (cc.stale_if_error) item("stale-if-error=") << *cc.stale_if_error;
  if (cc.malformed) item("(malformed)");
  if (first) os << "<empty>";
  return os;
}

}  // namespace edge::policies
