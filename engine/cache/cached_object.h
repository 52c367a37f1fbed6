// A cached response: status, headers, freshness record and a body of immutable chunks, shared by
// every request that serves it (STYLE c9: shared_ptr is allowed for cache entries, and only here).
//
// Life of an object (FillState):
//   AwaitingHead  created by CacheStore::join/startFill for a leader; the origin request is in
//                 flight. Followers can already subscribe.
//   Filling       the head is set (status, headers, freshness are immutable from here on); body
//                 chunks are appended as they arrive. Readers read what is there and are woken
//                 when more comes.
//   Complete      the whole body is here. Nothing about the object changes any more: readers
//                 read it without taking a lock, and only Complete objects are ever published in
//                 the store (lookup never returns anything else).
//   Failed        the fill was abandoned (FillFailure says why). Its chunks are released; it is
//                 never published, and readers get ReadStatus::Failed.
// All transitions are made by the object's FillPermit (cache_store.h), on the leader's thread.
//
// Threads: the leader (one thread at a time, through its FillPermit) writes; any number of
// BodyReaders on any threads read. Shared fields say which lock guards them. A reader is woken
// through its own Loop::post, so its callback always runs on its own loop thread.
//
// Streaming-only objects: a fill that will not be published because it is too large keeps only
// the chunks some subscribed reader has not read yet (it "trims"), so a body of any size streams
// through bounded memory. Readers must therefore read such an object through a BodyReader
// created before trimming started (CacheStore::join guarantees that for followers).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <xxhash.h>

#include "engine/cache/eviction_policy.h"
#include "policies/cache_key.h"
#include "policies/compression.h"
#include "policies/freshness.h"
#include "policies/http_types.h"
#include "policies/viewer_response.h"

namespace edge::engine {

class Loop;
class CacheStore;
class FillPermit;
class BodyReader;

// One piece of a body, immutable once appended. A writer may hold it past the object's life
// (uv_write of chunk->data() without copying, release on the write callback).
using BodyChunk = std::shared_ptr<const std::string>;

enum class FillState : uint8_t {
  AwaitingHead,  // origin request in flight; no status or headers yet
  Filling,       // head known; body arriving
  Complete,      // whole body present; immutable; the only state the store publishes
  Failed,        // abandoned; never served to later requests
};
std::string_view toString(FillState s);
std::ostream& operator<<(std::ostream& os, FillState s);

// Why a fill was abandoned: what the followers of that fill are told (see adviseFollower in
// collapse_table.h for what they should do about it).
enum class FillFailure : uint8_t {
  None,          // not failed
  LeaderGone,    // the permit was dropped unfinished (the leader's request ended first)
  OriginFailed,  // no usable origin response (connect error, timeout, reset before the head);
                 // error() holds the edge error the leader answered with
  Uncacheable,   // the response may not be shared (private, no-store, Set-Cookie, …)
  Truncated,     // the origin (or the leader) broke off after the head, mid-body
};
std::string_view toString(FillFailure f);
std::ostream& operator<<(std::ostream& os, FillFailure f);

// What a BodyReader::read call found.
enum class ReadStatus : uint8_t {
  Data,    // chunks were appended to `out`; more may be available now: read again when writable
  Wait,    // nothing new (no head yet, or no new bytes): the wake callback runs when there is
  End,     // the body is complete; `out` got its last chunks (possibly none)
  Failed,  // the fill failed (object()->failure()); no more bytes will come
};
std::string_view toString(ReadStatus s);
std::ostream& operator<<(std::ostream& os, ReadStatus s);

// What became of an object handed to the store (FillPermit::complete, CacheStore::insert).
enum class StoreOutcome : uint8_t {
  Stored,       // published: later lookups find it (until evicted or invalidated)
  TooLarge,     // body over the store's max object size, or charge over a shard's budget:
                // streamed to its readers, never stored
  Invalidated,  // an invalidation matched it while it was filling
  Superseded,   // refresh(): the entry it was to replace is gone (evicted, invalidated) or was
                // replaced meanwhile; the newer state wins
  NotComplete,  // insert() of an object that is not Complete, or the fill failed
};
std::string_view toString(StoreOutcome o);
std::ostream& operator<<(std::ostream& os, StoreOutcome o);

// The response head as stored. The pipeline fills it from the origin response and the TTL
// decision; the store never interprets it (freshness is policies/freshness.h's business).
struct ObjectHead {
  int status = 0;
  // As stored: ETag / Last-Modified (the validators, §3.6) stay in here.
  policies::HeaderList headers;
  // stored_at (epoch s, from the edge's injected clock), age_at_store, ttl,
  // stale_while_revalidate, stale_if_error, has_validators, conditional_revalidation.
  policies::StoredFreshness freshness;
  // The origin's Content-Length (framing headers are not stored): lets a reader frame and cut
  // ranges before the body is complete. nullopt for a chunked or close-delimited origin body.
  std::optional<uint64_t> content_length;
  // Why and for how long it is cached, in `edged explain`'s words (Edge.DebugHeaders).
  std::string ttl_reason;
  // The coding the edge compressed the body with (§4); Identity when stored as the origin sent
  // it (an origin's own Content-Encoding included). A 304 refresh keeps the compressed form.
  policies::ContentCoding edge_coding = policies::ContentCoding::Identity;
};

namespace detail {
struct Subscriber;
}

class CachedObject;
using CachedObjectPtr = std::shared_ptr<const CachedObject>;

class CachedObject {
  struct Passkey {};

