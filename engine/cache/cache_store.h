// The in-memory cache shared by every worker loop (pipeline steps 6, 7b and 11; DESIGN.md).
//
// Storage only: which objects exist, their byte budget, and the in-flight fills that requests
// collapse onto. No HTTP semantics: the pipeline decides cacheability (policies/ttl.h) and
// freshness (policies/freshness.h) and never reads the clock through the store.
//
// Sharding: N shards (a power of two) chosen by the high bits of the key's XXH3-128 hash. Each
// shard has its own mutex, object map, CollapseTable and EvictionPolicy (budget = total / N), so
// workers on different keys do not contend. The hit path takes one shard mutex for a map probe,
// a full-key compare and a policy counter bump; the body is then read without any lock.
//
// Keys: a shard's map is keyed by the KeyId (the hash's low 64 bits, what the eviction policy
// tracks), which keeps KeyId -> object one-to-one as eviction_policy.h requires. A hit also
// compares the high 64 bits and the full key text, so a collision never returns another key's
// object; a colliding insert replaces the older object (onErase, then onInsert).
//
// Budget: an object is charged (CachedObject::charge) when it is published, that is when its fill
// completes; a fill in progress is not charged. Its memory is bounded by the max object size
// (beyond it the fill stops being stored and trims what its readers have read), so in-flight
// memory is at most (fills in flight) x max object size; stats().fills_inflight is the gauge.
// Charging bytes as they arrive would evict objects for fills that may still fail, and each
// re-charge would count as an access in S3-FIFO. Objects still held by readers after eviction
// also use memory outside the budget until those readers finish.
//
// Threads: every CacheStore method is thread-safe. FillPermit and BodyReader are not: each is
// used by one thread (its loop). The store outlives every FillPermit; BodyReaders and object
// pointers may outlive it.
//
// Lock order: shard mutex, then an object's mutex, then a Loop's post queue. Nothing is called
// back under a shard mutex except the invalidate() predicate; objects removed under the mutex are
// released after it is dropped.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/cache/cached_object.h"
#include "engine/cache/collapse_table.h"
#include "engine/cache/eviction_policy.h"
#include "policies/cache_key.h"
#include "policies/viewer_response.h"

namespace edge::engine {

class Loop;

struct CacheStoreOptions {
  uint64_t memory_bytes = 256ull << 20;  // Edge.CacheMemoryBytes: all shards together
  // Bodies larger than this are streamed to their readers but never stored (Edge config value
  // to come). The effective limit is also at most one shard's budget.
  uint64_t max_object_bytes = 64ull << 20;
  uint32_t shards = 16;  // rounded up to a power of two; 0 means 1
  EvictionKind eviction = EvictionKind::S3Fifo;
};

// Counters, summed over shards on demand (relaxed atomic loads, no lock).
struct CacheStats {
  uint64_t objects = 0;         // gauge: objects stored
  uint64_t bytes = 0;           // gauge: their charge (≤ memory_bytes)
  uint64_t fills_inflight = 0;  // gauge: fills started and not finished
  uint64_t hits = 0;            // lookup / join found a stored object
  uint64_t misses = 0;          // lookup found nothing
  uint64_t inserts = 0;         // objects stored (completed fills, insert, refresh)
  uint64_t evictions = 0;       // objects the eviction policy removed to make room
  uint64_t erased = 0;          // objects removed by erase or invalidate
  uint64_t fills = 0;           // fills started (join as Leader, startFill)
  uint64_t collapsed = 0;       // joins that became Followers of a fill in flight
  uint64_t fill_failures = 0;   // fills abandoned (FillPermit::abandon or dropped)
  uint64_t too_large = 0;       // fills or inserts not stored because of their size

  CacheStats& operator+=(const CacheStats& o);
  bool operator==(const CacheStats&) const = default;
};
std::ostream& operator<<(std::ostream& os, const CacheStats& s);

// The leader's right, and duty, to fill one object (Pingora's WritePermit). Move-only; used on
// one thread. Every permit ends in exactly one of complete() or abandon(); a permit destroyed
// unfinished abandons with FillFailure::LeaderGone, so followers are always woken. After either,
// the permit is empty.
class FillPermit {
 public:
  FillPermit() = default;
  ~FillPermit();
  FillPermit(FillPermit&& o) noexcept;
  FillPermit& operator=(FillPermit&& o) noexcept;
  FillPermit(const FillPermit&) = delete;
  FillPermit& operator=(const FillPermit&) = delete;

