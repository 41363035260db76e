// Egress rules: which addresses outbound calls (webhooks, api-tester) may
// reach. Pure functions over address bytes, so every rule is unit tested
// without sockets. The client checks every address a name resolves to before
// it connects, and connects only to those checked addresses, so a DNS answer
// cannot point a call inside the network.
#include "net/outbound/egress.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>

namespace nzl::net::outbound {

namespace {

constexpr std::array<std::uint8_t, 12> mapped_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool in_v4(const ip_address& a, std::uint8_t b0, std::uint8_t b1, unsigned prefix) noexcept {
  std::uint32_t addr = (std::uint32_t{a.bytes[0]} << 24) | (std::uint32_t{a.bytes[1]} << 16);
  std::uint32_t net = (std::uint32_t{b0} << 24) | (std::uint32_t{b1} << 16);
  std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (addr & mask) == (net & mask);
}

ip_class classify_v4(const ip_address& a) noexcept {
  auto b = a.bytes;
  if (b[0] == 0)
    return ip_class::unspecified;
  if (b[0] == 127)
    return ip_class::loopback;
  if (b[0] == 10 || in_v4(a, 172, 16, 12) || in_v4(a, 192, 168, 16) || in_v4(a, 100, 64, 10))
    return ip_class::private_network;
  if (in_v4(a, 169, 254, 16))
    return ip_class::link_local;
  if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
    return ip_class::broadcast;
  if ((b[0] & 0xf0) == 224)
    return ip_class::multicast;
  if ((b[0] & 0xf0) == 240)
    return ip_class::reserved;
  return ip_class::public_address;
}

ip_class classify_embedded_v4(const ip_address& a, std::size_t offset) noexcept {
  auto v4 = ip_address::v4(a.bytes[offset], a.bytes[offset + 1], a.bytes[offset + 2],
                           a.bytes[offset + 3]);
  return classify_v4(v4);
}

ip_class classify_v6(const ip_address& a) noexcept {
  auto& b = a.bytes;
  bool first_96_zero = true;
  for (std::size_t i = 0; i < 12; ++i)
    first_96_zero = first_96_zero && b[i] == 0;
  if (first_96_zero) {
    if (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0)
      return ip_class::unspecified;
    if (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1)
      return ip_class::loopback;
    return ip_class::reserved; // IPv4-compatible (deprecated)
  }
  if ((b[0] & 0xfe) == 0xfc)
    return ip_class::private_network; // unique local fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
    return ip_class::private_network; // site-local fec0::/10 (deprecated)
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    return ip_class::link_local;
  if (b[0] == 0xff)
    return ip_class::multicast;
  // Translation prefixes deliver to their embedded IPv4 address.
  static constexpr std::array<std::uint8_t, 12> nat64{0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::equal(nat64.begin(), nat64.end(), b.begin()))
    return classify_embedded_v4(a, 12);
  if (b[0] == 0x20 && b[1] == 0x02)
    return classify_embedded_v4(a, 2);
  return ip_class::public_address;
}

error denied(const ip_address& a, std::string rule, std::string why) {
  auto text = a.to_string();
  return fail(errc::egress_denied, "destination " + text + " is denied by the egress rules: " + why,
              {{"address", text}, {"rule", std::move(rule)}});
}

} // namespace

std::optional<ip_address> ip_address::parse(std::string_view text) {
  // inet_pton needs a terminated string; addresses are short.
  if (text.empty() || text.size() > 45)
    return std::nullopt;
  char buf[46] = {};
  text.copy(buf, text.size());
  ip_address a;
  if (::inet_pton(AF_INET, buf, a.bytes.data()) == 1)
    return a;
  if (::inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.v6 = true;
    return a;
  }
  return std::nullopt;
}

ip_address ip_address::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
  ip_address x;
  x.bytes[0] = a;
  x.bytes[1] = b;
  x.bytes[2] = c;
  x.bytes[3] = d;
  return x;
}

std::string ip_address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf) == nullptr)
    return "?";
  return buf;
}

ip_address ip_address::unmapped() const noexcept {
  if (!v6 || !std::equal(mapped_prefix.begin(), mapped_prefix.end(), bytes.begin()))
    return *this;
  return v4(bytes[12], bytes[13], bytes[14], bytes[15]);
}

