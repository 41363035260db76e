#include "net/outbound/url.hpp"

#include <gtest/gtest.h>

namespace nzl::net::outbound {
namespace {

url parsed(const char* text) {
  auto u = parse_url(text);
  EXPECT_TRUE(u) << text << ": " << (u ? "" : u.err().detail);
  return u ? *u : url{};
}

TEST(UrlTest, SplitsHttpAndHttps) {
  auto u = parsed("http://Example.COM/a/b?x=1&y=2#frag");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.target, "/a/b?x=1&y=2");
  EXPECT_FALSE(u.tls());
  EXPECT_EQ(u.authority(), "example.com");
  EXPECT_EQ(u.to_string(), "http://example.com/a/b?x=1&y=2");

  auto s = parsed("HTTPS://hooks.example.com:8443");
  EXPECT_TRUE(s.tls());
  EXPECT_EQ(s.port, 8443);
  EXPECT_EQ(s.target, "/");
  EXPECT_EQ(s.authority(), "hooks.example.com:8443");
  EXPECT_EQ(parsed("https://h").port, 443);
  EXPECT_EQ(parsed("https://h:443/").authority(), "h");
  EXPECT_EQ(parsed("http://h?q=1").target, "/?q=1");
  EXPECT_EQ(parsed("http://h#top").target, "/");
}

TEST(UrlTest, AddressLiterals) {
  auto v4 = parsed("http://127.0.0.1:8080/x");
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 8080);
  EXPECT_FALSE(v4.ipv6_literal);
  auto v6 = parsed("http://[::1]:9000/y");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_TRUE(v6.ipv6_literal);
  EXPECT_EQ(v6.port, 9000);
  EXPECT_EQ(v6.authority(), "[::1]:9000");
  EXPECT_EQ(parsed("http://[2001:DB8::1]").host, "2001:db8::1");
  EXPECT_EQ(parsed("http://[::1]").authority(), "[::1]");
}

TEST(UrlTest, RejectsWhatWeDoNotCall) {
  for (const char* text : {"",
                           "example.com/x",
                           "ftp://example.com/",
                           "file:///etc/passwd",
                           "gopher://h/",
                           "javascript:alert(1)",
                           "http:/h/",
                           "http:///x",
                           "http://:80/",
                           "http://user@h/",
                           "http://user:pw@h/",
                           "http://h@evil.example/",
                           "http://h:0/",
                           "http://h:65536/",
                           "http://h:99999/",
                           "http://h:-1/",
                           "http://h:80x/",
                           "http://h:/",
                           "http://h:+80/",
                           "http://h: 80/",
                           "http://exa mple.com/",
                           "http://h/a b",
                           "http://h/\r\nX: y",
                           "http://h\t/",
                           "http://ex%61mple.com/",
                           "http://[::1/",
                           "http://[::1]x/",
                           "http://[127.0.0.1]/",
                           "http://[fe80::1%25eth0]/",
                           "http://127.1/",
                           "http://2130706433/",
                           "http://0x7f.0.0.1/",
                           "http://1.2.3.4.5/",
                           "http://h\x7f/",
                           "http://caf\xc3\xa9.fr/",
                           "http://a!b/"}) {
    auto u = parse_url(text);
    EXPECT_FALSE(u) << text;
    if (!u) {
      EXPECT_EQ(u.err().code, errc::invalid_field) << text;
    }
  }
}

TEST(UrlTest, ResolvesRedirectLocations) {
  auto base = parsed("https://h.example:8443/a/b/c?q=1");
  auto check = [&](const char* location, const char* expected) {
    auto u = resolve_location(base, location);
    ASSERT_TRUE(u) << location << ": " << u.err().detail;
    EXPECT_EQ(u->to_string(), expected) << location;
  };
  check("http://other.example/x", "http://other.example/x");
  check("//other.example:9/y", "https://other.example:9/y");
  check("/root?z=2#f", "https://h.example:8443/root?z=2");
  check("d", "https://h.example:8443/a/b/d");
  check("d/e?x", "https://h.example:8443/a/b/d/e?x");
  check("?r=3", "https://h.example:8443/a/b/c?r=3");
  check("#frag", "https://h.example:8443/a/b/c?q=1");
  EXPECT_FALSE(resolve_location(base, ""));
  EXPECT_FALSE(resolve_location(base, "ftp://h/"));
  EXPECT_FALSE(resolve_location(base, "http://u@h/"));
  EXPECT_FALSE(resolve_location(base, "/a\r\nSet-Cookie: x"));
}

} // namespace
} // namespace nzl::net::outbound
