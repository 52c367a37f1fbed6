#include "policies/invalidation.h"

namespace edge::policies {

namespace {

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::string_view toString(InvalidationPathError e) {
  switch (e) {
    case InvalidationPathError::Empty: return "empty path";
    case InvalidationPathError::MissingLeadingSlash: return "path must start with '/'";
    case InvalidationPathError::TooLong: return "path longer than 4000 characters";
    case InvalidationPathError::WildcardNotLast: return "'*' is only allowed as the last character";
    case InvalidationPathError::UnencodedCharacter:
      return "non-ASCII, control and space characters must be percent-encoded";
    case InvalidationPathError::BadPercentEncoding: return "'%' must be followed by two hex digits";
  }
  return "?";
}

std::optional<InvalidationPathError> checkInvalidationPath(std::string_view path) {
  if (path.empty()) return InvalidationPathError::Empty;
  if (path.front() != '/') return InvalidationPathError::MissingLeadingSlash;
  if (path.size() > kMaxInvalidationPathBytes) return InvalidationPathError::TooLong;
  for (size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (c == '*' && i + 1 != path.size()) return InvalidationPathError::WildcardNotLast;
    if (c <= 0x20 || c >= 0x7f) return InvalidationPathError::UnencodedCharacter;
    if (c == '%' && (i + 2 >= path.size() || !isHex(path[i + 1]) || !isHex(path[i + 2]))) {
      return InvalidationPathError::BadPercentEncoding;
    }
  }
  return std::nullopt;
}

bool isWildcardInvalidationPath(std::string_view path) {
  return !path.empty() && path.back() == '*';
}

bool invalidationMatches(std::string_view pattern, std::string_view path) {
  if (isWildcardInvalidationPath(pattern)) {
    pattern.remove_suffix(1);
    return path.starts_with(pattern);
  }
  return path == pattern;
}

}  // namespace edge::policies
