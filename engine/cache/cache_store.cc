#include "engine/cache/cache_store.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace edge::engine {

namespace {

using Counter = std::atomic<uint64_t>;

// Counters are written under the shard mutex (a single writer) and read by anyone, so a plain
// relaxed load + store is enough and avoids a locked read-modify-write on the hit path.
void bump(Counter& c, uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
void dec(Counter& c) { c.store(c.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed); }
uint64_t get(const Counter& c) { return c.load(std::memory_order_relaxed); }

// topEntries' order: more hits first, then the larger charge, then the key text (a total order,
// so the listing does not depend on map iteration order).
bool ranksBefore(uint64_t a_hits, const CachedObject& a, uint64_t b_hits, const CachedObject& b) {
  if (a_hits != b_hits) return a_hits > b_hits;
  if (a.charge() != b.charge()) return a.charge() > b.charge();
  return a.keyText() < b.keyText();
}

// A stored object and the hits its key has served since it was first stored (topEntries).
// `hits` is read and written under the shard mutex only: the hit path already holds that mutex
// and already reads this map node, so counting is a plain increment on a line it has touched.
struct StoredSlot {
  CachedObjectPtr object;
  uint64_t hits = 0;
};

}  // namespace

// alignas: shards sit side by side in one array; keep each one's mutex and counters on lines
// of their own so workers hitting different shards do not share cache lines.
struct alignas(64) CacheStore::Shard {
  std::mutex mu;
  std::unordered_map<KeyId, StoredSlot> objects;  // mu: stored (Complete) objects
  EvictionPolicyPtr policy;                       // mu
  CollapseTable collapse;                         // mu
  std::vector<KeyId> victims;                     // mu: scratch for onInsert

  // Written under mu, read without it.
  struct {
    Counter objects{0}, bytes{0}, fills_inflight{0}, hits{0}, misses{0}, inserts{0}, evictions{0},
        erased{0}, fills{0}, collapsed{0}, fill_failures{0}, too_large{0};
  } n;

