#include "policies/behavior_match.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

struct PatternCase {
  std::string_view pattern;
  std::string_view path;
  bool matches;
};
std::ostream& operator<<(std::ostream& os, const PatternCase& c) {
  return os << "pattern '" << c.pattern << "' path '" << c.path << "'";
}

class PathPattern : public testing::TestWithParam<PatternCase> {};

TEST_P(PathPattern, Matches) {
  EXPECT_EQ(matchPathPattern(GetParam().pattern, GetParam().path), GetParam().matches);
}

INSTANTIATE_TEST_SUITE_P(
    BehaviorMatch, PathPattern,
    testing::Values(
        // §1.2 examples.
        PatternCase{"*.doc*", "/a.doc", true}, PatternCase{"*.doc*", "/a.docx", true},
        PatternCase{"*.doc*", "/a.docm", true}, PatternCase{"*.doc?", "/a.doc", false},
        PatternCase{"*.doc?", "/a.docx", true}, PatternCase{"a??.jpg", "/ant.jpg", true},
        PatternCase{"a??.jpg", "/abe.jpg", true}, PatternCase{"a??.jpg", "/an.jpg", false},
        PatternCase{"a??.jpg", "/antt.jpg", false},
        PatternCase{"images/*.jpg", "/images/sub/dir/a.jpg", true},  // '*' spans '/'
        PatternCase{"*.jpg", "/a/b/c.jpg", true},
        // Leading '/' optional on both sides.
        PatternCase{"/images/*.jpg", "/images/a.jpg", true},
        PatternCase{"images/*.jpg", "/images/a.jpg", true},
        PatternCase{"/images/*.jpg", "images/a.jpg", true},
        // Case-sensitive.
        PatternCase{"*.jpg", "/LOGO.JPG", false}, PatternCase{"/Images/*", "/images/a", false},
        // Anchored at both ends.
        PatternCase{"images/*", "/img/images/a", false}, PatternCase{"/exact", "/exact", true},
        PatternCase{"/exact", "/exact/", false}, PatternCase{"/exact", "/exac", false},
        PatternCase{"/api/*", "/api/", true}, PatternCase{"/api/*", "/api", false},
        PatternCase{"/api*", "/api", true}, PatternCase{"/a/*/c", "/a/b/x/c", true},
        // '?' is exactly one character, '*' zero or more.
        PatternCase{"/?", "/", false}, PatternCase{"/?", "/x", true}, PatternCase{"/?", "/xy", false},
        PatternCase{"*", "/", true}, PatternCase{"*", "/any/thing?", true},
        PatternCase{"/", "/", true}, PatternCase{"/", "/a", false},
        PatternCase{"a*b*c", "/aXbYc", true}, PatternCase{"a*b*c", "/aXbY", false},
        PatternCase{"a*b*c", "/abc", true}, PatternCase{"**", "/", true},
        // Every other character is literal (no regex, no percent-decoding, §1.2).
        PatternCase{"/a.b", "/axb", false}, PatternCase{"/a%20b", "/a b", false},
        PatternCase{"/a+b", "/a+b", true},
        // Pathological backtracking still answers (and quickly).
        PatternCase{"*a*a*a*a*a*a*b", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false}));

Distribution threeBehaviors() {
  Distribution d;
  d.default_behavior.path_pattern = "*";
  d.default_behavior.is_default = true;
  d.default_behavior.target_origin_id = "default";
  for (auto [pattern, target] : {std::pair{"/api/v1/*", "v1"}, std::pair{"/api/*", "api"},
                                 std::pair{"*.jpg", "images"}}) {
    Behavior b;
    b.path_pattern = pattern;
    b.target_origin_id = target;
    d.behaviors.push_back(b);
  }
  return d;
}

TEST(BehaviorMatch, FirstMatchInConfiguredOrderWins) {
  const Distribution d = threeBehaviors();
  EXPECT_EQ(matchBehavior(d, "/api/v1/users").target_origin_id, "v1");
  EXPECT_EQ(matchBehavior(d, "/api/v2/users").target_origin_id, "api");
  // Also matches *.jpg, but /api/* is listed first.
  EXPECT_EQ(matchBehavior(d, "/api/logo.jpg").target_origin_id, "api");
  EXPECT_EQ(matchBehavior(d, "/img/logo.jpg").target_origin_id, "images");
}

TEST(BehaviorMatch, OrderIsConfiguredOrderNotSpecificity) {
  Distribution d = threeBehaviors();
  std::swap(d.behaviors[0], d.behaviors[1]);  // /api/* now before /api/v1/*
  EXPECT_EQ(matchBehavior(d, "/api/v1/users").target_origin_id, "api");
}

TEST(BehaviorMatch, DefaultIsLast) {
  const Distribution d = threeBehaviors();
  const Behavior& b = matchBehavior(d, "/index.html");
  EXPECT_TRUE(b.is_default);
  EXPECT_EQ(&b, &d.default_behavior);
  EXPECT_TRUE(matchBehavior(d, "/IMG/LOGO.JPG").is_default);
}

TEST(BehaviorMatch, NoBehaviorsMeansDefault) {
  Distribution d;
  d.default_behavior.target_origin_id = "only";
  EXPECT_EQ(matchBehavior(d, "/x").target_origin_id, "only");
}

}  // namespace
}  // namespace edge::policies
