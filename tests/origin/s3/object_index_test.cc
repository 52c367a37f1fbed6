#include "origin/s3/object_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "origin/s3/version_id.h"

namespace edge::s3 {
namespace {

ObjectVersion version(const std::string& key, uint64_t seq, bool marker = false,
                      bool null_id = false) {
  ObjectVersion v;
  v.key = key;
  v.seq = seq;
  v.version_id = null_id ? std::string(kNullVersionId) : makeVersionId(seq);
  v.delete_marker = marker;
  return v;
}

// One live version per key, seq in insertion order.
ObjectIndex indexOf(const std::vector<std::string>& keys) {
  ObjectIndex idx;
  uint64_t seq = 1;
  for (const std::string& k : keys) idx.insert(version(k, seq++));
  return idx;
}

// "k1,k2|cp1,cp2|T" — contents, common prefixes, truncated.
std::string render(const ListResult& r) {
  std::string out;
  for (size_t i = 0; i < r.contents.size(); ++i) out += (i ? "," : "") + r.contents[i].key;
  out += "|";
  for (size_t i = 0; i < r.common_prefixes.size(); ++i)
    out += (i ? "," : "") + r.common_prefixes[i];
  if (r.truncated) out += "|T";
  return out;
}

struct ListCase {
  const char* name;
  std::string prefix, delimiter;
  int max_keys;
  std::string start_after;
  std::string expected;
};

void PrintTo(const ListCase& c, std::ostream* os) { *os << c.name; }

class ListTable : public ::testing::TestWithParam<ListCase> {};

const std::vector<std::string> kKeys = {"a",
                                        "a/1",
                                        "a/2",
                                        "a/b/1",
                                        "a/b/2",
                                        "b",
                                        "photos/2006/jan/x",
                                        "photos/2006/feb/y",
                                        "photos/2007/z",
                                        "photos/index.html",
                                        "z/",
                                        "z//",
                                        "é",
                                        "日本"};

TEST_P(ListTable, Matches) {
  const ListCase& c = GetParam();
  const ObjectIndex idx = indexOf(kKeys);
  const ListResult r = idx.list(ListParams{c.prefix, c.delimiter, c.max_keys, c.start_after});
  EXPECT_EQ(render(r), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    ObjectIndex, ListTable,
    ::testing::Values(
        ListCase{"all", "", "", 1000, "",
                 "a,a/1,a/2,a/b/1,a/b/2,b,photos/2006/feb/y,photos/2006/jan/x,photos/2007/z,photos/"
                 "index.html,z/,z//,"
                 "é,日本|"},
        ListCase{"delimiter", "", "/", 1000, "", "a,b,é,日本|a/,photos/,z/"},
        ListCase{"prefix_and_delimiter", "photos/", "/", 1000, "",
                 "photos/index.html|photos/2006/,photos/2007/"},
        ListCase{"deeper", "photos/2006/", "/", 1000, "", "|photos/2006/feb/,photos/2006/jan/"},
        ListCase{"prefix_only", "a/", "", 1000, "", "a/1,a/2,a/b/1,a/b/2|"},
        ListCase{"prefix_not_ending_in_delimiter", "a", "/", 1000, "", "a|a/"},
        ListCase{"max_keys_counts_prefix_once", "", "/", 3, "", "a,b|a/|T"},
        ListCase{"exact_page", "a/", "", 4, "", "a/1,a/2,a/b/1,a/b/2|"},
        ListCase{"max_keys_zero", "", "", 0, "", "|"},
        ListCase{"max_keys_one", "", "", 1, "", "a||T"},
        ListCase{"start_after_key", "", "", 3, "a/2", "a/b/1,a/b/2,b||T"},
        ListCase{"start_after_common_prefix_skips_it", "", "/", 1000, "a/", "b,é,日本|photos/,z/"},
        ListCase{"start_after_inside_common_prefix", "", "/", 1000, "a/b/1", "b,é,日本|photos/,z/"},
        ListCase{"start_after_before_prefix", "photos/", "", 2, "a",
                 "photos/2006/feb/y,photos/2006/jan/x||T"},
        ListCase{"start_after_past_everything", "", "", 1000, "\xf4", "|"},
        ListCase{"no_match", "q", "/", 1000, "", "|"},
        ListCase{"multichar_delimiter", "", "//", 1000, "",
                 "a,a/1,a/2,a/b/1,a/b/2,b,photos/2006/feb/y,"
                 "photos/2006/jan/x,photos/2007/z,photos/index.html,z/,é,日本|z//"},
        ListCase{"unicode_byte_order", "", "", 1000, "z//", "é,日本|"}),
    [](const ::testing::TestParamInfo<ListCase>& i) { return std::string(i.param.name); });

TEST(ObjectIndex, PagingWithLastReturnedVisitsEverythingOnce) {
  const ObjectIndex idx = indexOf(kKeys);
  for (const std::string delimiter : {"", "/"}) {
    for (int page = 1; page <= 4; ++page) {
      std::vector<std::string> seen;
      ListParams p{"", delimiter, page, ""};
      for (int guard = 0; guard < 100; ++guard) {
        const ListResult r = idx.list(p);
        for (const ObjectVersion& v : r.contents) seen.push_back(v.key);
        for (const std::string& cp : r.common_prefixes) seen.push_back(cp);
        if (!r.truncated) break;
        p.start_after = r.last_returned;
      }
      std::vector<std::string> all;
      const ListResult full = idx.list(ListParams{"", delimiter, 1000, ""});
      for (const ObjectVersion& v : full.contents) all.push_back(v.key);
      for (const std::string& cp : full.common_prefixes) all.push_back(cp);
      std::sort(all.begin(), all.end());
      std::sort(seen.begin(), seen.end());
      EXPECT_EQ(seen, all) << "delimiter '" << delimiter << "' page " << page;
    }
  }
}

TEST(ObjectIndex, DeletedKeysAndPrefixesAreHiddenFromList) {
  ObjectIndex idx = indexOf({"a/1", "b/1", "b/2", "c"});
  idx.insert(version("a/1", 10, /*marker=*/true));
  idx.insert(version("b/1", 11, true));
  idx.insert(version("c", 12, true));
  EXPECT_EQ(render(idx.list(ListParams{"", "/", 1000, ""})), "|b/");
  EXPECT_EQ(render(idx.list(ListParams{"", "", 1000, ""})), "b/2|");
  // A marker-only tail does not make the page look truncated.
  EXPECT_EQ(render(idx.list(ListParams{"", "/", 1, ""})), "|b/");
  const ListResult r = idx.list(ListParams{"", "", 1000, ""});
  ASSERT_EQ(r.contents.size(), 1u);
  EXPECT_TRUE(r.contents[0].is_latest);
}

TEST(ObjectIndex, ManyKeysAroundTheLimit) {
  for (int n : {0, 1, 1000, 1001}) {
    std::vector<std::string> keys;
    for (int i = 0; i < n; ++i) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "k%05d", i);
      keys.push_back(buf);
    }
    const ObjectIndex idx = indexOf(keys);
    const ListResult r = idx.list(ListParams{"", "", 1000, ""});
    EXPECT_EQ(r.contents.size(), static_cast<size_t>(std::min(n, 1000))) << n;
    EXPECT_EQ(r.truncated, n > 1000) << n;
    // More than 1000 is taken as 1000, for versions too.
    EXPECT_EQ(idx.list(ListParams{"", "", 5000, ""}).contents.size(),
              static_cast<size_t>(std::min(n, 1000)));
    const VersionListResult rv = idx.listVersions(VersionListParams{"", "", 5000, "", ""});
    EXPECT_EQ(rv.versions.size(), static_cast<size_t>(std::min(n, 1000)));
    EXPECT_EQ(rv.truncated, n > 1000);
    if (n == 1001) {
      const VersionListResult vrest =
          idx.listVersions({"", "", 1000, rv.next_key_marker, rv.next_version_id_marker});
      ASSERT_EQ(vrest.versions.size(), 1u);
      EXPECT_EQ(vrest.versions[0].key, "k01000");
      EXPECT_EQ(r.last_returned, "k00999");
      const ListResult rest = idx.list(ListParams{"", "", 1000, r.last_returned});
      ASSERT_EQ(rest.contents.size(), 1u);
      EXPECT_EQ(rest.contents[0].key, "k01000");
      EXPECT_FALSE(rest.truncated);
    }
  }
}

// ---- versions ----

std::string render(const VersionListResult& r) {
  std::string out;
  for (size_t i = 0; i < r.versions.size(); ++i) {
    const ObjectVersion& v = r.versions[i];
    out += (i ? "," : "") + v.key + "@" + std::to_string(v.seq) + (v.delete_marker ? "D" : "") +
           (v.is_latest ? "*" : "");
  }
  out += "|";
  for (size_t i = 0; i < r.common_prefixes.size(); ++i)
    out += (i ? "," : "") + r.common_prefixes[i];
  if (r.truncated) out += "|T";
  return out;
}

ObjectIndex versionedIndex() {
  ObjectIndex idx;
  idx.insert(version("a", 1));
  idx.insert(version("a", 4));
  idx.insert(version("a", 6, /*marker=*/true));
  idx.insert(version("b", 2, false, /*null=*/true));
  idx.insert(version("b", 5));
  idx.insert(version("d/1", 3));
  idx.insert(version("d/2", 7, true));
  return idx;
}

TEST(ObjectIndex, VersionsNewestFirstWithLatestFlags) {
  const ObjectIndex idx = versionedIndex();
  EXPECT_EQ(render(idx.listVersions({})), "a@6D*,a@4,a@1,b@5*,b@2,d/1@3*,d/2@7D*|");
  EXPECT_EQ(render(idx.listVersions({"", "/", 1000, "", ""})), "a@6D*,a@4,a@1,b@5*,b@2|d/");
  EXPECT_EQ(render(idx.listVersions({"d/", "", 1000, "", ""})), "d/1@3*,d/2@7D*|");
  EXPECT_EQ(render(idx.listVersions({"", "", 1000, "a", ""})), "b@5*,b@2,d/1@3*,d/2@7D*|");
  EXPECT_EQ(render(idx.listVersions({"", "", 0, "", ""})), "|");
}

TEST(ObjectIndex, VersionMarkersContinueInsideAKey) {
  const ObjectIndex idx = versionedIndex();
  VersionListResult r = idx.listVersions({"", "", 2, "", ""});
  EXPECT_EQ(render(r), "a@6D*,a@4||T");
  EXPECT_EQ(r.next_key_marker, "a");
  EXPECT_EQ(r.next_version_id_marker, r.versions[1].version_id);
  r = idx.listVersions({"", "", 2, r.next_key_marker, r.next_version_id_marker});
  EXPECT_EQ(render(r), "a@1,b@5*||T");
  r = idx.listVersions({"", "", 1, r.next_key_marker, r.next_version_id_marker});
  EXPECT_EQ(render(r), "b@2||T");
  EXPECT_EQ(r.next_version_id_marker, "null");
  r = idx.listVersions({"", "", 5, r.next_key_marker, r.next_version_id_marker});
  EXPECT_EQ(render(r), "d/1@3*,d/2@7D*|");
  EXPECT_EQ(r.next_key_marker, "");
  EXPECT_EQ(r.next_version_id_marker, "");
  // A version id marker of a version deleted since still positions by its seq.
  EXPECT_EQ(render(idx.listVersions({"", "", 1000, "a", makeVersionId(5)})),
            "a@4,a@1,b@5*,b@2,d/1@3*,d/2@7D*|");
}

TEST(ObjectIndex, VersionPagingWithCommonPrefixes) {
  const ObjectIndex idx = versionedIndex();
  std::string all;
  VersionListParams p{"", "/", 1, "", ""};
  for (int guard = 0; guard < 20; ++guard) {
    const VersionListResult r = idx.listVersions(p);
    all += render(r) + ";";
    if (!r.truncated) break;
    p.key_marker = r.next_key_marker;
    p.version_id_marker = r.next_version_id_marker;
  }
  EXPECT_EQ(all, "a@6D*||T;a@4||T;a@1||T;b@5*||T;b@2||T;|d/;");
}

TEST(ObjectIndex, FindAndErase) {
  ObjectIndex idx = versionedIndex();
  const std::string id4 = idx.find("a")->at(1).version_id;
  const ObjectVersion* v = idx.findVersion("a", id4);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->seq, 4u);
  // Same seq, another random part: a different id, not found.
  EXPECT_EQ(idx.findVersion("a", makeVersionId(4)), nullptr);
  EXPECT_EQ(idx.findVersion("a", "null"), nullptr);
  ASSERT_NE(idx.findVersion("b", "null"), nullptr);
  EXPECT_EQ(idx.findVersion("nope", id4), nullptr);
  EXPECT_FALSE(idx.erase("a", 99));
  ASSERT_TRUE(idx.erase("a", 6));
  EXPECT_EQ(idx.find("a")->front().seq, 4u);
  ASSERT_TRUE(idx.erase("d/1", 3));
  EXPECT_EQ(idx.find("d/1"), nullptr);
  EXPECT_EQ(idx.keyCount(), 3u);
  // Inserting an older version does not make it the newest.
  EXPECT_FALSE(idx.insert(version("a", 2)));
  EXPECT_TRUE(idx.insert(version("a", 8)));
}

