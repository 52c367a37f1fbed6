// Invalidation paths (§8): validation of a submitted path and matching against stored objects.
// Pure. The engine matches every stored object's CacheKeyParts::pathAndQuery() (the keyed path
// plus "?" and the keyed query when there is one), so one path removes every header / cookie /
// Accept-Encoding variant of the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>

namespace edge::policies {

inline constexpr size_t kMaxInvalidationPathBytes = 4000;

enum class InvalidationPathError : uint8_t {
  Empty,
  MissingLeadingSlash,  // must start with '/'
  TooLong,              // more than 4,000 characters
  WildcardNotLast,      // '*' anywhere but the last character
  UnencodedCharacter,   // non-ASCII, control character or space: must be percent-encoded
  BadPercentEncoding,   // '%' not followed by two hex digits
};
std::string_view toString(InvalidationPathError e);
inline std::ostream& operator<<(std::ostream& os, InvalidationPathError e) {
  return os << toString(e);
}

// nullopt when the path is acceptable (§8). Characters that need not be encoded are accepted as
// they are: matching is byte-exact, so an encoded one would simply match nothing (§8).
std::optional<InvalidationPathError> checkInvalidationPath(std::string_view path);

// True when the path ends with the one allowed '*' (counts against the wildcard quota, §8).
bool isWildcardInvalidationPath(std::string_view path);

// §8: case-sensitive, byte-exact. A trailing '*' matches any continuation, '/' and the query
// string included; without '*' only the identical path-and-query matches (so `/a.jpg` does not
// match the object `/a.jpg?x=1`). `pattern` must have passed checkInvalidationPath; `path` is
// the object's path and keyed query (CacheKeyParts::pathAndQuery()).
bool invalidationMatches(std::string_view pattern, std::string_view path);

}  // namespace edge::policies