  explicit operator bool() const { return obj_ != nullptr; }
  CachedObjectPtr object() const { return obj_; }
  bool collapsed() const { return collapsed_; }  // started in the collapse table (not startFill)

  // The origin's response head, once the pipeline decided it may be stored and shared.
  // `declared_length` (Content-Length): a body known to exceed the max object size is marked
  // not-to-be-stored before any byte arrives. Wakes the readers.
  void setHead(ObjectHead head, std::optional<uint64_t> declared_length = std::nullopt);
  // Body bytes, in order. Precondition: setHead was called. Wakes the readers. Once the body
  // exceeds the max object size the fill is no longer stored (see CacheStore) but keeps
  // streaming to its readers.
  void append(std::string_view bytes);  // copies once, into a new chunk
  void append(std::string&& bytes);     // takes the buffer
  void append(BodyChunk chunk);         // shares it
  // A 304 revalidation (§3.6): the new object's body is the stored object's chunks, shared
  // without copying. Precondition: `stored` is Complete and not streaming-only.
  void appendBodyOf(const CachedObject& stored);

  // False once the fill is known not to be stored for its size: the pipeline may then stop the
  // origin fetch when object()->readerCount() drops to 0.
  bool storing() const { return obj_ != nullptr && !obj_->streamingOnly(); }

  // The body is whole: marks the object Complete (waking readers), takes it out of the collapse
  // table and, unless it was found too large or invalidated meanwhile, stores it (replacing any
  // older object of the key). Precondition: setHead was called (otherwise the fill is abandoned
  // as Truncated and NotComplete is returned).
  StoreOutcome complete();
  // The fill will not complete: marks the object Failed with `failure` (and the edge error the
  // leader answers with, for OriginFailed), releases its chunks and wakes the followers.
  void abandon(FillFailure failure, std::optional<policies::EdgeErrorKind> error = std::nullopt);

 private:
  friend class CacheStore;
  FillPermit(CacheStore* store, std::shared_ptr<CachedObject> obj, bool collapsed)
      : store_(store), obj_(std::move(obj)), collapsed_(collapsed) {}
  void checkSize();

  CacheStore* store_ = nullptr;
  std::shared_ptr<CachedObject> obj_;
  bool collapsed_ = false;
};

// A stored object and the hits its key has served (CacheStore::topEntries).
struct StoredEntry {
  CachedObjectPtr object;
  // Lookups and joins that found the key stored, counted from when the key was first stored:
  // kept when a newer version of the key (a refetch, a 304 refresh) replaces the object, gone
  // when the key leaves the store (evicted, erased, invalidated).
  uint64_t hits = 0;
};

// What join / startFill made of a request.
struct JoinResult {
  JoinRole role = JoinRole::Leader;
  FillPermit permit;  // Leader only
  // Every role: the object to serve, subscribed with the caller's wake callback (a Hit's object
  // is Complete and needs none). The leader may drop it and write the origin bytes directly.
  BodyReader reader;
};

class CacheStore {
 public:
  explicit CacheStore(const CacheStoreOptions& options);
  ~CacheStore();  // Precondition: no FillPermit is alive.
  CacheStore(const CacheStore&) = delete;
  CacheStore& operator=(const CacheStore&) = delete;

  // The stored (Complete) object of `key`, or null. A hit counts as an access for eviction.
  // Freshness is the caller's business (policies::evaluateFreshness on object->freshness()).
  CachedObjectPtr lookup(const policies::CacheKey& key);
  // Counts an access to `key`'s stored object, if any (no-op otherwise).
  void touch(const policies::CacheKey& key);

  // A miss (or a stale object to refetch, passed as `replacing`): collapse onto the fill in
  // flight for `key`, or lead a new one. `path`: CacheKeyParts::pathAndQuery(), what
  // invalidations match. `wake` runs on `loop` whenever the object has news (see BodyReader).
  // Roles:
  //   Hit       a stored object other than `replacing` exists (published since the caller's
  //             lookup): serve it (evaluate its freshness as for a lookup).
  //   Follower  read result.reader; the subscription is made atomically with the join, so even
  //             a fill that turns out too large streams every byte to its followers.
  //   Leader    fetch, then result.permit.setHead / append / complete, or abandon.
  // A 64-bit KeyId collision with another key's fill makes the caller a non-collapsed Leader.
  JoinResult join(const policies::CacheKey& key, std::string path, Loop& loop,
                  std::function<void()> wake, const CachedObject* replacing = nullptr);
  // A fill that never collapses (§9.3 cases the pipeline decides: cookies forwarded, …), nor
  // takes a Hit. Always a Leader; the result may still be stored on completion.
  JoinResult startFill(const policies::CacheKey& key, std::string path, Loop& loop,
                       std::function<void()> wake);

