#include "policies/config.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

struct AddressCase {
  std::string_view text;
  bool ok;
  std::string host;
  uint16_t port;
};
class ListenAddresses : public testing::TestWithParam<AddressCase> {};

TEST_P(ListenAddresses, Parse) {
  const AddressCase& c = GetParam();
  const auto addr = parseListenAddress(c.text);
  ASSERT_EQ(addr.has_value(), c.ok) << c.text;
  if (!c.ok) return;
  EXPECT_EQ(addr->host, c.host);
  EXPECT_EQ(addr->port, c.port);
  EXPECT_EQ(addr->toString(), c.text);  // round trip
}

INSTANTIATE_TEST_SUITE_P(
    Config, ListenAddresses,
    testing::Values(AddressCase{"127.0.0.1:8080", true, "127.0.0.1", 8080},
                    AddressCase{"0.0.0.0:0", true, "0.0.0.0", 0},
                    AddressCase{"localhost:65535", true, "localhost", 65535},
                    AddressCase{"[::1]:443", true, "::1", 443},
                    AddressCase{"[2001:db8::8:800:200c:417a]:80", true, "2001:db8::8:800:200c:417a", 80},
                    AddressCase{"[::ffff:192.0.2.1]:1", true, "::ffff:192.0.2.1", 1},
                    AddressCase{"127.0.0.1:65536", false, "", 0},
                    AddressCase{"127.0.0.1:", false, "", 0},
                    AddressCase{"127.0.0.1", false, "", 0},
                    AddressCase{":8080", false, "", 0},
                    AddressCase{"256.0.0.1:80", false, "", 0},
                    AddressCase{"1.2.3:80", false, "", 0},
                    AddressCase{"example.com:80", false, "", 0},
                    AddressCase{"::1:80", false, "", 0},
                    AddressCase{"[::1]80", false, "", 0},
                    AddressCase{"[1::2::3]:80", false, "", 0},
                    AddressCase{"[1:2:3:4:5:6:7]:80", false, "", 0},
                    AddressCase{"127.0.0.1:80x", false, "", 0},
                    AddressCase{"127.0.0.1:-1", false, "", 0}));

TEST(Config, BehaviorAllows) {
  Behavior b;
  EXPECT_TRUE(b.allows(Method::Get));
  EXPECT_TRUE(b.allows(Method::Head));
  EXPECT_FALSE(b.allows(Method::Post));
  b.allowed_methods = {Method::Get, Method::Head, Method::Options};
  EXPECT_TRUE(b.allows(Method::Options));
  EXPECT_FALSE(b.allows(Method::Other));
}

TEST(Config, FindersReturnNullWhenAbsent) {
  Config c;
  c.distribution.origins.push_back(Origin{.id = "a", .domain_name = "a.test"});
  c.cache_policies["p"] = CachePolicy{.id = "p", .name = "P"};
  c.origin_request_policies["o"] = OriginRequestPolicy{.id = "o", .name = "O"};
  ASSERT_NE(c.findOrigin("a"), nullptr);
  EXPECT_EQ(c.findOrigin("a")->domain_name, "a.test");
  EXPECT_EQ(c.findOrigin("b"), nullptr);
  ASSERT_NE(c.findCachePolicy("p"), nullptr);
  EXPECT_EQ(c.findCachePolicy("p")->name, "P");
  EXPECT_EQ(c.findCachePolicy(""), nullptr);
  ASSERT_NE(c.findOriginRequestPolicy("o"), nullptr);
  EXPECT_EQ(c.findOriginRequestPolicy("p"), nullptr);
}

TEST(Config, ListBehaviorNamesAreTheApiNames) {
  EXPECT_EQ(toString(ListBehavior::None), "none");
  EXPECT_EQ(toString(ListBehavior::Whitelist), "whitelist");
  EXPECT_EQ(toString(ListBehavior::AllExcept), "allExcept");
  EXPECT_EQ(toString(ListBehavior::All), "all");
  EXPECT_EQ(toString(ListBehavior::AllViewer), "allViewer");
  EXPECT_EQ(toString(ListBehavior::AllViewerAndWhitelistCloudFront),
            "allViewerAndWhitelistCloudFront");
}

}  // namespace
}  // namespace edge::policies