std::string_view to_string(ip_class c) noexcept {
  switch (c) {
  case ip_class::public_address:
    return "public";
  case ip_class::loopback:
    return "loopback";
  case ip_class::private_network:
    return "private";
  case ip_class::link_local:
    return "link_local";
  case ip_class::unspecified:
    return "unspecified";
  case ip_class::multicast:
    return "multicast";
  case ip_class::broadcast:
    return "broadcast";
  case ip_class::reserved:
    return "reserved";
  }
  return "unknown";
}

ip_class classify(const ip_address& address) noexcept {
  auto a = address.unmapped();
  return a.v6 ? classify_v6(a) : classify_v4(a);
}

result<cidr> cidr::parse(std::string_view text) {
  auto bad = [&](const char* why) {
    return fail(errc::invalid_field, "egress CIDR '" + std::string{text} + "' is invalid: " + why,
                {{"cidr", std::string{text}}});
  };
  auto slash = text.find('/');
  auto addr = ip_address::parse(text.substr(0, slash));
  if (!addr)
    return bad("not an IP address");
  unsigned max_prefix = addr->v6 ? 128 : 32;
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || digits.size() > 3 || ec != std::errc{} ||
        end != digits.data() + digits.size())
      return bad("the prefix length is not a number");
    if (prefix > max_prefix)
      return bad("the prefix length is too long");
  }
  cidr c;
  c.text = std::string{text};
  c.base = *addr;
  if (addr->v6 && prefix >= 96 && addr->unmapped() != *addr) {
    c.base = addr->unmapped();
    prefix -= 96;
  }
  c.prefix = prefix;
  for (unsigned bit = prefix; bit < (c.base.v6 ? 128u : 32u); ++bit)
    c.base.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return c;
}

bool cidr::contains(const ip_address& address) const noexcept {
  auto a = address.unmapped();
  if (a.v6 != base.v6)
    return false;
  unsigned full = prefix / 8;
  for (unsigned i = 0; i < full; ++i)
    if (a.bytes[i] != base.bytes[i])
      return false;
  unsigned rest = prefix % 8;
  if (rest == 0)
    return true;
  auto mask = static_cast<std::uint8_t>(0xffu << (8 - rest));
  return (a.bytes[full] & mask) == base.bytes[full];
}

result<compiled_egress> compile(const egress_rules& rules) {
  compiled_egress out;
  out.allow_loopback = rules.allow_loopback;
  out.allow_private = rules.allow_private;
  out.allow_link_local = rules.allow_link_local;
  for (auto& text : rules.allow_cidrs) {
    auto c = cidr::parse(text);
    if (!c)
      return std::move(c).err();
    out.allow.push_back(std::move(*c));
  }
  for (auto& text : rules.deny_cidrs) {
    auto c = cidr::parse(text);
    if (!c)
      return std::move(c).err();
    out.deny.push_back(std::move(*c));
  }
  return out;
}

result<ip_class> check_destination(const compiled_egress& rules, const ip_address& address) {
  auto a = address.unmapped();
  for (auto& c : rules.deny)
    if (c.contains(a))
      return denied(a, "deny_cidrs", "it is in deny_cidrs entry " + c.text);
  auto cls = classify(a);
  for (auto& c : rules.allow)
    if (c.contains(a))
      return cls;
  switch (cls) {
  case ip_class::public_address:
    return cls;
  case ip_class::loopback:
    if (rules.allow_loopback)
      return cls;
    return denied(a, "loopback", "loopback addresses are denied (allow_loopback is off)");
  case ip_class::private_network:
    if (rules.allow_private)
      return cls;
    return denied(a, "private", "private addresses are denied (allow_private is off)");
  case ip_class::link_local:
    if (rules.allow_link_local)
      return cls;
    return denied(a, "link_local", "link-local addresses are denied (allow_link_local is off)");
  case ip_class::unspecified:
  case ip_class::multicast:
  case ip_class::broadcast:
  case ip_class::reserved:
    return denied(a, std::string{to_string(cls)},
                  std::string{to_string(cls)} + " addresses are denied unless in allow_cidrs");
  }
  return denied(a, "unknown", "unknown address class");
}

result<ip_class> check_destination(const compiled_egress& rules, std::string_view address) {
  auto a = ip_address::parse(address);
  if (!a)
    return fail(errc::invalid_field, "'" + std::string{address} + "' is not an IP address");
  return check_destination(rules, *a);
}

} // namespace nzl::net::outbound
