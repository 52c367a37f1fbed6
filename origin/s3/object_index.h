// The object store's in-memory index of one bucket: every key (byte order) and its versions,
// newest (highest seq) first, with S3's ListObjects and ListObjectVersions over it. No I/O;
// owned by the store's owner thread. Listing walks the sorted map from a lower_bound and jumps
// over a rolled-up common prefix with another lower_bound, so a page costs O(log n) per common
// prefix plus the entries returned (and the keys whose current version is a delete marker,
// which ListObjects skips one by one).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "origin/s3/object_store.h"

namespace edge::s3 {

inline constexpr int kMaxListKeys = 1000;  // S3's page limit

// The versions of one key, highest seq first; never empty inside the index.
using VersionChain = std::vector<ObjectVersion>;

class ObjectIndex {
 public:
  const VersionChain* find(const std::string& key) const;
  // The version of `key` with this id ("null" included), or nullptr.
  const ObjectVersion* findVersion(const std::string& key, std::string_view version_id) const;
  // Inserts `v` at its seq position (a seq already present is a bug: EDGE_CHECK-style abort).
  // Returns true when it became the newest version of its key.
  bool insert(ObjectVersion v);
  // Removes the version of `key` with `seq`; returns it, or nullopt when there is none.
  std::optional<ObjectVersion> erase(const std::string& key, uint64_t seq);

  bool empty() const { return keys_.empty(); }
  size_t keyCount() const { return keys_.size(); }

  // ListObjects(V2): max_keys above kMaxListKeys is taken as kMaxListKeys, 0 or less lists
  // nothing (the store refuses negatives before calling).
  ListResult list(const ListParams& p) const;
  // ListObjectVersions: max_keys as list(); params already validated (a version_id_marker is
  // "null" or well-formed and comes with a key_marker).
  VersionListResult listVersions(const VersionListParams& p) const;

 private:
  using Map = std::map<std::string, VersionChain, std::less<>>;
  // The first key that does not start with `prefix` (prefix non-empty).
  Map::const_iterator pastPrefix(const std::string& prefix) const;

  Map keys_;
};

}  // namespace edge::s3
