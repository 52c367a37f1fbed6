#include "engine/cache/eviction_policy.h"

#include "engine/cache/lru_policy.h"
#include "engine/cache/s3fifo_policy.h"
#include "engine/cache/sieve_policy.h"

namespace edge::engine {

std::string_view toString(EvictionKind kind) {
  switch (kind) {
    case EvictionKind::Lru:
      return "lru";
    case EvictionKind::S3Fifo:
      return "s3fifo";
    case EvictionKind::Sieve:
      return "sieve";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, EvictionKind kind) { return os << toString(kind); }

std::optional<EvictionKind> parseEvictionKind(std::string_view name) {
  for (EvictionKind k : {EvictionKind::Lru, EvictionKind::S3Fifo, EvictionKind::Sieve}) {
    if (name == toString(k)) return k;
  }
  return std::nullopt;
}

EvictionPolicyPtr makeEvictionPolicy(EvictionKind kind, uint64_t budget_bytes) {
  switch (kind) {
    case EvictionKind::Lru:
      return std::make_unique<LruPolicy>(budget_bytes);
    case EvictionKind::S3Fifo:
      return std::make_unique<S3FifoPolicy>(budget_bytes);
    case EvictionKind::Sieve:
      return std::make_unique<SievePolicy>(budget_bytes);
  }
  return std::make_unique<LruPolicy>(budget_bytes);
}

}  // namespace edge::engine
