// S3-FIFO by bytes (Yang et al., "FIFO queues are all you need for cache eviction", SOSP'23).
//
// Three FIFO queues over one node slab:
//   Small  probation for new objects, ~10% of the budget. When it is over its share, its oldest
//          object leaves: to Main if it was hit while in Small, otherwise out of the cache (its
//          key is remembered in Ghost). One-hit wonders therefore never reach Main.
//   Main   the rest of the budget. Each object has a 2-bit hit counter (saturates at 3). The
//          oldest object is evicted if its counter is 0; otherwise the counter is decremented and
//          the object goes back to the front (FIFO-reinsertion, a CLOCK with a 2-bit counter).
//   Ghost  keys (no data) evicted from Small, bounded by Main's share of bytes. A key inserted
//          while in Ghost goes straight to Main: it was wanted again soon after leaving.
// A hit only bumps a counter (no list splice), and a scan of one-time keys cycles through Small
// without displacing Main.
//
// Byte accounting, our choices where the paper speaks in objects: Small's share is
// small_percent% of the budget; Small is evicted from while it holds at least its share (or Main
// is empty), Main otherwise. Ghost holds entries whose charges add up to at most Main's share;
// an entry is charged max(object bytes, kGhostMinCharge). A Ghost entry costs ~60 bytes of
// memory (slab node + index slot), so Ghost memory stays below ~25% of the budget even if the
// store charged nothing per object, and is negligible for the store's real charges (body +
// headers + entry overhead).
// An object promoted Small -> Main starts with counter 0 (the hit that promoted it is spent).
// onErase (invalidation, expiry) does not create a Ghost entry: that is not an eviction signal.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "engine/cache/eviction_policy.h"
#include "engine/cache/key_index.h"
#include "engine/cache/node_list.h"

namespace edge::engine {

class S3FifoPolicy final : public EvictionPolicy {
 public:
  static constexpr uint8_t kMaxFrequency = 3;       // 2-bit counter
  static constexpr uint64_t kGhostMinCharge = 256;  // bytes charged per Ghost entry, at least
  static constexpr uint32_t kDefaultSmallPercent = 10;

  enum class Queue : uint8_t { Small, Main, Ghost };

  // Precondition: small_percent <= 100.
  explicit S3FifoPolicy(uint64_t budget_bytes, uint32_t small_percent = kDefaultSmallPercent);

  void onInsert(KeyId id, uint64_t bytes, std::vector<KeyId>& victims_out) override;
  void onHit(KeyId id) override;
  void onErase(KeyId id) override;

  bool contains(KeyId id) const override;
  uint64_t bytes() const override { return small_.bytes() + main_.bytes(); }
  size_t size() const override { return small_.size() + main_.size(); }
  uint64_t budget() const override { return budget_; }
  EvictionKind kind() const override { return EvictionKind::S3Fifo; }

  // Introspection for tests and stats.
  std::optional<Queue> queueOf(KeyId id) const;  // nullopt: neither tracked nor in Ghost
  uint8_t frequency(KeyId id) const;             // 0 for an untracked id
  uint64_t smallBytes() const { return small_.bytes(); }
  uint64_t mainBytes() const { return main_.bytes(); }
  uint64_t smallTarget() const { return small_target_; }
  size_t ghostSize() const { return ghost_.size(); }
  uint64_t ghostCharge() const { return ghost_.bytes(); }
  uint64_t ghostCapacity() const { return ghost_capacity_; }

 private:
  struct Node {
    KeyId id = 0;
    uint64_t bytes = 0;  // in Ghost: the charge, max(bytes, kGhostMinCharge)
    uint32_t prev = kNilNode;
    uint32_t next = kNilNode;
    uint8_t freq = 0;
    Queue queue = Queue::Small;
  };

  NodeList<Node>& listOf(Queue q);
  // Evicts until `incoming` more bytes fit in the budget. Precondition: incoming <= budget_.
  void makeRoom(uint64_t incoming, std::vector<KeyId>& victims_out);
  // Returns false when Small emptied into Main without evicting anything.
  bool evictFromSmall(std::vector<KeyId>& victims_out);
  // Precondition: Main is not empty.
  void evictFromMain(std::vector<KeyId>& victims_out);
  // Node i (unlinked) becomes a Ghost entry; the oldest Ghost entries go if over capacity.
  void remember(uint32_t i);
  void forget(uint32_t i);  // unlinks, unindexes and frees node i

  const uint64_t budget_;
  const uint64_t small_target_;
  const uint64_t ghost_capacity_;
  KeyIndex index_;  // tracked and Ghost keys
  NodePool<Node> pool_;
  NodeList<Node> small_;
  NodeList<Node> main_;
  NodeList<Node> ghost_;
};

std::string_view toString(S3FifoPolicy::Queue q);
std::ostream& operator<<(std::ostream& os, S3FifoPolicy::Queue q);

}  // namespace edge::engine