  void syncGauges() {
    n.objects.store(objects.size(), std::memory_order_relaxed);
    n.bytes.store(policy->bytes(), std::memory_order_relaxed);
  }
  CacheStats snapshot() const {
    CacheStats s;
    s.objects = get(n.objects);
    s.bytes = get(n.bytes);
    s.fills_inflight = get(n.fills_inflight);
    s.hits = get(n.hits);
    s.misses = get(n.misses);
    s.inserts = get(n.inserts);
    s.evictions = get(n.evictions);
    s.erased = get(n.erased);
    s.fills = get(n.fills);
    s.collapsed = get(n.collapsed);
    s.fill_failures = get(n.fill_failures);
    s.too_large = get(n.too_large);
    return s;
  }
};

CacheStats& CacheStats::operator+=(const CacheStats& o) {
  objects += o.objects;
  bytes += o.bytes;
  fills_inflight += o.fills_inflight;
  hits += o.hits;
  misses += o.misses;
  inserts += o.inserts;
  evictions += o.evictions;
  erased += o.erased;
  fills += o.fills;
  collapsed += o.collapsed;
  fill_failures += o.fill_failures;
  too_large += o.too_large;
  return *this;
}

std::ostream& operator<<(std::ostream& os, const CacheStats& s) {
  return os << "{objects=" << s.objects << " bytes=" << s.bytes
            << " fills_inflight=" << s.fills_inflight << " hits=" << s.hits
            << " misses=" << s.misses << " inserts=" << s.inserts << " evictions=" << s.evictions
            << " erased=" << s.erased << " fills=" << s.fills << " collapsed=" << s.collapsed
            << " fill_failures=" << s.fill_failures << " too_large=" << s.too_large << "}";
}

// --- FillPermit ----------------------------------------------------------------------------

FillPermit::~FillPermit() {
  if (obj_ != nullptr) abandon(FillFailure::LeaderGone);
}

FillPermit::FillPermit(FillPermit&& o) noexcept
    : store_(o.store_), obj_(std::move(o.obj_)), collapsed_(o.collapsed_) {
  o.store_ = nullptr;
}

FillPermit& FillPermit::operator=(FillPermit&& o) noexcept {
  if (this != &o) {
    if (obj_ != nullptr) abandon(FillFailure::LeaderGone);
    store_ = o.store_;
    obj_ = std::move(o.obj_);
    collapsed_ = o.collapsed_;
    o.store_ = nullptr;
  }
  return *this;
}

void FillPermit::setHead(ObjectHead head, std::optional<uint64_t> declared_length) {
  if (obj_ == nullptr) return;
  obj_->setHead(std::move(head));
  if (declared_length && *declared_length > store_->storableBodyBytes()) {
    store_->detachTooLarge(*obj_);
  }
}

void FillPermit::append(std::string_view bytes) {
  if (bytes.empty()) return;
  append(std::make_shared<const std::string>(bytes));
}

void FillPermit::append(std::string&& bytes) {
  if (bytes.empty()) return;
  append(std::make_shared<const std::string>(std::move(bytes)));
}

void FillPermit::append(BodyChunk chunk) {
  if (obj_ == nullptr) return;
  assert(obj_->hasHead());
  obj_->append(std::move(chunk));
  checkSize();
}

void FillPermit::appendBodyOf(const CachedObject& stored) {
  if (obj_ == nullptr) return;
  assert(stored.complete() && !stored.streamingOnly());
  for (const BodyChunk& c : stored.body()) obj_->append(c);
  checkSize();
}

void FillPermit::checkSize() {
  if (!obj_->streamingOnly() && obj_->bodyBytes() > store_->storableBodyBytes()) {
    store_->detachTooLarge(*obj_);
  }
}

StoreOutcome FillPermit::complete() {
  if (obj_ == nullptr) return StoreOutcome::NotComplete;
  if (!obj_->markComplete()) {  // no head: nothing a reader could serve
    abandon(FillFailure::Truncated);
    return StoreOutcome::NotComplete;
  }
  const StoreOutcome outcome = store_->finishFill(obj_, true);
  obj_.reset();
  store_ = nullptr;
  return outcome;
}

void FillPermit::abandon(FillFailure failure, std::optional<policies::EdgeErrorKind> error) {
  if (obj_ == nullptr) return;
  obj_->markFailed(failure, error);
  store_->finishFill(obj_, false);
  obj_.reset();
  store_ = nullptr;
}

// --- CacheStore ----------------------------------------------------------------------------

CacheStore::CacheStore(const CacheStoreOptions& options)
    : shard_count_(std::bit_ceil(std::max<uint32_t>(options.shards, 1))),
      shard_budget_(options.memory_bytes / shard_count_),
      storable_body_(std::min(options.max_object_bytes, shard_budget_)),
      shards_(new Shard[shard_count_]) {
  for (size_t i = 0; i < shard_count_; ++i) {
    shards_[i].policy = makeEvictionPolicy(options.eviction, shard_budget_);
  }
}

uint32_t CacheStore::shardCountFor(uint64_t memory_bytes, uint64_t max_object_bytes,
                                   uint32_t max_shards) {
  uint32_t shards = std::bit_floor(std::max<uint32_t>(max_shards, 1));
  while (shards > 1 && memory_bytes / shards < max_object_bytes) shards /= 2;
  return shards;
}

CacheStore::~CacheStore() {
  for (size_t i = 0; i < shard_count_; ++i) assert(shards_[i].collapse.inflight() == 0);
}

CacheStore::Shard& CacheStore::shardFor(const XXH128_hash_t& hash) const {
  return shards_[shardIndex(hash)];
}

CachedObjectPtr CacheStore::lookup(const policies::CacheKey& key) {
  Shard& sh = shardFor(key.hash);
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.objects.find(key.hash.low64);
  if (it == sh.objects.end() || !it->second.object->sameKey(key)) {
    bump(sh.n.misses);
    return nullptr;
  }
  sh.policy->onHit(it->first);
  bump(sh.n.hits);
  ++it->second.hits;
  return it->second.object;
}

void CacheStore::touch(const policies::CacheKey& key) {
  Shard& sh = shardFor(key.hash);
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.objects.find(key.hash.low64);
  if (it != sh.objects.end() && it->second.object->sameKey(key)) sh.policy->onHit(it->first);
}

JoinResult CacheStore::join(const policies::CacheKey& key, std::string path, Loop& loop,
                            std::function<void()> wake, const CachedObject* replacing) {
  Shard& sh = shardFor(key.hash);
  CachedObjectPtr hit;
  {
    std::lock_guard<std::mutex> lock(sh.mu);
    auto it = sh.objects.find(key.hash.low64);
    if (it != sh.objects.end() && it->second.object->sameKey(key) &&
        it->second.object.get() != replacing) {
      sh.policy->onHit(it->first);
      bump(sh.n.hits);
      ++it->second.hits;
      hit = it->second.object;
    } else {
      CollapseTable::Found found = sh.collapse.find(key);
      if (found.slot == CollapseTable::Slot::Joinable) {
        JoinResult r;
        r.role = JoinRole::Follower;
        // Subscribed under the shard mutex: a fill leaves the table (under this mutex) before it
        // can start trimming, so this reader's cursor is counted from byte 0.
        r.reader = BodyReader(std::move(found.fill), loop, std::move(wake));
        bump(sh.n.collapsed);
        return r;
      }
      return startLocked(sh, key, std::move(path), loop, std::move(wake),
                         found.slot == CollapseTable::Slot::Free);
    }
  }
  JoinResult r;
  r.role = JoinRole::Hit;
  r.reader = BodyReader(std::move(hit));  // Complete: no subscription, no lock
  return r;
}

JoinResult CacheStore::startFill(const policies::CacheKey& key, std::string path, Loop& loop,
                                 std::function<void()> wake) {
  Shard& sh = shardFor(key.hash);
  std::lock_guard<std::mutex> lock(sh.mu);
  return startLocked(sh, key, std::move(path), loop, std::move(wake), false);
}

JoinResult CacheStore::startLocked(Shard& sh, const policies::CacheKey& key, std::string path,
                                   Loop& loop, std::function<void()> wake, bool collapse) {
  auto obj = std::make_shared<CachedObject>(CachedObject::Passkey{}, key, std::move(path));
  if (collapse) {
    sh.collapse.lead(obj);
  } else {
    sh.collapse.track(obj.get());
  }
  bump(sh.n.fills);
  bump(sh.n.fills_inflight);
  JoinResult r;
  r.role = JoinRole::Leader;
  r.reader = BodyReader(obj, loop, std::move(wake));
  r.permit = FillPermit(this, std::move(obj), collapse);
  return r;
}

StoreOutcome CacheStore::insertLocked(Shard& sh, CachedObjectPtr obj,
                                      std::vector<CachedObjectPtr>& dead) {
  if (obj->bodyBytes() > storable_body_) {
    bump(sh.n.too_large);
    return StoreOutcome::TooLarge;
  }
  const KeyId id = obj->keyId();
  const uint64_t charge = obj->charge();
  auto [it, inserted] = sh.objects.try_emplace(id, StoredSlot{obj, 0});
  if (!inserted) {
    const CachedObject& old = *it->second.object;
    if (old.keyText() != obj->keyText() || old.keyHash().high64 != obj->keyHash().high64) {
      // A different key with the same KeyId: drop it as a removal, so the policy does not take
      // the newcomer for a new version of it (eviction_policy.h: KeyId -> object one-to-one).
      sh.policy->onErase(id);
      bump(sh.n.erased);
      it->second.hits = 0;  // the count is the key's: a new version of the same key keeps it
    }
    dead.push_back(std::move(it->second.object));
    it->second.object = std::move(obj);
  }
  sh.victims.clear();
  sh.policy->onInsert(id, charge, sh.victims);
  bool rejected = false;
  for (KeyId v : sh.victims) {
    auto vit = sh.objects.find(v);
    if (vit != sh.objects.end()) {
      dead.push_back(std::move(vit->second.object));
      sh.objects.erase(vit);
    }
    if (v == id) {
      rejected = true;
    } else {
      bump(sh.n.evictions);
    }
  }
  sh.syncGauges();
  if (rejected) {
    bump(sh.n.too_large);
    return StoreOutcome::TooLarge;
  }
  bump(sh.n.inserts);
  return StoreOutcome::Stored;
}

StoreOutcome CacheStore::insert(CachedObjectPtr obj) {
  if (obj == nullptr || !obj->complete() || obj->streamingOnly()) return StoreOutcome::NotComplete;
  Shard& sh = shardFor(obj->keyHash());
  std::vector<CachedObjectPtr> dead;  // declared before the lock: released after the unlock
  std::lock_guard<std::mutex> lock(sh.mu);
  return insertLocked(sh, std::move(obj), dead);
}

CacheStore::Refreshed CacheStore::refresh(const CachedObjectPtr& old, ObjectHead head) {
  Refreshed r;
  if (old == nullptr || !old->complete() || old->streamingOnly()) return r;
  std::shared_ptr<CachedObject> fresh = CachedObject::makeRefreshed(*old, std::move(head));
  r.object = fresh;
  Shard& sh = shardFor(old->keyHash());
  std::vector<CachedObjectPtr> dead;
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.objects.find(old->keyId());
  if (it == sh.objects.end() || it->second.object != old) {
    r.outcome = StoreOutcome::Superseded;
    return r;
  }
  r.outcome = insertLocked(sh, std::move(fresh), dead);
  return r;
}

bool CacheStore::erase(const policies::CacheKey& key, const CachedObject* only) {
  Shard& sh = shardFor(key.hash);
  CachedObjectPtr dead;
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.objects.find(key.hash.low64);
  if (it == sh.objects.end() || !it->second.object->sameKey(key)) return false;
  if (only != nullptr && it->second.object.get() != only) return false;
  sh.policy->onErase(it->first);
  dead = std::move(it->second.object);
  sh.objects.erase(it);
  bump(sh.n.erased);
  sh.syncGauges();
  return true;
}

size_t CacheStore::invalidate(const std::function<bool(std::string_view path)>& matches) {
  size_t removed = 0;
  std::vector<CachedObjectPtr> dead;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& sh = shards_[i];
    {
      std::lock_guard<std::mutex> lock(sh.mu);
      for (auto it = sh.objects.begin(); it != sh.objects.end();) {
        if (!matches(it->second.object->path())) {
          ++it;
          continue;
        }
        sh.policy->onErase(it->first);
        dead.push_back(std::move(it->second.object));
        it = sh.objects.erase(it);
        bump(sh.n.erased);
        ++removed;
      }
      sh.syncGauges();
      // A fill that already has its head carries a response the origin sent before this
      // invalidation: it finishes streaming to its readers but is never stored, and nobody new
      // joins it. A fill still waiting for its head will get a response sent after the
      // invalidation and is left alone (engine/admin/cache_invalidator.h: objects whose origin
      // response arrives later are not affected).
      sh.collapse.forEachInflight([&](CachedObject& fill) {
        if (fill.not_stored_ != StoreOutcome::Stored || !fill.hasHead()) return;
        if (!matches(fill.path())) return;
        fill.not_stored_ = StoreOutcome::Invalidated;
        sh.collapse.release(fill);
      });
    }
    dead.clear();  // outside the shard mutex
  }
  return removed;
}

