#include "engine/cache/key_index.h"

#include <cassert>

namespace edge::engine {

namespace {

constexpr size_t kInitialSlots = 64;

// KeyIds are usually hash bits already, but tests and synthetic traces use small sequential
// integers; this finaliser (xor-shift / odd-multiply rounds) spreads those over the table. Each
// step is invertible, so the whole is a bijection on 64-bit values: comparing mixed keys is
// comparing keys.
uint64_t mix(uint64_t x) {
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185ULL;
  x ^= x >> 27;
  x *= 0x81dadef4bc2dd44dULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

KeyIndex::KeyIndex() : slots_(kInitialSlots), mask_(kInitialSlots - 1) {}

uint32_t KeyIndex::find(KeyId key) const {
  const uint64_t m = mix(key);
  for (size_t i = home(m);; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.value == kAbsent) return kAbsent;
    if (s.mixed == m) return s.value;
  }
}

void KeyIndex::insert(KeyId key, uint32_t value) {
  assert(value != kAbsent);
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const uint64_t m = mix(key);
  size_t i = home(m);
  while (slots_[i].value != kAbsent) {
    assert(slots_[i].mixed != m);
    i = (i + 1) & mask_;
  }
  slots_[i] = Slot{m, value};
  ++size_;
}

bool KeyIndex::erase(KeyId key) {
  const uint64_t m = mix(key);
  size_t hole = home(m);
  for (;; hole = (hole + 1) & mask_) {
    if (slots_[hole].value == kAbsent) return false;
    if (slots_[hole].mixed == m) break;
  }
  // Backward shift: walk the run after the hole and pull back every entry whose home does not
  // lie cyclically in (hole, j], so that no probe sequence ever crosses an empty slot.
  for (size_t j = (hole + 1) & mask_; slots_[j].value != kAbsent; j = (j + 1) & mask_) {
    const size_t h = home(slots_[j].mixed);
    const bool stays = hole < j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot{};
  --size_;
  return true;
}

void KeyIndex::grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.value == kAbsent) continue;
    size_t i = home(s.mixed);
    while (slots_[i].value != kAbsent) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

}  // namespace edge::engine