 public:
  // Bytes charged per object on top of body and headers: this object, its map slot and the
  // eviction policy's node and index slot (S3-FIFO with ghost ~ 128 B).
  static constexpr uint64_t kEntryOverhead = 384;
  static constexpr uint64_t kChunkOverhead = 64;   // shared_ptr control block + std::string
  static constexpr uint64_t kHeaderOverhead = 64;  // two std::string objects

  // A Complete object built in one go (an insert that did not stream, tests). `path`: the key's
  // CacheKeyParts::pathAndQuery(), what invalidations match.
  static std::shared_ptr<CachedObject> makeComplete(const policies::CacheKey& key, std::string path,
                                                    ObjectHead head, std::vector<BodyChunk> body);
  // A Complete copy of `old` (which must be Complete and not streaming-only) with a new head and
  // the same body chunks (no byte is copied): a 304 refresh (§3.6).
  static std::shared_ptr<CachedObject> makeRefreshed(const CachedObject& old, ObjectHead head);

  CachedObject(Passkey, const policies::CacheKey& key, std::string path);
  ~CachedObject();
  CachedObject(const CachedObject&) = delete;
  CachedObject& operator=(const CachedObject&) = delete;

  // Identity (immutable, any thread).
  const std::string& keyText() const { return key_text_; }
  const XXH128_hash_t& keyHash() const { return key_hash_; }
  KeyId keyId() const { return key_hash_.low64; }
  bool sameKey(const policies::CacheKey& key) const;
  const std::string& path() const { return path_; }  // what invalidation patterns match

  // State (any thread; acquire: once a state is seen, everything written before it is visible).
  FillState state() const { return state_.load(std::memory_order_acquire); }
  bool complete() const { return state() == FillState::Complete; }
  bool failed() const { return state() == FillState::Failed; }
  bool hasHead() const { return head_ready_.load(std::memory_order_acquire); }

  // The head. Precondition: hasHead() (it is immutable from then on; no lock needed).
  int status() const { return head_.status; }
  const policies::HeaderList& headers() const { return head_.headers; }
  const policies::StoredFreshness& freshness() const { return head_.freshness; }
  const ObjectHead& head() const { return head_; }

  // Precondition: failed().
  FillFailure failure() const { return failure_; }
  std::optional<policies::EdgeErrorKind> error() const { return error_; }

  // Body bytes received so far (the body's length once Complete). Any thread.
  uint64_t bodyBytes() const { return body_bytes_.load(std::memory_order_acquire); }
  // The whole body. Precondition: complete() && !streamingOnly(). No lock: a Complete object's
  // chunk list never changes.
  std::span<const BodyChunk> body() const { return {chunks_.data(), chunks_.size()}; }
  // What the store charges: body + headers + key + per-chunk and per-entry overhead.
  // Precondition: complete().
  uint64_t charge() const { return charge_; }

  // The fill is not going to be published and keeps only unread chunks (too large).
  bool streamingOnly() const { return trim_.load(std::memory_order_acquire); }
  // BodyReaders currently subscribed (the leader's own included). When it drops to 0 on a
  // streaming-only fill, nobody wants the bytes any more.
  size_t readerCount() const;
  // Body bytes held in memory right now (less than bodyBytes() once trimming).
  uint64_t retainedBytes() const;

 private:
  friend class FillPermit;
  friend class CacheStore;
  friend class BodyReader;

