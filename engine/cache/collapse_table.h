// Request collapsing (cloudfront-behavior.md §9.3): while one origin fetch for a cache key is in
// flight, later requests with the same key read that fetch's object as it arrives instead of
// fetching again.
//
// Per key, the state lives in the in-flight object itself (FillState, cached_object.h):
//   no entry      the next join becomes the Leader and gets the FillPermit (cache_store.h)
//   AwaitingHead  joins become Followers; they wait for the head
//   Filling       joins become Followers; they get the bytes so far, then the rest
//   Complete      the fill is being published; joins still become Followers (and read it all)
//   Failed        the entry is dead: the next join replaces it and becomes the new Leader
// The entry leaves the table when the fill completes (it is then in the store), fails, is found
// too large (it keeps streaming to the readers it has, but nobody new joins a body whose start
// was already released) or is invalidated.
//
// CollapseTable is the per-shard bookkeeping: no locks of its own, used under the CacheStore
// shard mutex, never calls out. Collapsing itself is decided by the pipeline: §9.3 turns it off
// (caching disabled, cookies forwarded, uncacheable objects) and the pipeline then calls
// CacheStore::startFill, which never collapses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "engine/cache/cached_object.h"
#include "policies/cache_key.h"

namespace edge::engine {

// What CacheStore::join made of a request.
enum class JoinRole : uint8_t {
  Leader,    // you hold the FillPermit: fetch from the origin and fill the object
  Follower,  // another request is fetching this key: read its object as it arrives
  Hit,       // the object was published between your lookup and your join: serve it
};
std::string_view toString(JoinRole r);
std::ostream& operator<<(std::ostream& os, JoinRole r);

// What a follower should do when the fill it reads fails.
enum class FollowerAction : uint8_t {
  Rejoin,      // join again: one of the waiting requests becomes the new leader (bound the
               // number of attempts, then FetchAlone)
  FetchAlone,  // fetch from the origin without collapsing (the response may not be shared)
  ServeError,  // answer with the leader's edge error (CachedObject::error()) rather than send
               // another request to an origin that just failed
  Abort,       // the response head is already sent: close the viewer connection (truncated)
};
std::string_view toString(FollowerAction a);
std::ostream& operator<<(std::ostream& os, FollowerAction a);

// Pure. `response_started`: the follower already sent the viewer a response head.
FollowerAction adviseFollower(FillFailure failure, bool has_error, bool response_started);

class CollapseTable {
 public:
  enum class Slot : uint8_t {
    Free,       // no live fill for this key: the caller may lead
    Joinable,   // a live fill of this very key: follow it
    Collision,  // a live fill of a different key with the same 64-bit KeyId: do not collapse
  };
  struct Found {
    Slot slot = Slot::Free;
    std::shared_ptr<CachedObject> fill;  // Joinable only
  };

  Found find(const policies::CacheKey& key) const;
  // Makes `fill` the key's entry (replacing a Failed one) and tracks it.
  void lead(std::shared_ptr<CachedObject> fill);
  // Removes `fill`'s entry if it is still the entry of its key. True if it was.
  bool release(const CachedObject& fill);

  // Every fill in flight, collapsed or not (invalidations must reach uncollapsed fills too).
  void track(CachedObject* fill) { inflight_.insert(fill); }
  void untrack(CachedObject* fill) { inflight_.erase(fill); }
  template <class Fn>
  void forEachInflight(Fn&& fn) const {
    for (CachedObject* f : inflight_) fn(*f);
  }

  size_t leaders() const { return entries_.size(); }
  size_t inflight() const { return inflight_.size(); }

 private:
  std::unordered_map<KeyId, std::shared_ptr<CachedObject>> entries_;
  // Non-owning: a FillPermit untracks its object before letting go of it.
  std::unordered_set<CachedObject*> inflight_;
};

}  // namespace edge::engine
