#include "net/outbound/egress.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nzl::net::outbound {
namespace {

compiled_egress compiled(const egress_rules& rules) {
  auto c = compile(rules);
  EXPECT_TRUE(c) << (c ? "" : c.err().detail);
  return c ? std::move(*c) : compiled_egress{};
}

ip_address addr(const char* text) {
  auto a = ip_address::parse(text);
  EXPECT_TRUE(a) << text;
  return a.value_or(ip_address{});
}

TEST(IpAddressTest, ParsesAndPrintsBothFamilies) {
  auto v4 = addr("192.0.2.10");
  EXPECT_FALSE(v4.v6);
  EXPECT_EQ(v4, ip_address::v4(192, 0, 2, 10));
  EXPECT_EQ(v4.to_string(), "192.0.2.10");
  auto v6 = addr("2001:DB8::1");
  EXPECT_TRUE(v6.v6);
  EXPECT_EQ(v6.to_string(), "2001:db8::1");
}

TEST(IpAddressTest, RejectsNonCanonicalAndJunk) {
  for (const char* text : {"", "127.1", "0x7f.0.0.1", "2130706433", "1.2.3.4.5", "256.0.0.1",
                           "[::1]", "fe80::1%eth0", "1.2.3.4:80", "localhost", " 1.2.3.4", "::1 ",
                           "01234567890123456789012345678901234567890123456789"})
    EXPECT_FALSE(ip_address::parse(text)) << text;
}

TEST(IpAddressTest, UnmapsIpv4MappedIpv6) {
  EXPECT_EQ(addr("::ffff:127.0.0.1").unmapped(), ip_address::v4(127, 0, 0, 1));
  EXPECT_EQ(addr("::ffff:7f00:1").unmapped(), ip_address::v4(127, 0, 0, 1));
  EXPECT_EQ(addr("2001:db8::1").unmapped(), addr("2001:db8::1"));
  EXPECT_EQ(addr("8.8.8.8").unmapped(), addr("8.8.8.8"));
}

TEST(ClassifyTest, EveryClassAtItsEdges) {
  std::vector<std::pair<const char*, ip_class>> cases = {
      {"0.0.0.0", ip_class::unspecified},
      {"0.255.255.255", ip_class::unspecified},
      {"1.0.0.0", ip_class::public_address},
      {"9.255.255.255", ip_class::public_address},
      {"10.0.0.0", ip_class::private_network},
      {"10.255.255.255", ip_class::private_network},
      {"11.0.0.0", ip_class::public_address},
      {"100.63.255.255", ip_class::public_address},
      {"100.64.0.0", ip_class::private_network},
      {"100.127.255.255", ip_class::private_network},
      {"100.128.0.0", ip_class::public_address},
      {"126.255.255.255", ip_class::public_address},
      {"127.0.0.0", ip_class::loopback},
      {"127.0.0.1", ip_class::loopback},
      {"127.255.255.255", ip_class::loopback},
      {"128.0.0.0", ip_class::public_address},
      {"169.253.255.255", ip_class::public_address},
      {"169.254.0.0", ip_class::link_local},
      {"169.254.169.254", ip_class::link_local},
      {"169.254.255.255", ip_class::link_local},
      {"169.255.0.0", ip_class::public_address},
      {"172.15.255.255", ip_class::public_address},
      {"172.16.0.0", ip_class::private_network},
      {"172.31.255.255", ip_class::private_network},
      {"172.32.0.0", ip_class::public_address},
      {"192.167.255.255", ip_class::public_address},
      {"192.168.0.0", ip_class::private_network},
      {"192.168.255.255", ip_class::private_network},
      {"192.169.0.0", ip_class::public_address},
      {"223.255.255.255", ip_class::public_address},
      {"224.0.0.0", ip_class::multicast},
      {"239.255.255.255", ip_class::multicast},
      {"240.0.0.0", ip_class::reserved},
      {"255.255.255.254", ip_class::reserved},
      {"255.255.255.255", ip_class::broadcast},
      {"8.8.8.8", ip_class::public_address},
      {"::", ip_class::unspecified},
      {"::1", ip_class::loopback},
      {"::2", ip_class::reserved},
      {"::127.0.0.1", ip_class::reserved},
      {"::ffff:0.0.0.0", ip_class::unspecified},
      {"::ffff:127.0.0.1", ip_class::loopback},
      {"::ffff:10.1.2.3", ip_class::private_network},
      {"::ffff:169.254.169.254", ip_class::link_local},
      {"::ffff:8.8.8.8", ip_class::public_address},
      {"::ffff:255.255.255.255", ip_class::broadcast},
      {"fbff:ffff::", ip_class::public_address},
      {"fc00::", ip_class::private_network},
      {"fd12:3456::1", ip_class::private_network},
      {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ip_class::private_network},
      {"fe00::", ip_class::public_address},
      {"fe7f:ffff::", ip_class::public_address},
      {"fe80::", ip_class::link_local},
      {"fe80::1", ip_class::link_local},
      {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ip_class::link_local},
      {"fec0::1", ip_class::private_network},
      {"feff:ffff::", ip_class::private_network},
      {"ff00::", ip_class::multicast},
      {"ff02::1", ip_class::multicast},
      {"2001:db8::1", ip_class::public_address},
      {"2606:4700::1111", ip_class::public_address},
      {"64:ff9b::7f00:1", ip_class::loopback},
      {"64:ff9b::a00:1", ip_class::private_network},
      {"64:ff9b::808:808", ip_class::public_address},
      {"2002:7f00:1::", ip_class::loopback},
      {"2002:c0a8:101::1", ip_class::private_network},
      {"2002:808:808::1", ip_class::public_address},
  };
  for (auto& [text, expected] : cases)
    EXPECT_EQ(to_string(classify(addr(text))), to_string(expected)) << text;
}

TEST(CidrTest, ParsesAndMatches) {
  auto c = cidr::parse("10.1.0.0/16");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(addr("10.1.0.0")));
  EXPECT_TRUE(c->contains(addr("10.1.255.255")));
  EXPECT_TRUE(c->contains(addr("::ffff:10.1.2.3")));
  EXPECT_FALSE(c->contains(addr("10.2.0.0")));
  EXPECT_FALSE(c->contains(addr("10.0.255.255")));
  EXPECT_FALSE(c->contains(addr("::a01:203")));
}