  // --- leader side (FillPermit), one thread at a time ---
  // Returns false if the object is already Complete or Failed (the call is ignored).
  bool setHead(ObjectHead&& head);
  bool append(BodyChunk chunk);
  bool markComplete();
  bool markFailed(FillFailure failure, std::optional<policies::EdgeErrorKind> error);
  // Starts trimming: from now on chunks every subscribed reader has read are released.
  // Precondition: not Complete (a Complete object's chunk list must not change).
  void startTrimming();

  // --- reader side (BodyReader) ---
  // Registers a reader at chunk index 0. Never wakes it from inside this call.
  std::shared_ptr<detail::Subscriber> subscribe(Loop* loop, std::function<void()> wake) const;
  void unsubscribe(const std::shared_ptr<detail::Subscriber>& sub) const;
  ReadStatus readLocked(detail::Subscriber* sub, size_t& next, std::vector<BodyChunk>& out,
                        uint64_t max_bytes, uint64_t& bytes) const;

  // Guarded by mu_.
  void notifyLocked() const;
  void trimLocked() const;

  // Immutable identity.
  const std::string key_text_;
  const XXH128_hash_t key_hash_;
  const std::string path_;

  std::atomic<FillState> state_{FillState::AwaitingHead};
  std::atomic<bool> head_ready_{false};
  std::atomic<bool> trim_{false};  // set once, by the leader, before Complete
  std::atomic<uint64_t> body_bytes_{0};

  // Written once by the leader before the release store that publishes them (head_ready_,
  // state_ Failed / Complete); read-only afterwards.
  ObjectHead head_;
  FillFailure failure_ = FillFailure::None;
  std::optional<policies::EdgeErrorKind> error_;
  uint64_t charge_ = 0;

  mutable std::mutex mu_;
  // Guarded by mu_ until Complete; frozen afterwards (read without the lock when !trim_).
  // mutable: trimming releases chunks while readers (which hold a const object) read.
  mutable std::vector<BodyChunk> chunks_;
  mutable size_t base_ = 0;  // mu_: absolute index of chunks_[0] (> 0 only when trimming)
  mutable size_t live_ = 0;  // mu_: absolute index of the first chunk not yet released
  mutable uint64_t retained_bytes_ = 0;                                   // mu_
  mutable std::vector<std::shared_ptr<detail::Subscriber>> subscribers_;  // mu_

  // Guarded by the owning CacheStore shard's mutex: why a fill will not be published
  // (Stored: nothing against it yet). See cache_store.h.
  StoreOutcome not_stored_ = StoreOutcome::Stored;
};

// One viewer reading one object: a cursor over its chunks plus, while the object can still
// change, a subscription that wakes the reader. Reader thread only (the thread of the Loop passed
// in); move-only; destroy (or reset()) it on that thread, before that Loop is destroyed. After
// reset()/destruction the wake callback is never called again, even if a wake-up was already
// posted (the posted task holds only a weak reference).
class BodyReader {
 public:
  BodyReader() = default;
  // Without notifications: for a Complete object (a hit) this takes no lock at all; for any
  // other object the caller polls.
  explicit BodyReader(CachedObjectPtr obj);
  // `wake` runs on `loop`'s thread (through Loop::post, never inside a call of the reader's)
  // after the object gained its head, new bytes, completed or failed since the reader last
  // looked. Wake-ups are coalesced: at most one is pending per reader. On wake, call read()
  // until it returns Wait (or stop early for backpressure: the chunks stay in the object).
  BodyReader(CachedObjectPtr obj, Loop& loop, std::function<void()> wake);
  ~BodyReader();
  BodyReader(BodyReader&& o) noexcept;
  BodyReader& operator=(BodyReader&& o) noexcept;
  BodyReader(const BodyReader&) = delete;
  BodyReader& operator=(const BodyReader&) = delete;

  explicit operator bool() const { return obj_ != nullptr; }
  const CachedObjectPtr& object() const { return obj_; }

  // Appends the next chunks to `out`, at least one when any is available, then stops once
  // `max_bytes` is reached. See ReadStatus.
  ReadStatus read(std::vector<BodyChunk>& out, uint64_t max_bytes = UINT64_MAX);
  uint64_t bytesRead() const { return bytes_read_; }
  // Unsubscribes and drops the object.
  void reset();

 private:
  CachedObjectPtr obj_;
  std::shared_ptr<detail::Subscriber> sub_;  // null when the object could no longer change
  size_t next_ = 0;                          // absolute index of the next chunk to read
  uint64_t bytes_read_ = 0;
};

}  // namespace edge::engine
