#include "origin/s3/object_index.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "origin/s3/version_id.h"

namespace edge::s3 {

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// The common prefix `key` rolls up into: up to and including the first delimiter after
// `prefix`; nullopt without a delimiter or when none follows the prefix.
std::optional<std::string> commonPrefixOf(const std::string& key, const std::string& prefix,
                                          const std::string& delimiter) {
  if (delimiter.empty()) return std::nullopt;
  const size_t pos = key.find(delimiter, prefix.size());
  if (pos == std::string::npos) return std::nullopt;
  return key.substr(0, pos + delimiter.size());
}

bool isLive(const VersionChain& chain) { return !chain.front().delete_marker; }

}  // namespace

const VersionChain* ObjectIndex::find(const std::string& key) const {
  const auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

const ObjectVersion* ObjectIndex::findVersion(const std::string& key,
                                              std::string_view version_id) const {
  const VersionChain* chain = find(key);
  if (chain == nullptr) return nullptr;
  if (version_id == kNullVersionId) {
    for (const ObjectVersion& v : *chain) {
      if (v.version_id == kNullVersionId) return &v;
    }
    return nullptr;
  }
  const std::optional<uint64_t> seq = versionIdSeq(version_id);
  if (!seq) return nullptr;
  // Highest seq first: binary search with the order reversed.
  const auto it = std::lower_bound(chain->begin(), chain->end(), *seq,
                                   [](const ObjectVersion& v, uint64_t s) { return v.seq > s; });
  if (it == chain->end() || it->seq != *seq || it->version_id != version_id) return nullptr;
  return &*it;
}

bool ObjectIndex::insert(ObjectVersion v) {
  VersionChain& chain = keys_[v.key];
  const auto it = std::lower_bound(chain.begin(), chain.end(), v.seq,
                                   [](const ObjectVersion& e, uint64_t s) { return e.seq > s; });
  if (it != chain.end() && it->seq == v.seq) {
    // Seqs come from one atomic counter: a duplicate means the store's own state is broken.
    std::fprintf(stderr, "object index: duplicate seq %llu for one key\n",
                 static_cast<unsigned long long>(v.seq));
    std::abort();
  }
  v.is_latest = false;
  const bool newest = it == chain.begin();
  chain.insert(it, std::move(v));
  return newest;
}

std::optional<ObjectVersion> ObjectIndex::erase(const std::string& key, uint64_t seq) {
  const auto k = keys_.find(key);
  if (k == keys_.end()) return std::nullopt;
  VersionChain& chain = k->second;
  const auto it = std::find_if(chain.begin(), chain.end(),
                               [&](const ObjectVersion& v) { return v.seq == seq; });
  if (it == chain.end()) return std::nullopt;
  ObjectVersion out = std::move(*it);
  chain.erase(it);
  if (chain.empty()) keys_.erase(k);
  return out;
}

ObjectIndex::Map::const_iterator ObjectIndex::pastPrefix(const std::string& prefix) const {
  // The smallest string greater than every string starting with `prefix`: drop trailing 0xff
  // bytes, then increment the last byte. All 0xff (never UTF-8) means "to the end".
  std::string next = prefix;
  while (!next.empty() && static_cast<unsigned char>(next.back()) == 0xff) next.pop_back();
  if (next.empty()) return keys_.end();
  next.back() = static_cast<char>(static_cast<unsigned char>(next.back()) + 1);
  return keys_.lower_bound(next);
}

ListResult ObjectIndex::list(const ListParams& p) const {
  ListResult r;
  if (p.max_keys <= 0) return r;
  const size_t max = static_cast<size_t>(std::min(p.max_keys, kMaxListKeys));
  size_t count = 0;
  auto it =
      p.start_after < p.prefix ? keys_.lower_bound(p.prefix) : keys_.upper_bound(p.start_after);
  while (it != keys_.end() && startsWith(it->first, p.prefix)) {
    std::optional<std::string> cp = commonPrefixOf(it->first, p.prefix, p.delimiter);
    if (!cp) {
      if (isLive(it->second)) {
        if (count == max) {
          r.truncated = true;
          break;
        }
        r.contents.push_back(it->second.front());
        r.contents.back().is_latest = true;
        r.last_returned = it->first;
        ++count;
      }
      ++it;
      continue;
    }
    // A common prefix at or before start_after was returned on an earlier page.
    if (*cp <= p.start_after) {
      it = pastPrefix(*cp);
      continue;
    }
    // It is listed only if some key under it is not deleted.
    while (it != keys_.end() && startsWith(it->first, *cp) && !isLive(it->second)) ++it;
    if (it == keys_.end() || !startsWith(it->first, *cp)) continue;
    if (count == max) {
      r.truncated = true;
      break;
    }
    r.common_prefixes.push_back(*cp);
    r.last_returned = *cp;
    ++count;
    it = pastPrefix(*cp);
  }
  return r;
}

VersionListResult ObjectIndex::listVersions(const VersionListParams& p) const {
  VersionListResult r;
  if (p.max_keys <= 0) return r;
  const size_t max = static_cast<size_t>(std::min(p.max_keys, kMaxListKeys));
  size_t count = 0;
  // Returns false when the page is full and `v` is left for the next one.
  const auto emit = [&](const ObjectVersion& v, bool latest) {
    if (count == max) {
      r.truncated = true;
      return false;
    }
    r.versions.push_back(v);
    r.versions.back().is_latest = latest;
    r.next_key_marker = v.key;
    r.next_version_id_marker = v.version_id;
    ++count;
    return true;
  };

  Map::const_iterator it;
  if (p.key_marker.empty()) {
    it = keys_.lower_bound(p.prefix);
  } else {
    it = p.key_marker < p.prefix ? keys_.lower_bound(p.prefix) : keys_.upper_bound(p.key_marker);
    // With a version-id marker, the marker key's versions older than that version come first
    // (ids carry their seq, so this works even when that version has since been deleted).
    const auto marked = keys_.find(p.key_marker);
    if (!p.version_id_marker.empty() && marked != keys_.end() &&
        startsWith(p.key_marker, p.prefix) &&
        !commonPrefixOf(p.key_marker, p.prefix, p.delimiter)) {
      std::optional<uint64_t> below;
      if (p.version_id_marker == kNullVersionId) {
        const ObjectVersion* null_version = findVersion(p.key_marker, kNullVersionId);
        if (null_version != nullptr) below = null_version->seq;
      } else {
        below = versionIdSeq(p.version_id_marker);
      }
      if (below) {
        const VersionChain& chain = marked->second;
        for (size_t i = 0; i < chain.size(); ++i) {
          if (chain[i].seq < *below && !emit(chain[i], i == 0)) break;
        }
      }
    }
  }

  while (!r.truncated && it != keys_.end() && startsWith(it->first, p.prefix)) {
    std::optional<std::string> cp = commonPrefixOf(it->first, p.prefix, p.delimiter);
    if (cp) {
      if (*cp > p.key_marker) {
        if (count == max) {
          r.truncated = true;
          break;
        }
        r.common_prefixes.push_back(*cp);
        r.next_key_marker = *cp;
        r.next_version_id_marker.clear();
        ++count;
      }
      it = pastPrefix(*cp);
      continue;
    }
    const VersionChain& chain = it->second;
    for (size_t i = 0; i < chain.size(); ++i) {
      if (!emit(chain[i], i == 0)) break;
    }
    ++it;
  }
  if (!r.truncated) {
    r.next_key_marker.clear();
    r.next_version_id_marker.clear();
  }
  return r;
}

}  // namespace edge::s3
