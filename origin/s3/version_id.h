// S3 version ids for the object store: opaque, URL-safe, 32 characters, unique per store and
// carrying the store-wide write sequence number they were made for, so the store can order and
// find versions by seq without a second index. "null" is the id of versions written while a
// bucket is unversioned or suspended.
//
// Layout: 11 characters encode mix(seq) (an invertible 64-bit scramble, so consecutive writes do
// not get look-alike ids), 21 characters are random (126 bits, so ids are not guessable).
// Alphabet: A–Z a–z 0–9 '-' '_' (base64url).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edge::s3 {

inline constexpr std::string_view kNullVersionId = "null";
inline constexpr size_t kVersionIdLength = 32;

std::string makeVersionId(uint64_t seq);
// The seq inside a well-formed id; nullopt for anything makeVersionId could not have produced
// (wrong length, character outside the alphabet, more than 64 bits). "null" is not parsed here.
std::optional<uint64_t> versionIdSeq(std::string_view id);
// "null" or a well-formed id.
bool isValidVersionId(std::string_view id);

}  // namespace edge::s3