// A random workload against a brute-force model of ListObjects.
TEST(ObjectIndex, ListMatchesBruteForce) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab/.";
  std::map<std::string, bool> model;  // key -> live
  ObjectIndex idx;
  uint64_t seq = 1;
  for (int i = 0; i < 400; ++i) {
    std::string key;
    const int len = 1 + static_cast<int>(rng() % 6);
    for (int j = 0; j < len; ++j) key += alphabet[rng() % alphabet.size()];
    const bool marker = rng() % 4 == 0;
    idx.insert(version(key, seq++, marker));
    model[key] = !marker;
  }
  for (int q = 0; q < 300; ++q) {
    ListParams p;
    for (int j = 0, n = static_cast<int>(rng() % 3); j < n; ++j)
      p.prefix += alphabet[rng() % alphabet.size()];
    p.delimiter = rng() % 2 ? "/" : "";
    p.max_keys = 1 + static_cast<int>(rng() % 30);
    for (int j = 0, n = static_cast<int>(rng() % 4); j < n; ++j)
      p.start_after += alphabet[rng() % alphabet.size()];
    // Brute force: every entry (key or common prefix) in order, deduplicated.
    std::vector<std::pair<std::string, bool>> entries;  // name, is_prefix
    for (const auto& [k, live] : model) {
      if (!live || k.compare(0, p.prefix.size(), p.prefix) != 0) continue;
      const size_t pos =
          p.delimiter.empty() ? std::string::npos : k.find(p.delimiter, p.prefix.size());
      std::pair<std::string, bool> e = pos == std::string::npos
                                           ? std::make_pair(k, false)
                                           : std::make_pair(k.substr(0, pos + 1), true);
      if (e.first <= p.start_after) continue;
      if (!entries.empty() && entries.back() == e) continue;
      entries.push_back(e);
    }
    std::string expected;
    std::string exp_keys, exp_cps;
    for (size_t j = 0; j < entries.size() && j < static_cast<size_t>(p.max_keys); ++j) {
      std::string& out = entries[j].second ? exp_cps : exp_keys;
      out += (out.empty() ? "" : ",") + entries[j].first;
    }
    expected =
        exp_keys + "|" + exp_cps + (entries.size() > static_cast<size_t>(p.max_keys) ? "|T" : "");
    ASSERT_EQ(render(idx.list(p)), expected)
        << "prefix '" << p.prefix << "' delim '" << p.delimiter << "' max " << p.max_keys
        << " after '" << p.start_after << "'";
  }
}

}  // namespace
}  // namespace edge::s3