TEST(CidrTest, OddPrefixesAndHostBits) {
  auto c = cidr::parse("192.168.1.77/29"); // host bits are masked
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(addr("192.168.1.72")));
  EXPECT_TRUE(c->contains(addr("192.168.1.79")));
  EXPECT_FALSE(c->contains(addr("192.168.1.71")));
  EXPECT_FALSE(c->contains(addr("192.168.1.80")));
  auto all = cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains(addr("255.255.255.255")));
  EXPECT_FALSE(all->contains(addr("2001:db8::1")));
  auto v6 = cidr::parse("2001:db8:abcd:12::/63");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(addr("2001:db8:abcd:13:ffff::1")));
  EXPECT_FALSE(v6->contains(addr("2001:db8:abcd:14::")));
  auto host = cidr::parse("2001:db8::5");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->prefix, 128u);
  EXPECT_TRUE(host->contains(addr("2001:db8::5")));
  EXPECT_FALSE(host->contains(addr("2001:db8::4")));
  auto single = cidr::parse("203.0.113.9");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->prefix, 32u);
}

TEST(CidrTest, MappedBlocksBecomeIpv4) {
  auto c = cidr::parse("::ffff:10.0.0.0/104");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->base.v6);
  EXPECT_EQ(c->prefix, 8u);
  EXPECT_TRUE(c->contains(addr("10.9.9.9")));
  EXPECT_TRUE(c->contains(addr("::ffff:10.9.9.9")));
}

TEST(CidrTest, RejectsMalformed) {
  for (const char* text :
       {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/8/8", "10.0.0.0/-1",
        "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/0008", "10/8", "example.com/24", "10.0.0.0/8x"}) {
    auto c = cidr::parse(text);
    ASSERT_FALSE(c) << text;
    EXPECT_EQ(c.err().code, errc::invalid_field) << text;
  }
}

TEST(CompileTest, NamesTheFirstBadCidr) {
  egress_rules rules;
  rules.allow_cidrs = {"10.0.0.0/8"};
  rules.deny_cidrs = {"1.2.3.4/40"};
  auto c = compile(rules);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.err().code, errc::invalid_field);
  EXPECT_NE(c.err().detail.find("1.2.3.4/40"), std::string::npos);
}

