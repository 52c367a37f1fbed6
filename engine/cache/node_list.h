// Index-linked building blocks for eviction policies: a slab of nodes over one std::vector and
// doubly linked lists threaded through it by uint32_t indices (4-byte links, no per-node heap
// allocation, nodes reused through a free list).
//
// A Node type provides `uint32_t prev, next` and `uint64_t bytes`. Direction: front = most
// recently inserted, back = oldest; `next` points toward the back, `prev` toward the front.
// Indices stay valid across NodePool growth; references (`pool[i]`) do not survive allocate().
// A node's `bytes` must not change while it is linked (the list keeps their sum).
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace edge::engine {

inline constexpr uint32_t kNilNode = UINT32_MAX;

template <class Node>
class NodePool {
 public:
  // A default-initialised node; its index is valid until release().
  uint32_t allocate() {
    if (free_head_ != kNilNode) {
      const uint32_t i = free_head_;
      free_head_ = nodes_[i].next;
      nodes_[i] = Node{};
      return i;
    }
    assert(nodes_.size() < kNilNode);
    nodes_.emplace_back();
    return static_cast<uint32_t>(nodes_.size() - 1);
  }
  // Precondition: `i` is allocated and linked into no list.
  void release(uint32_t i) {
    nodes_[i].next = free_head_;
    free_head_ = i;
  }
  Node& operator[](uint32_t i) { return nodes_[i]; }
  const Node& operator[](uint32_t i) const { return nodes_[i]; }
  size_t slabSize() const { return nodes_.size(); }

 private:
  std::vector<Node> nodes_;
  uint32_t free_head_ = kNilNode;  // chained through Node::next
};

// A doubly linked list of pool nodes that also sums their bytes. Does not own the nodes.
template <class Node>
class NodeList {
 public:
  void pushFront(NodePool<Node>& pool, uint32_t i) {
    Node& n = pool[i];
    n.prev = kNilNode;
    n.next = front_;
    if (front_ != kNilNode) {
      pool[front_].prev = i;
    } else {
      back_ = i;
    }
    front_ = i;
    ++size_;
    bytes_ += n.bytes;
  }
  // Precondition: `i` is linked into this list.
  void remove(NodePool<Node>& pool, uint32_t i) {
    Node& n = pool[i];
    if (n.prev != kNilNode) {
      pool[n.prev].next = n.next;
    } else {
      front_ = n.next;
    }
    if (n.next != kNilNode) {
      pool[n.next].prev = n.prev;
    } else {
      back_ = n.prev;
    }
    n.prev = n.next = kNilNode;
    --size_;
    bytes_ -= n.bytes;
  }

  uint32_t front() const { return front_; }
  uint32_t back() const { return back_; }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  uint64_t bytes() const { return bytes_; }

 private:
  uint32_t front_ = kNilNode;
  uint32_t back_ = kNilNode;
  size_t size_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace edge::engine
