#include "engine/cache/cached_object.h"

#include <algorithm>
#include <cassert>

#include "engine/uv/loop.h"

namespace edge::engine {

namespace detail {

// One subscribed reader. Owned by its BodyReader and by the object's subscriber list; posted
// wake-ups hold only a weak reference, so a reader that leaves is never called again. It is
// destroyed on the reader's thread: both strong references are dropped there (unsubscribe, or
// the end of a posted wake-up).
struct Subscriber {
  Loop* loop = nullptr;        // immutable; null: never woken (a polling reader)
  std::function<void()> wake;  // immutable; runs on loop's thread only
  // A wake-up is posted and has not started yet. Set by the leader under the object's mutex,
  // cleared on the reader's thread before it calls wake (so nothing appended later is missed).
  std::atomic<bool> pending{false};
  size_t cursor = 0;  // object's mu_: absolute index of the next chunk this reader reads
};

}  // namespace detail

std::string_view toString(FillState s) {
  switch (s) {
    case FillState::AwaitingHead:
      return "awaiting-head";
    case FillState::Filling:
      return "filling";
    case FillState::Complete:
      return "complete";
    case FillState::Failed:
      return "failed";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, FillState s) { return os << toString(s); }

std::string_view toString(FillFailure f) {
  switch (f) {
    case FillFailure::None:
      return "none";
    case FillFailure::LeaderGone:
      return "leader-gone";
    case FillFailure::OriginFailed:
      return "origin-failed";
    case FillFailure::Uncacheable:
      return "uncacheable";
    case FillFailure::Truncated:
      return "truncated";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, FillFailure f) { return os << toString(f); }

std::string_view toString(ReadStatus s) {
  switch (s) {
    case ReadStatus::Data:
      return "data";
    case ReadStatus::Wait:
      return "wait";
    case ReadStatus::End:
      return "end";
    case ReadStatus::Failed:
      return "failed";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, ReadStatus s) { return os << toString(s); }

std::string_view toString(StoreOutcome o) {
  switch (o) {
    case StoreOutcome::Stored:
      return "stored";
    case StoreOutcome::TooLarge:
      return "too-large";
    case StoreOutcome::Invalidated:
      return "invalidated";
    case StoreOutcome::Superseded:
      return "superseded";
    case StoreOutcome::NotComplete:
      return "not-complete";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, StoreOutcome o) { return os << toString(o); }

CachedObject::CachedObject(Passkey, const policies::CacheKey& key, std::string path)
    : key_text_(key.text), key_hash_(key.hash), path_(std::move(path)) {}

CachedObject::~CachedObject() = default;

std::shared_ptr<CachedObject> CachedObject::makeComplete(const policies::CacheKey& key,
                                                         std::string path, ObjectHead head,
                                                         std::vector<BodyChunk> body) {
  auto obj = std::make_shared<CachedObject>(Passkey{}, key, std::move(path));
  obj->setHead(std::move(head));
  for (auto& c : body) obj->append(std::move(c));
  obj->markComplete();
  return obj;
}

std::shared_ptr<CachedObject> CachedObject::makeRefreshed(const CachedObject& old,
                                                          ObjectHead head) {
  assert(old.complete() && !old.streamingOnly());
  policies::CacheKey key;
  key.text = old.key_text_;
  key.hash = old.key_hash_;
  auto obj = std::make_shared<CachedObject>(Passkey{}, key, old.path_);
  obj->setHead(std::move(head));
  for (const BodyChunk& c : old.body()) obj->append(c);
  obj->markComplete();
  return obj;
}

bool CachedObject::sameKey(const policies::CacheKey& key) const {
  return key.hash.low64 == key_hash_.low64 && key.hash.high64 == key_hash_.high64 &&
         key.text == key_text_;
}

size_t CachedObject::readerCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscribers_.size();
}

uint64_t CachedObject::retainedBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return retained_bytes_;
}

bool CachedObject::setHead(ObjectHead&& head) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.load(std::memory_order_relaxed) != FillState::AwaitingHead) return false;
  head_ = std::move(head);
  head_ready_.store(true, std::memory_order_release);
  state_.store(FillState::Filling, std::memory_order_release);
  notifyLocked();
  return true;
}

bool CachedObject::append(BodyChunk chunk) {
  if (chunk == nullptr || chunk->empty()) return state() == FillState::Filling;
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.load(std::memory_order_relaxed) != FillState::Filling) return false;
  const uint64_t n = chunk->size();
  chunks_.push_back(std::move(chunk));
  retained_bytes_ += n;
  body_bytes_.fetch_add(n, std::memory_order_release);
  if (trim_.load(std::memory_order_relaxed)) trimLocked();
  notifyLocked();
  return true;
}

