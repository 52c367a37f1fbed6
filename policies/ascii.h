// Small inline ASCII helpers for the hot header scans (ttl.cc, cache_control.cc). Internal to
// policies/: http_types.h keeps the general iequals(); these compare against a lower-case
// literal a machine word at a time.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace edge::policies {

namespace ascii_detail {

// For each byte of a literal word: 0x20 where the literal has a lower-case letter (bit 0x40
// set), else 0. OR-ing it into the input folds upper-case letters onto lower-case exactly: the
// only bytes b with (b | 0x20) == a lower-case letter are that letter and its upper case.
constexpr uint64_t foldMask64(uint64_t lit) { return (lit & 0x4040404040404040ull) >> 1; }
constexpr uint32_t foldMask32(uint32_t lit) { return (lit & 0x40404040u) >> 1; }

inline bool equal8(const char* in, const char* lit) {
  uint64_t a, l;
  std::memcpy(&a, in, 8);
  std::memcpy(&l, lit, 8);
  return (a | foldMask64(l)) == l;
}

inline bool equal4(const char* in, const char* lit) {
  uint32_t a, l;
  std::memcpy(&a, in, 4);
  std::memcpy(&l, lit, 4);
  return (a | foldMask32(l)) == l;
}

}  // namespace ascii_detail

// True when `s` equals `lower` ASCII-case-insensitively. Precondition: `lower` consists of
// lower-case letters and bytes below 0x40 ('-', digits, …) — header and directive names.
inline bool equalsLower(std::string_view s, std::string_view lower) {
  const size_t n = s.size();
  if (n != lower.size()) return false;
  const char* a = s.data();
  const char* b = lower.data();
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (!ascii_detail::equal8(a + i, b + i)) return false;
    }
    return ascii_detail::equal8(a + n - 8, b + n - 8);  // last word, may overlap the previous
  }
  if (n >= 4) return ascii_detail::equal4(a, b) && ascii_detail::equal4(a + n - 4, b + n - 4);
  for (size_t i = 0; i < n; ++i) {
    const char l = b[i];
    const char fold = (l >= 'a' && l <= 'z') ? 0x20 : 0;
    if (static_cast<char>(a[i] | fold) != l) return false;
  }
  return true;
}

// The first byte in [p, end) equal to `a` or `b`, or `end`. Eight bytes per step on
// little-endian machines (the zero-byte test's lowest hit is always a true match).
inline const char* findEither(const char* p, const char* end, char a, char b) {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    const uint64_t pa = kOnes * static_cast<uint8_t>(a);
    const uint64_t pb = kOnes * static_cast<uint8_t>(b);
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      const uint64_t xa = w ^ pa;
      const uint64_t xb = w ^ pb;
      const uint64_t hit = (((xa - kOnes) & ~xa) | ((xb - kOnes) & ~xb)) & kHigh;
      if (hit != 0) return p + (std::countr_zero(hit) >> 3);
      p += 8;
    }
  }
  while (p != end && *p != a && *p != b) ++p;
  return p;
}

// trimOws (http_types.h) inline, for the same hot scans.
inline std::string_view trimOwsInline(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace edge::policies
