#include "policies/signature_memo.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include <xxhash.h>

namespace edge::policies {

namespace {

void appendPart(std::string& out, std::string_view part) {
  const auto n = static_cast<uint32_t>(part.size());
  char len[4];
  std::memcpy(len, &n, sizeof len);
  out.append(len, sizeof len);
  out.append(part);
}

bool expiredAt(const SignedPolicy& p, int64_t now) { return !(now < p.date_less_than); }

}  // namespace

SignatureMemo::SignatureMemo(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
  index_.reserve(std::min<size_t>(capacity_, 4096));
}

MemoDigest SignatureMemo::digest(const MemoKeyParts& parts) {
  scratch_.clear();
  scratch_ += parts.canned ? 'C' : 'P';
  scratch_ += parts.hash == SignatureHash::Sha1 ? '1' : '2';
  appendPart(scratch_, parts.key_pair_id);
  appendPart(scratch_, parts.policy_or_expires);
  appendPart(scratch_, parts.resource);
  appendPart(scratch_, parts.signature);
  const XXH128_hash_t h = XXH3_128bits(scratch_.data(), scratch_.size());
  return {h.low64, h.high64};
}

const SignedPolicy* SignatureMemo::find(const MemoDigest& digest, std::string_view key_pair_id,
                                        int64_t now) {
  const auto it = index_.find(digest);
  if (it == index_.end() || it->second->key_pair_id != key_pair_id) {
    ++stats_.misses;
    return nullptr;
  }
  if (expiredAt(it->second->policy, now)) {
    ++stats_.expired;
    ++stats_.misses;
    erase(it->second);
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->policy;
}

void SignatureMemo::insert(const MemoDigest& digest, std::string_view key_pair_id,
                           const SignedPolicy& policy, int64_t now) {
  if (expiredAt(policy, now)) return;
  if (const auto it = index_.find(digest); it != index_.end()) erase(it->second);
  makeRoom(now);
  lru_.push_front(Entry{digest, std::string(key_pair_id), policy});
  index_.emplace(digest, lru_.begin());
  ++stats_.inserts;
}

void SignatureMemo::clear() {
  lru_.clear();
  index_.clear();
}

void SignatureMemo::erase(Lru::iterator it) {
  index_.erase(it->digest);
  lru_.erase(it);
}

void SignatureMemo::makeRoom(int64_t now) {
  if (index_.size() < capacity_) return;
  if (now != last_sweep_) {
    last_sweep_ = now;
    for (auto it = lru_.begin(); it != lru_.end();) {
      const auto next = std::next(it);
      if (expiredAt(it->policy, now)) {
        ++stats_.expired;
        erase(it);
      }
      it = next;
    }
  }
  while (index_.size() >= capacity_) {
    ++stats_.evicted;
    erase(std::prev(lru_.end()));
  }
}

}  // namespace edge::policies
