// A per-worker memo of successful signature verifications (issue item 3): a signed URL or
// cookie seen again skips the base64 decoding, the JSON parse and the RSA/ECDSA verification,
// and costs a hash lookup plus the per-request condition checks (time window, IP, Resource).
//
// What is remembered: the digest (XXH3-128) of the credentials as sent — key id, hash
// algorithm, Policy text (custom) or resource URL and Expires (canned), Signature text — and
// the policy those credentials were verified to carry. Only verified signatures are inserted;
// failures are never remembered. An entry lives no longer than its policy's DateLessThan (an
// expired entry is never returned), and the memo is bounded (least recently used entries go
// first, after the expired ones).
//
// Why a non-cryptographic digest is safe here: a hit only hands back a policy that a trusted
// key really signed, and the request is then checked against THAT policy (its Resource, time
// window and IP; the exact URL for a canned policy) and the entry's key id must equal the
// presented one. A forged digest collision can therefore grant only what the signer allowed.
//
// Threads: none. One memo per worker loop; not thread-safe. Pure: `now` is passed in.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "policies/signed_keys.h"
#include "policies/signed_policy.h"

namespace edge::policies {

struct MemoDigest {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const MemoDigest&) const = default;
};

// The credentials fields that identify one verification. Views; nothing is copied.
struct MemoKeyParts {
  std::string_view key_pair_id;
  SignatureHash hash = SignatureHash::Sha1;
  bool canned = false;
  std::string_view policy_or_expires;  // the Policy text (custom) or the Expires text (canned)
  std::string_view resource;           // canned only: the request URL the policy names
  std::string_view signature;          // the Signature text as sent
};

class SignatureMemo {
 public:
  static constexpr size_t kDefaultCapacity = 65536;
  explicit SignatureMemo(size_t capacity = kDefaultCapacity);
  SignatureMemo(const SignatureMemo&) = delete;
  SignatureMemo& operator=(const SignatureMemo&) = delete;

  // XXH3-128 over the parts, each length-prefixed (no two different part lists hash the same
  // byte string). Uses an internal buffer: not reentrant, like the rest of the memo.
  MemoDigest digest(const MemoKeyParts& parts);

  // The policy verified for `digest` with key `key_pair_id`, or null: unknown, another key id,
  // or expired at `now` (now >= DateLessThan; the entry is dropped). A hit becomes the most
  // recently used entry. The pointer is valid until the next insert()/clear().
  const SignedPolicy* find(const MemoDigest& digest, std::string_view key_pair_id, int64_t now);

  // Remembers a SUCCESSFUL verification. Ignored when the policy is already expired at `now`.
  // When full, expired entries are swept first (at most once per second of `now`), then the
  // least recently used entries are dropped.
  void insert(const MemoDigest& digest, std::string_view key_pair_id, const SignedPolicy& policy,
              int64_t now);

  void clear();
  size_t size() const { return index_.size(); }
  size_t capacity() const { return capacity_; }

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t inserts = 0;
    uint64_t expired = 0;  // entries dropped because their policy had expired
    uint64_t evicted = 0;  // live entries dropped for room
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Entry {
    MemoDigest digest;
    std::string key_pair_id;
    SignedPolicy policy;
  };
  struct DigestHash {
    size_t operator()(const MemoDigest& d) const { return static_cast<size_t>(d.low); }
  };
  using Lru = std::list<Entry>;  // front = most recently used

  void erase(Lru::iterator it);
  void makeRoom(int64_t now);

  size_t capacity_;
  Lru lru_;
  std::unordered_map<MemoDigest, Lru::iterator, DigestHash> index_;
  int64_t last_sweep_ = INT64_MIN;
  std::string scratch_;  // digest() input
  Stats stats_;
};

}  // namespace edge::policies
