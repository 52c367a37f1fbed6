#include "origin/s3/version_id.h"

#include "origin/s3/durable_file.h"

namespace edge::s3 {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kSeqChars = 11;  // 4 + 10 * 6 = 64 bits

constexpr uint64_t kMul1 = 0x7fb5d329728ea185ULL;
constexpr uint64_t kMul2 = 0x81dadef4bc2dd44dULL;

// Inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits each step).
constexpr uint64_t inverseOdd(uint64_t a) {
  uint64_t x = a;
  for (int i = 0; i < 6; ++i) x *= 2 - a * x;
  return x;
}
static_assert(kMul1 * inverseOdd(kMul1) == 1 && kMul2 * inverseOdd(kMul2) == 1);

// xor-shift / odd-multiply rounds: each step is invertible, so the whole is a bijection.
constexpr uint64_t mix(uint64_t x) {
  x ^= x >> 31;
  x *= kMul1;
  x ^= x >> 27;
  x *= kMul2;
  x ^= x >> 33;
  return x;
}

// Undoes x ^= x >> s for s > 0: repeated shifts reconstruct the high bits first.
constexpr uint64_t unXorShift(uint64_t y, int s) {
  uint64_t x = y;
  for (int k = s; k < 64; k += s) x = y ^ (x >> s);
  return x;
}

constexpr uint64_t unmix(uint64_t x) {
  x = unXorShift(x, 33);
  x *= inverseOdd(kMul2);
  x = unXorShift(x, 27);
  x *= inverseOdd(kMul1);
  x = unXorShift(x, 31);
  return x;
}
static_assert(unmix(mix(0)) == 0 && unmix(mix(1)) == 1 && unmix(mix(~0ULL)) == ~0ULL);
static_assert(unmix(mix(0x123456789abcdefULL)) == 0x123456789abcdefULL);

int charValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string makeVersionId(uint64_t seq) {
  std::string id(kVersionIdLength, 'A');
  const uint64_t m = mix(seq);
  id[0] = kAlphabet[m >> 60];
  for (size_t i = 1; i < kSeqChars; ++i) id[i] = kAlphabet[(m >> (6 * (kSeqChars - 1 - i))) & 63];
  unsigned char rnd[kVersionIdLength - kSeqChars];
  randomBytes(rnd, sizeof rnd);
  for (size_t i = kSeqChars; i < kVersionIdLength; ++i) id[i] = kAlphabet[rnd[i - kSeqChars] & 63];
  return id;
}

std::optional<uint64_t> versionIdSeq(std::string_view id) {
  if (id.size() != kVersionIdLength) return std::nullopt;
  for (char c : id) {
    if (charValue(c) < 0) return std::nullopt;
  }
  const int first = charValue(id[0]);
  if (first >= 16) return std::nullopt;
  uint64_t m = static_cast<uint64_t>(first);
  for (size_t i = 1; i < kSeqChars; ++i) m = (m << 6) | static_cast<uint64_t>(charValue(id[i]));
  return unmix(m);
}

bool isValidVersionId(std::string_view id) {
  return id == kNullVersionId || versionIdSeq(id).has_value();
}

}  // namespace edge::s3
