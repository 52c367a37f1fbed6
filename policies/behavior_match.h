// Cache-behaviour selection by path pattern (§1.2): first match in configured order, default last.
#pragma once

#include <string_view>

#include "policies/config.h"

namespace edge::policies {

// CloudFront path-pattern match: `*` = zero or more characters (including '/'), `?` = exactly one
// character, everything else literal and case-sensitive; anchored at both ends; one leading '/'
// is optional on both the pattern and the path. `path` excludes the query string.
bool matchPathPattern(std::string_view pattern, std::string_view path);

// The first behaviour of `dist.behaviors` whose pattern matches `path`, else the default one.
const Behavior& matchBehavior(const Distribution& dist, std::string_view path);

}  // namespace edge::policies