bool CachedObject::markComplete() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.load(std::memory_order_relaxed) != FillState::Filling) return false;
  // Total chunks ever appended (trimmed ones included): the charge describes the object as
  // published, and trimming objects are never published anyway.
  const uint64_t chunks = base_ + chunks_.size();
  uint64_t headers = 0;
  for (const policies::Header& h : head_.headers) {
    headers += h.name.size() + h.value.size() + kHeaderOverhead;
  }
  charge_ = body_bytes_.load(std::memory_order_relaxed) + headers + head_.ttl_reason.size() +
            key_text_.size() +
            path_.size() + chunks * kChunkOverhead + kEntryOverhead;
  state_.store(FillState::Complete, std::memory_order_release);
  notifyLocked();
  return true;
}

bool CachedObject::markFailed(FillFailure failure, std::optional<policies::EdgeErrorKind> error) {
  std::vector<BodyChunk> released;  // freed after the lock is dropped
  {
    std::lock_guard<std::mutex> lock(mu_);
    const FillState s = state_.load(std::memory_order_relaxed);
    if (s == FillState::Complete || s == FillState::Failed) return false;
    failure_ = failure;
    error_ = error;
    released.swap(chunks_);
    base_ += released.size();
    live_ = base_;
    retained_bytes_ = 0;
    state_.store(FillState::Failed, std::memory_order_release);
    notifyLocked();
  }
  return true;
}

void CachedObject::startTrimming() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.load(std::memory_order_relaxed) == FillState::Complete) return;
  trim_.store(true, std::memory_order_release);
  trimLocked();
}

void CachedObject::notifyLocked() const {
  for (const auto& s : subscribers_) {
    if (s->loop == nullptr || !s->wake) continue;
    if (s->pending.exchange(true, std::memory_order_acq_rel)) continue;  // one is on its way
    // Posted under mu_: once unsubscribe() returns, nothing is ever posted for that reader
    // again, so its Loop only has to outlive the BodyReader.
    s->loop->post([weak = std::weak_ptr<detail::Subscriber>(s)] {
      std::shared_ptr<detail::Subscriber> sub = weak.lock();
      if (sub == nullptr) return;  // the reader left after this was posted
      sub->pending.store(false, std::memory_order_release);
      sub->wake();
    });
  }
}

void CachedObject::trimLocked() const {
  size_t keep_from = base_ + chunks_.size();
  for (const auto& s : subscribers_) keep_from = std::min(keep_from, s->cursor);
  for (; live_ < keep_from; ++live_) {
    BodyChunk& c = chunks_[live_ - base_];
    retained_bytes_ -= c->size();
    c.reset();
  }
  // Drop the released slots now and then, so the list's own memory stays bounded too.
  const size_t dead = live_ - base_;
  if (dead >= 64 && dead * 2 >= chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(dead));
    base_ = live_;
  }
}

std::shared_ptr<detail::Subscriber> CachedObject::subscribe(Loop* loop,
                                                            std::function<void()> wake) const {
  auto sub = std::make_shared<detail::Subscriber>();
  sub->loop = loop;
  sub->wake = std::move(wake);
  std::lock_guard<std::mutex> lock(mu_);
  subscribers_.push_back(sub);
  return sub;
}