TEST(CheckDestinationTest, DefaultsAllowOnlyPublic) {
  auto rules = compiled({});
  std::vector<std::pair<const char*, const char*>> denied = {
      {"127.0.0.1", "loopback"},
      {"127.8.9.10", "loopback"},
      {"::1", "loopback"},
      {"::ffff:127.0.0.1", "loopback"},
      {"10.0.0.1", "private"},
      {"172.16.5.4", "private"},
      {"192.168.1.1", "private"},
      {"100.64.0.1", "private"},
      {"fd00::1", "private"},
      {"::ffff:192.168.0.1", "private"},
      {"169.254.169.254", "link_local"},
      {"fe80::1", "link_local"},
      {"0.0.0.0", "unspecified"},
      {"::", "unspecified"},
      {"224.0.0.1", "multicast"},
      {"ff02::1", "multicast"},
      {"255.255.255.255", "broadcast"},
      {"240.0.0.1", "reserved"},
      {"64:ff9b::a9fe:a9fe", "link_local"},
  };
  for (auto& [text, rule] : denied) {
    auto r = check_destination(rules, text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.err().code, errc::egress_denied) << text;
    EXPECT_EQ(r.err().extensions.value("rule", ""), rule) << text;
    EXPECT_NE(r.err().detail.find(addr(text).unmapped().to_string()), std::string::npos)
        << r.err().detail;
  }
  for (const char* text : {"8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"}) {
    auto r = check_destination(rules, text);
    ASSERT_TRUE(r) << text << ": " << r.err().detail;
    EXPECT_EQ(*r, ip_class::public_address);
  }
}

TEST(CheckDestinationTest, FlagsOpenTheirClassOnly) {
  egress_rules rules;
  rules.allow_loopback = true;
  auto loopback = compiled(rules);
  EXPECT_TRUE(check_destination(loopback, "127.0.0.1"));
  EXPECT_TRUE(check_destination(loopback, "::1"));
  EXPECT_TRUE(check_destination(loopback, "::ffff:127.0.0.1"));
  EXPECT_FALSE(check_destination(loopback, "10.0.0.1"));
  EXPECT_FALSE(check_destination(loopback, "169.254.1.1"));
  EXPECT_FALSE(check_destination(loopback, "0.0.0.0"));

  rules = {};
  rules.allow_private = true;
  auto priv = compiled(rules);
  EXPECT_TRUE(check_destination(priv, "10.0.0.1"));
  EXPECT_TRUE(check_destination(priv, "100.100.0.1"));
  EXPECT_TRUE(check_destination(priv, "fd00::1"));
  EXPECT_FALSE(check_destination(priv, "127.0.0.1"));
  EXPECT_FALSE(check_destination(priv, "fe80::1"));

  rules = {};
  rules.allow_link_local = true;
  auto link = compiled(rules);
  EXPECT_TRUE(check_destination(link, "169.254.169.254"));
  EXPECT_TRUE(check_destination(link, "fe80::1"));
  EXPECT_FALSE(check_destination(link, "192.168.0.1"));
  EXPECT_FALSE(check_destination(link, "::1"));
}

TEST(CheckDestinationTest, AllowCidrsBeatClassFlags) {
  egress_rules rules;
  rules.allow_cidrs = {"10.20.0.0/16", "fd00:1::/32", "239.1.1.1"};
  auto c = compiled(rules);
  auto r = check_destination(c, "10.20.3.4");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, ip_class::private_network);
  EXPECT_TRUE(check_destination(c, "::ffff:10.20.3.4"));
  EXPECT_TRUE(check_destination(c, "fd00:1::9"));
  EXPECT_TRUE(check_destination(c, "239.1.1.1"));
  EXPECT_FALSE(check_destination(c, "10.21.0.1"));
  EXPECT_FALSE(check_destination(c, "fd00:2::9"));
  EXPECT_FALSE(check_destination(c, "239.1.1.2"));
}

TEST(CheckDestinationTest, DenyCidrsBeatAllowCidrsAndFlags) {
  egress_rules rules;
  rules.allow_private = true;
  rules.allow_loopback = true;
  rules.allow_cidrs = {"10.0.0.0/8", "198.51.100.0/24"};
  rules.deny_cidrs = {"10.9.0.0/16", "127.0.0.2", "198.51.100.128/25", "2001:db8::/32"};
  auto c = compiled(rules);
  EXPECT_TRUE(check_destination(c, "10.8.0.1"));
  EXPECT_TRUE(check_destination(c, "127.0.0.1"));
  EXPECT_TRUE(check_destination(c, "198.51.100.127"));
  EXPECT_TRUE(check_destination(c, "2001:db9::1"));
  for (const char* text :
       {"10.9.0.1", "::ffff:10.9.255.255", "127.0.0.2", "198.51.100.128", "2001:db8::1"}) {
    auto r = check_destination(c, text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.err().code, errc::egress_denied);
    EXPECT_EQ(r.err().extensions.value("rule", ""), "deny_cidrs") << text;
  }
}

TEST(CheckDestinationTest, TextThatIsNotAnAddressIsInvalid) {
  auto r = check_destination(compiled({}), "localhost");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::invalid_field);
}

} // namespace
} // namespace nzl::net::outbound