void CacheStore::detachTooLarge(CachedObject& obj) {
  Shard& sh = shardFor(obj.keyHash());
  std::lock_guard<std::mutex> lock(sh.mu);
  // Leave the table first: from now on no follower joins, so every reader that can ever read
  // this object is already subscribed when trimming starts.
  sh.collapse.release(obj);
  if (obj.not_stored_ == StoreOutcome::Stored) {
    obj.not_stored_ = StoreOutcome::TooLarge;
    bump(sh.n.too_large);
  }
  obj.startTrimming();
}

StoreOutcome CacheStore::finishFill(const std::shared_ptr<CachedObject>& obj, bool completed) {
  Shard& sh = shardFor(obj->keyHash());
  std::vector<CachedObjectPtr> dead;
  std::lock_guard<std::mutex> lock(sh.mu);
  sh.collapse.release(*obj);
  sh.collapse.untrack(obj.get());
  dec(sh.n.fills_inflight);
  if (!completed) {
    bump(sh.n.fill_failures);
    return StoreOutcome::NotComplete;
  }
  if (obj->not_stored_ != StoreOutcome::Stored) return obj->not_stored_;
  return insertLocked(sh, obj, dead);
}

CacheStats CacheStore::stats() const {
  CacheStats total;
  for (size_t i = 0; i < shard_count_; ++i) total += shards_[i].snapshot();
  return total;
}