void CachedObject::unsubscribe(const std::shared_ptr<detail::Subscriber>& sub) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find(subscribers_.begin(), subscribers_.end(), sub);
  if (it == subscribers_.end()) return;
  *it = std::move(subscribers_.back());
  subscribers_.pop_back();
  // The slowest reader may just have left.
  if (trim_.load(std::memory_order_relaxed)) trimLocked();
}

ReadStatus CachedObject::readLocked(detail::Subscriber* sub, size_t& next,
                                    std::vector<BodyChunk>& out, uint64_t max_bytes,
                                    uint64_t& bytes) const {
  std::lock_guard<std::mutex> lock(mu_);
  const FillState s = state_.load(std::memory_order_relaxed);
  if (s == FillState::Failed) return ReadStatus::Failed;
  if (s == FillState::AwaitingHead) return ReadStatus::Wait;
  // A reader that subscribed after trimming released bytes it never read: it cannot get the
  // whole body (only possible by misuse; CacheStore::join subscribes before trimming starts).
  if (next < live_) return ReadStatus::Failed;
  const size_t end = base_ + chunks_.size();
  uint64_t taken = 0;
  const size_t first = next;
  while (next < end && (next == first || taken < max_bytes)) {
    const BodyChunk& c = chunks_[next - base_];
    taken += c->size();
    out.push_back(c);
    ++next;
  }
  bytes += taken;
  if (sub != nullptr) {
    sub->cursor = next;
    if (trim_.load(std::memory_order_relaxed)) trimLocked();
  }
  if (next == end && s == FillState::Complete) return ReadStatus::End;
  return next == first ? ReadStatus::Wait : ReadStatus::Data;
}

BodyReader::BodyReader(CachedObjectPtr obj) : obj_(std::move(obj)) {
  if (obj_ != nullptr && !(obj_->complete() && !obj_->streamingOnly())) {
    sub_ = obj_->subscribe(nullptr, {});
  }
}

BodyReader::BodyReader(CachedObjectPtr obj, Loop& loop, std::function<void()> wake)
    : obj_(std::move(obj)) {
  if (obj_ != nullptr && !(obj_->complete() && !obj_->streamingOnly())) {
    sub_ = obj_->subscribe(&loop, std::move(wake));
  }
}

BodyReader::~BodyReader() { reset(); }

BodyReader::BodyReader(BodyReader&& o) noexcept
    : obj_(std::move(o.obj_)), sub_(std::move(o.sub_)), next_(o.next_), bytes_read_(o.bytes_read_) {
  o.next_ = 0;
  o.bytes_read_ = 0;
}

BodyReader& BodyReader::operator=(BodyReader&& o) noexcept {
  if (this != &o) {
    reset();
    obj_ = std::move(o.obj_);
    sub_ = std::move(o.sub_);
    next_ = o.next_;
    bytes_read_ = o.bytes_read_;
    o.next_ = 0;
    o.bytes_read_ = 0;
  }
  return *this;
}

void BodyReader::reset() {
  if (sub_ != nullptr && obj_ != nullptr) obj_->unsubscribe(sub_);
  sub_.reset();
  obj_.reset();
  next_ = 0;
  bytes_read_ = 0;
}

ReadStatus BodyReader::read(std::vector<BodyChunk>& out, uint64_t max_bytes) {
  if (obj_ == nullptr) return ReadStatus::Failed;
  if (obj_->complete() && !obj_->streamingOnly()) {
    // The hit path: a Complete object's chunk list is frozen, no lock needed.
    const std::span<const BodyChunk> body = obj_->body();
    uint64_t taken = 0;
    const size_t first = next_;
    while (next_ < body.size() && (next_ == first || taken < max_bytes)) {
      taken += body[next_]->size();
      out.push_back(body[next_]);
      ++next_;
    }
    bytes_read_ += taken;
    return next_ == body.size() ? ReadStatus::End : ReadStatus::Data;
  }
  return obj_->readLocked(sub_.get(), next_, out, max_bytes, bytes_read_);
}

}  // namespace edge::engine
