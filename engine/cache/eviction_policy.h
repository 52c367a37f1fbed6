// Eviction policy: decides which cached objects leave a byte-bounded shard. Pure bookkeeping.
//
// "Eviction decides and storage acts" (STYLE a.2, b step 11): a policy never touches objects, it
// only tracks (KeyId, bytes) pairs and hands back the KeyIds the store must remove. One instance
// per store shard; the store calls it under the shard lock, so a policy has no locks and no
// thread affinity of its own. No I/O, no clock.
//
// Contract shared by every policy (tests/engine/cache/eviction_policy_test.cc checks it):
//   * After onInsert returns, bytes() <= budget().
//   * onInsert appends to victims_out exactly the KeyIds that stopped being tracked during the
//     call, each once. The store must then drop those objects (without calling onErase for them).
//   * An object larger than the budget is rejected: its own id is appended to victims_out and it
//     is not tracked afterwards (if an older version was tracked, that one is dropped too).
//   * Re-inserting a tracked id replaces its size (the store replaced the object) and counts as
//     an access; the id is never its own victim unless rejected for size.
//   * onHit/onErase of an id that is not tracked are no-ops.
//
// KeyId: the store derives it from the cache key's 128-bit XXH3 hash (the low 64 bits are as good
// as any). Distinct keys may collide on 64 bits (~n²/2^65 for n objects: ~3e-8 at 1M objects);
// that is the store's problem, not the policy's: the store must keep KeyId -> entry one-to-one,
// e.g. by erasing (onErase) the older entry before inserting a colliding new key, or by refusing
// to cache the newcomer. A policy treats equal KeyIds as the same object.
//
// Bytes: whatever the store charges for an object (body + headers + its per-entry overhead).
// Zero is allowed. The policy never allocates those bytes; it only adds them up.
//
// Cost: every operation is O(1) amortized. Policies keep their nodes in index-linked slabs over
// std::vector and their key index open-addressed, so steady state (a full cache with churn)
// allocates nothing; memory grows only with the peak number of tracked (and ghost) keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

namespace edge::engine {

using KeyId = uint64_t;

enum class EvictionKind {
  Lru,     // classic least-recently-used by bytes: every hit moves the object to the front
  S3Fifo,  // S3-FIFO: small probation FIFO + main FIFO with 2-bit frequency + ghost of small's
           // evictions (Yang et al., SOSP'23); scan resistant, hits are a counter bump
  Sieve,   // SIEVE: one FIFO, a visited bit and a moving hand (Zhang et al., NSDI'24)
};
std::string_view toString(EvictionKind kind);
std::ostream& operator<<(std::ostream& os, EvictionKind kind);
// "lru", "s3fifo", "sieve" (config spelling; exact, lower-case). nullopt for anything else.
std::optional<EvictionKind> parseEvictionKind(std::string_view name);

class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;

  // The store has just stored `id` (new or replaced) charging `bytes`. Makes room by choosing
  // victims, appends them to `victims_out` (never clears it), then tracks `id`, unless
  // bytes > budget(), in which case `id` itself is appended and is not tracked.
  virtual void onInsert(KeyId id, uint64_t bytes, std::vector<KeyId>& victims_out) = 0;
  // The store served `id` from cache. No-op for an untracked id.
  virtual void onHit(KeyId id) = 0;
  // The store removed `id` on its own (invalidation, expiry, failed write). Stops tracking it
  // without treating it as an eviction (S3-FIFO does not remember it in its ghost queue).
  // No-op for an untracked id.
  virtual void onErase(KeyId id) = 0;

  virtual bool contains(KeyId id) const = 0;  // tracked right now
  virtual uint64_t bytes() const = 0;         // sum of the tracked objects' bytes
  virtual size_t size() const = 0;            // number of tracked objects
  virtual uint64_t budget() const = 0;
  virtual EvictionKind kind() const = 0;
};
using EvictionPolicyPtr = std::unique_ptr<EvictionPolicy>;

// A policy that keeps bytes() <= budget_bytes.
EvictionPolicyPtr makeEvictionPolicy(EvictionKind kind, uint64_t budget_bytes);

}  // namespace edge::engine
