// IPv4/IPv6 addresses and CIDR ranges as text parsers and a containment test, for the
// `AWS:SourceIp` condition of signed-URL custom policies (§5.4). Pure: no socket headers (the
// parsers are written here rather than calling inet_pton), no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace edge::policies {

struct IpAddress {
  bool v6 = false;
  // Network byte order. IPv4 uses bytes[0..3] and leaves the rest zero.
  std::array<uint8_t, 16> bytes{};
  bool operator==(const IpAddress&) const = default;
  // Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as "::").
  std::string toString() const;
};
std::ostream& operator<<(std::ostream& os, const IpAddress& a);

// "192.0.2.1" or an IPv6 address ("2001:db8::1", "::ffff:192.0.2.1"). A zone suffix ("%eth0")
// is ignored. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is returned as the IPv4 address,
// so that a dual-stack listener's peer matches IPv4 ranges. nullopt when malformed (leading
// zeros in a dotted quad are refused, as they are ambiguous).
std::optional<IpAddress> parseIpAddress(std::string_view text);

struct IpRange {
  IpAddress base;      // host bits cleared
  uint8_t prefix = 0;  // 0–32 (IPv4) or 0–128 (IPv6)
  bool operator==(const IpRange&) const = default;
  bool contains(const IpAddress& a) const;
  std::string toString() const;  // "base/prefix"
};
std::ostream& operator<<(std::ostream& os, const IpRange& r);

// "a.b.c.d/n" (n ≤ 32), "v6/n" (n ≤ 128), or a bare address (= /32 or /128). Host bits set
// in the address are allowed and cleared (like Python's ip_network(strict=False), which the
// AWS CLI validates with). nullopt when malformed.
std::optional<IpRange> parseIpRange(std::string_view text);

}  // namespace edge::policies
