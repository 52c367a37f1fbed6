#include "policies/behavior_match.h"

namespace edge::policies {

bool matchPathPattern(std::string_view pattern, std::string_view path) {
  // §1.2: one leading '/' is optional on both sides.
  if (!pattern.empty() && pattern.front() == '/') pattern.remove_prefix(1);
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  // Iterative glob with single-star backtracking: O(|pattern| * |path|) worst case, no recursion
  // (the path is viewer-controlled).
  size_t p = 0, s = 0;
  size_t star = std::string_view::npos, star_s = 0;
  while (s < path.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == path[s])) {
      ++p;
      ++s;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_s = s;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      s = ++star_s;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

const Behavior& matchBehavior(const Distribution& dist, std::string_view path) {
  for (const Behavior& b : dist.behaviors) {
    if (matchPathPattern(b.path_pattern, path)) return b;
  }
  return dist.default_behavior;
}

}  // namespace edge::policies
