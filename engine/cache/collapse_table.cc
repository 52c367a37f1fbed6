#include "engine/cache/collapse_table.h"

namespace edge::engine {

std::string_view toString(JoinRole r) {
  switch (r) {
    case JoinRole::Leader:
      return "leader";
    case JoinRole::Follower:
      return "follower";
    case JoinRole::Hit:
      return "hit";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, JoinRole r) { return os << toString(r); }

std::string_view toString(FollowerAction a) {
  switch (a) {
    case FollowerAction::Rejoin:
      return "rejoin";
    case FollowerAction::FetchAlone:
      return "fetch-alone";
    case FollowerAction::ServeError:
      return "serve-error";
    case FollowerAction::Abort:
      return "abort";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, FollowerAction a) { return os << toString(a); }

FollowerAction adviseFollower(FillFailure failure, bool has_error, bool response_started) {
  // Bytes of a response are already out: no other answer can follow them on this connection.
  if (response_started) return FollowerAction::Abort;
  switch (failure) {
    case FillFailure::Uncacheable:
      // §9.3 (inf): the leader's response is not shareable; each follower asks for its own.
      return FollowerAction::FetchAlone;
    case FillFailure::OriginFailed:
      // The origin just failed for the leader; all waiters get that answer (§9.3: "when the
      // first response arrives all waiters get it") instead of retrying it N times at once.
      return has_error ? FollowerAction::ServeError : FollowerAction::Rejoin;
    case FillFailure::Truncated:
      // The origin broke off mid-body. With the leader's edge error (OriginFill passes it), a
      // follower that has not answered yet gets that same error, as the leader's viewer did,
      // rather than asking the origin again (issue 8: collapsed followers share the outcome).
      // Without one (the leader's own encoder failed), the origin is not to blame: rejoin.
      return has_error ? FollowerAction::ServeError : FollowerAction::Rejoin;
    case FillFailure::None:
    case FillFailure::LeaderGone:
      return FollowerAction::Rejoin;
  }
  return FollowerAction::Rejoin;
}

CollapseTable::Found CollapseTable::find(const policies::CacheKey& key) const {
  auto it = entries_.find(key.hash.low64);
  if (it == entries_.end() || it->second->failed()) return {};
  if (!it->second->sameKey(key)) return {Slot::Collision, nullptr};
  return {Slot::Joinable, it->second};
}

void CollapseTable::lead(std::shared_ptr<CachedObject> fill) {
  track(fill.get());
  const KeyId id = fill->keyId();
  entries_[id] = std::move(fill);
}

bool CollapseTable::release(const CachedObject& fill) {
  auto it = entries_.find(fill.keyId());
  if (it == entries_.end() || it->second.get() != &fill) return false;
  entries_.erase(it);
  return true;
}

}  // namespace edge::engine