CacheStats CacheStore::shardStats(size_t shard) const {
  return shard < shard_count_ ? shards_[shard].snapshot() : CacheStats{};
}

std::vector<StoredEntry> CacheStore::topEntries(size_t limit) const {
  limit = std::min(limit, kMaxTopEntries);
  std::vector<StoredEntry> out;
  if (limit == 0) return out;
  // Per shard, a heap of the best `limit` slots seen so far, ordered by `before`, so its worst
  // is on top. It holds raw pointers into the map while the walk runs (no reference count
  // traffic under the mutex for candidates that drop out); the survivors' shared pointers are
  // copied before the mutex is released.
  const auto before = [](const StoredSlot* a, const StoredSlot* b) {
    return ranksBefore(a->hits, *a->object, b->hits, *b->object);
  };
  std::vector<const StoredSlot*> heap;
  heap.reserve(limit);
  out.reserve(limit * shard_count_);  // no allocation under a shard mutex
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& sh = shards_[i];
    heap.clear();
    std::lock_guard<std::mutex> lock(sh.mu);
    for (const auto& entry : sh.objects) {
      const StoredSlot& slot = entry.second;
      if (heap.size() < limit) {
        heap.push_back(&slot);
        std::push_heap(heap.begin(), heap.end(), before);
      } else if (before(&slot, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), before);
        heap.back() = &slot;
        std::push_heap(heap.begin(), heap.end(), before);
      }
    }
    for (const StoredSlot* slot : heap) out.push_back(StoredEntry{slot->object, slot->hits});
  }
  std::sort(out.begin(), out.end(), [](const StoredEntry& a, const StoredEntry& b) {
    return ranksBefore(a.hits, *a.object, b.hits, *b.object);
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace edge::engine
