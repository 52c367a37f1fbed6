#include "policies/ip_address.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

std::string canonical(std::string_view text) {
  const auto a = parseIpAddress(text);
  return a ? a->toString() : "<invalid>";
}

TEST(IpAddress, ParsesIPv4) {
  EXPECT_EQ(canonical("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(canonical("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(canonical("255.255.255.255"), "255.255.255.255");
  EXPECT_FALSE(parseIpAddress("256.0.0.1"));
  EXPECT_FALSE(parseIpAddress("1.2.3"));
  EXPECT_FALSE(parseIpAddress("1.2.3.4.5"));
  EXPECT_FALSE(parseIpAddress("01.2.3.4"));  // leading zero: octal in some parsers
  EXPECT_FALSE(parseIpAddress("1.2.3.4 "));
  EXPECT_FALSE(parseIpAddress(""));
  EXPECT_FALSE(parseIpAddress("1.2.3.-4"));
}

TEST(IpAddress, ParsesIPv6Forms) {
  EXPECT_EQ(canonical("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(canonical("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(canonical("::"), "::");
  EXPECT_EQ(canonical("::1"), "::1");
  EXPECT_EQ(canonical("fe80::1%eth0"), "fe80::1");
  EXPECT_EQ(canonical("1::"), "1::");
  EXPECT_EQ(canonical("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
  EXPECT_EQ(canonical("::ffff:192.0.2.1"), "192.0.2.1");  // v4-mapped folds to IPv4
  EXPECT_EQ(canonical("64:ff9b::192.0.2.1"), "64:ff9b::c000:201");
  for (const char* bad : {":", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                          "12345::", "g::1", "1:", ":1", "::1.2.3", "1.2.3.4::"}) {
    EXPECT_FALSE(parseIpAddress(bad)) << bad;
  }
}

TEST(IpRange, ParsesCidrAndBareAddresses) {
  EXPECT_EQ(parseIpRange("192.0.2.7")->toString(), "192.0.2.7/32");
  EXPECT_EQ(parseIpRange("192.0.2.7/24")->toString(), "192.0.2.0/24");  // host bits cleared
  EXPECT_EQ(parseIpRange("0.0.0.0/0")->toString(), "0.0.0.0/0");
  EXPECT_EQ(parseIpRange("2001:db8::7")->toString(), "2001:db8::7/128");
  EXPECT_EQ(parseIpRange("2001:db8:ffff::/33")->toString(), "2001:db8:8000::/33");
  for (const char* bad : {"192.0.2.0/33", "192.0.2.0/", "192.0.2.0/-1", "192.0.2.0/08", "::/129",
                          "fe80::%eth0/64", "x/8", "192.0.2.0/24/1"}) {
    EXPECT_FALSE(parseIpRange(bad)) << bad;
  }
}

TEST(IpRange, Contains) {
  const IpRange v4 = *parseIpRange("192.0.2.0/25");
  EXPECT_TRUE(v4.contains(*parseIpAddress("192.0.2.0")));
  EXPECT_TRUE(v4.contains(*parseIpAddress("192.0.2.127")));
  EXPECT_FALSE(v4.contains(*parseIpAddress("192.0.2.128")));
  EXPECT_TRUE(v4.contains(*parseIpAddress("::ffff:192.0.2.1")));
  EXPECT_FALSE(v4.contains(*parseIpAddress("2001:db8::1")));
  EXPECT_TRUE(parseIpRange("0.0.0.0/0")->contains(*parseIpAddress("203.0.113.9")));

  const IpRange v6 = *parseIpRange("2001:db8:abcd::/48");
  EXPECT_TRUE(v6.contains(*parseIpAddress("2001:db8:abcd:12::1")));
  EXPECT_FALSE(v6.contains(*parseIpAddress("2001:db8:abce::1")));
  EXPECT_FALSE(v6.contains(*parseIpAddress("192.0.2.1")));
  EXPECT_TRUE(parseIpRange("::/0")->contains(*parseIpAddress("2001:db8::1")));
  // A v4-mapped v6 range covers the folded IPv4 peer addresses.
  EXPECT_TRUE(parseIpRange("::ffff:192.0.2.0/120")->contains(*parseIpAddress("192.0.2.5")));
  EXPECT_FALSE(parseIpRange("::ffff:192.0.2.0/120")->contains(*parseIpAddress("192.0.3.5")));
}

}  // namespace
}  // namespace edge::policies