  // Stores a Complete object built elsewhere (CachedObject::makeComplete), replacing any older
  // object of its key. NotComplete / TooLarge when it cannot be stored.
  StoreOutcome insert(CachedObjectPtr obj);
  // §3.6 a 304 refreshed `old`: a Complete object with `head` and old's body (shared chunks),
  // stored only if `old` is still its key's stored object (else Superseded: an invalidation or a
  // newer object wins). The new object is returned either way, for the caller to serve.
  struct Refreshed {
    CachedObjectPtr object;
    StoreOutcome outcome = StoreOutcome::NotComplete;
  };
  Refreshed refresh(const CachedObjectPtr& old, ObjectHead head);

  // Removes `key`'s stored object (expired and not worth keeping); with `only`, only if that is
  // still the stored object. Fills in flight are not affected. True if something was removed.
  bool erase(const policies::CacheKey& key, const CachedObject* only = nullptr);
  // §8: removes every stored object whose path matches (all its variants: headers, cookies,
  // encodings), and marks every matching fill in flight whose response head has arrived
  // not-to-be-stored (it keeps streaming to its readers; new requests fetch afresh). A fill
  // still awaiting its head gets a post-invalidation response and is left alone. `matches` runs
  // under shard mutexes: it must not call into the store. Returns the number of stored objects
  // removed. engine/admin's CacheInvalidator adapts to this with
  // `store.invalidate([&](std::string_view p) { return matcher.matches(p); })`.
  size_t invalidate(const std::function<bool(std::string_view path)>& matches);

  CacheStats stats() const;
  CacheStats shardStats(size_t shard) const;

  // The most-hit stored objects, at most `limit` (capped at kMaxTopEntries): most hits first,
  // ties by larger charge, then by key text. For the admin dashboard; any thread. Visits the
  // shards in turn and, under each one's mutex, walks its objects keeping the best `limit` (the
  // same walk invalidate() makes: O(objects x log limit), and only the final `limit` object
  // pointers are copied under the lock). The hit path pays nothing for this beyond a counter
  // increment on the map node it already reads. Shards are read one after the other, so their
  // figures may be a few operations apart.
  static constexpr size_t kMaxTopEntries = 1000;
  std::vector<StoredEntry> topEntries(size_t limit) const;

  size_t shardCount() const { return shard_count_; }
  size_t shardOf(const policies::CacheKey& key) const { return shardIndex(key.hash); }
  uint64_t shardBudget() const { return shard_budget_; }
  // The largest body that can be stored: min(max_object_bytes, shard budget).
  uint64_t storableBodyBytes() const { return storable_body_; }
  // The shard count edged runs with: the largest power of two ≤ `max_shards` whose shard budget
  // (memory / shards) still holds a `max_object_bytes` body, so Edge.MaxCacheObjectBytes means
  // what it says (with 16 fixed shards, 256 MiB of cache stored nothing over 16 MiB while the
  // limit said 64 MiB: found by the hostile-viewer tests). At least 1.
  static uint32_t shardCountFor(uint64_t memory_bytes, uint64_t max_object_bytes,
                                uint32_t max_shards = 16);

 private:
  friend class FillPermit;
  struct Shard;

  size_t shardIndex(const XXH128_hash_t& hash) const {
    return static_cast<size_t>(hash.high64) & (shard_count_ - 1);
  }
  Shard& shardFor(const XXH128_hash_t& hash) const;
  JoinResult startLocked(Shard& sh, const policies::CacheKey& key, std::string path, Loop& loop,
                         std::function<void()> wake, bool collapse);
  // Under sh.mu: publishes `obj`; removed objects go to `dead` (released after the unlock).
  StoreOutcome insertLocked(Shard& sh, CachedObjectPtr obj, std::vector<CachedObjectPtr>& dead);
  // FillPermit: the fill will not be stored (too large); it leaves the collapse table, trims.
  void detachTooLarge(CachedObject& obj);
  // FillPermit: the fill ended; publishes it when `completed` and nothing stands against it.
  StoreOutcome finishFill(const std::shared_ptr<CachedObject>& obj, bool completed);

  size_t shard_count_ = 1;
  uint64_t shard_budget_ = 0;
  uint64_t storable_body_ = 0;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace edge::engine
