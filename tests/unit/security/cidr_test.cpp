#include "security/cidr.hpp"

#include <gtest/gtest.h>

namespace nzl::security {
namespace {

ip_address ip(std::string_view text) {
  auto parsed = ip_address::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(ip_address{});
}

cidr net(std::string_view text) {
  auto parsed = cidr::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : cidr{};
}

TEST(SecurityCidrTest, ParsesAddresses) {
  EXPECT_TRUE(ip("192.0.2.1").is_v4());
  EXPECT_FALSE(ip("2001:db8::1").is_v4());
  EXPECT_EQ(ip("2001:DB8:0:0::1").to_string(), "2001:db8::1");
  // A v4-mapped IPv6 address is the IPv4 address.
  EXPECT_TRUE(ip("::ffff:192.0.2.1").is_v4());
  EXPECT_EQ(ip("::ffff:192.0.2.1"), ip("192.0.2.1"));
  EXPECT_EQ(ip("::ffff:192.0.2.1").to_string(), "192.0.2.1");
}

TEST(SecurityCidrTest, RejectsMalformedAddresses) {
  for (std::string_view bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "[::1]", "::1%eth0",
        "2001:db8:::1", "hello", "1.2.3.4/8", "aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa"})
    EXPECT_FALSE(ip_address::parse(bad)) << bad;
}

TEST(SecurityCidrTest, V4Networks) {
  auto ten = net("10.0.0.0/8");
  EXPECT_TRUE(ten.contains(ip("10.255.1.2")));
  EXPECT_FALSE(ten.contains(ip("11.0.0.1")));
  EXPECT_TRUE(ten.contains(ip("::ffff:10.1.2.3")));
  EXPECT_FALSE(ten.contains(ip("2001:db8::1")));
  EXPECT_EQ(ten.to_string(), "10.0.0.0/8");
  EXPECT_EQ(ten.prefix_length(), 8);
  auto odd = net("192.168.4.0/22");
  EXPECT_TRUE(odd.contains(ip("192.168.7.255")));
  EXPECT_FALSE(odd.contains(ip("192.168.8.0")));
}

TEST(SecurityCidrTest, V6Networks) {
  auto doc = net("2001:db8::/32");
  EXPECT_TRUE(doc.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(doc.contains(ip("2001:db9::1")));
  EXPECT_FALSE(doc.contains(ip("10.0.0.1")));
  EXPECT_EQ(net("2001:db8::/33").to_string(), "2001:db8::/33");
}

TEST(SecurityCidrTest, SingleAddressesAndZeroPrefix) {
  EXPECT_TRUE(net("192.0.2.7").contains(ip("192.0.2.7")));
  EXPECT_FALSE(net("192.0.2.7").contains(ip("192.0.2.8")));
  EXPECT_EQ(net("192.0.2.7").to_string(), "192.0.2.7/32");
  EXPECT_EQ(net("::1").to_string(), "::1/128");
  EXPECT_TRUE(net("0.0.0.0/0").contains(ip("8.8.8.8")));
  EXPECT_FALSE(net("0.0.0.0/0").contains(ip("2001:db8::1")));
  EXPECT_TRUE(net("::/0").contains(ip("2001:db8::1")));
}

TEST(SecurityCidrTest, RejectsBadCidrs) {
  for (std::string_view bad : {"10.0.0.1/8", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/",
                               "10.0.0.0/-1", "10.0.0.0/8/8", "/8", "10.0.0.0/08x", "x/8"})
    EXPECT_FALSE(cidr::parse(bad)) << bad;
}

TEST(SecurityCidrTest, ParseListReportsIndex) {
  auto bad = parse_cidrs({"10.0.0.0/8", "nope"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.err().extensions["index"], 1);
  EXPECT_TRUE(parse_cidrs({"10.0.0.0/8", "::1"}));
}

TEST(SecurityCidrTest, DenyWinsOverAllow) {
  ip_rules rules{{net("10.0.0.0/8")}, {net("10.1.0.0/16")}};
  EXPECT_TRUE(rules.decide(ip("10.2.3.4")).allowed());
  auto denied = rules.decide(ip("10.1.2.3"));
  EXPECT_EQ(denied.outcome, ip_decision::kind::denied_by_rule);
  ASSERT_TRUE(denied.rule);
  EXPECT_EQ(denied.rule->to_string(), "10.1.0.0/16");
  EXPECT_EQ(rules.decide(ip("192.0.2.1")).outcome, ip_decision::kind::not_in_allow_list);
}

TEST(SecurityCidrTest, EmptyAllowListAllowsAll) {
  ip_rules rules{{}, {net("192.0.2.0/24")}};
  EXPECT_TRUE(rules.decide(ip("198.51.100.1")).allowed());
  EXPECT_TRUE(rules.decide(ip("2001:db8::1")).allowed());
  EXPECT_FALSE(rules.decide(ip("192.0.2.1")).allowed());
  EXPECT_TRUE(ip_rules{}.decide(ip("::1")).allowed());
}

TEST(SecurityClientAddressTest, UntrustedPeerIgnoresForwardedFor) {
  std::vector<cidr> trusted{net("10.0.0.0/8")};
  auto got = client_address(ip("203.0.113.9"), "198.51.100.1", trusted);
  EXPECT_EQ(got.address, ip("203.0.113.9"));
  EXPECT_FALSE(got.from_forwarded);
  EXPECT_FALSE(got.forwarded_invalid);
}

TEST(SecurityClientAddressTest, TrustedPeerWalksFromTheRight) {
  std::vector<cidr> trusted{net("10.0.0.0/8"), net("2001:db8:1::/48")};
  // The client spoofed the first entry; the right-most untrusted one counts.
  auto got = client_address(ip("10.0.0.1"), "1.1.1.1, 198.51.100.7, 10.0.0.2", trusted);
  EXPECT_EQ(got.address, ip("198.51.100.7"));
  EXPECT_TRUE(got.from_forwarded);
  auto v6 = client_address(ip("2001:db8:1::5"), "[2001:db8:2::1]:443", trusted);
  EXPECT_EQ(v6.address, ip("2001:db8:2::1"));
  auto port = client_address(ip("10.0.0.1"), "198.51.100.7:51234", trusted);
  EXPECT_EQ(port.address, ip("198.51.100.7"));
}

TEST(SecurityClientAddressTest, AllTrustedTakesLeftmost) {
  std::vector<cidr> trusted{net("10.0.0.0/8")};
  auto got = client_address(ip("10.0.0.1"), "10.9.9.9,10.0.0.3", trusted);
  EXPECT_EQ(got.address, ip("10.9.9.9"));
  EXPECT_TRUE(got.from_forwarded);
}

TEST(SecurityClientAddressTest, MalformedForwardedForUsesPeer) {
  std::vector<cidr> trusted{net("10.0.0.0/8")};
  for (std::string_view bad : {"garbage", "198.51.100.7,", ",", "[::1", "1.2.3.4:5:6:7x"}) {
    auto got = client_address(ip("10.0.0.1"), bad, trusted);
    EXPECT_EQ(got.address, ip("10.0.0.1")) << bad;
    EXPECT_TRUE(got.forwarded_invalid) << bad;
  }
  // Garbage left of the answer is never looked at.
  auto got = client_address(ip("10.0.0.1"), "garbage, 198.51.100.7", trusted);
  EXPECT_EQ(got.address, ip("198.51.100.7"));
  EXPECT_FALSE(got.forwarded_invalid);
}

TEST(SecurityClientAddressTest, TooManyTrustedHopsUsesPeer) {
  std::vector<cidr> trusted{net("10.0.0.0/8")};
  std::string xff = "198.51.100.7";
  for (int i = 0; i < 40; ++i)
    xff += ", 10.0.0.9";
  auto got = client_address(ip("10.0.0.1"), xff, trusted);
  EXPECT_EQ(got.address, ip("10.0.0.1"));
  EXPECT_TRUE(got.forwarded_invalid);
}

} // namespace
} // namespace nzl::security
