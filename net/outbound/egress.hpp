#pragma once

#include "core/result.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::net::outbound {

/// An IPv4 or IPv6 address as bytes in network order. IPv4 uses the first
/// four bytes of `bytes`; the rest are zero.
struct ip_address {
  std::array<std::uint8_t, 16> bytes{};
  bool v6 = false;

  /// Parses dotted IPv4 ("10.0.0.1") or IPv6 text ("::1", "::ffff:10.0.0.1");
  /// no brackets, no zone ids, no ports.
  [[nodiscard]] static std::optional<ip_address> parse(std::string_view text);
  [[nodiscard]] static ip_address v4(std::uint8_t a, std::uint8_t b, std::uint8_t c,
                                     std::uint8_t d) noexcept;

  /// The canonical text form ("10.0.0.1", "fe80::1").
  [[nodiscard]] std::string to_string() const;

  /// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 address; any
  /// other address unchanged.
  [[nodiscard]] ip_address unmapped() const noexcept;

  friend bool operator==(const ip_address&, const ip_address&) = default;
};

/// The class of an address, as far as egress is concerned.
enum class ip_class : std::uint8_t {
  public_address,  ///< globally routable: allowed by default
  loopback,        ///< 127/8, ::1
  private_network, ///< 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7, fec0::/10
  link_local,      ///< 169.254/16, fe80::/10
  unspecified,     ///< 0.0.0.0/8, :: (connecting there reaches the local host)
  multicast,       ///< 224/4, ff00::/8
  broadcast,       ///< 255.255.255.255
  reserved,        ///< 240/4 and IPv4-compatible IPv6 (::a.b.c.d, deprecated)
};

[[nodiscard]] std::string_view to_string(ip_class c) noexcept;

/// Classifies an address. IPv4-mapped IPv6 (::ffff:a.b.c.d) is classified as
/// its IPv4 address; so are NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
/// addresses whose embedded IPv4 address is not public, since a gateway
/// would deliver them there.
[[nodiscard]] ip_class classify(const ip_address& address) noexcept;

/// Which outbound destinations may be called (webhooks, api-tester). By
/// default only public addresses are allowed. Precedence: an address in
/// `deny_cidrs` is denied; else one in `allow_cidrs` is allowed; else its
/// class decides (public: allowed; loopback, private, link-local: the flags;
/// unspecified, multicast, broadcast, reserved: denied unless in allow_cidrs).
/// CIDRs are "a.b.c.d/n" or "v6::/n"; a bare address means /32 or /128.
struct egress_rules {
  bool allow_loopback = false;
  bool allow_private = false;
  bool allow_link_local = false;
  std::vector<std::string> allow_cidrs;
  std::vector<std::string> deny_cidrs;
};

/// One parsed CIDR block. IPv4-mapped IPv6 blocks (::ffff:0:0/96 and longer)
/// are stored as IPv4 blocks.
struct cidr {
  ip_address base; ///< host bits zeroed
  unsigned prefix = 0;
  std::string text; ///< as written in the rules, for error details

  [[nodiscard]] static result<cidr> parse(std::string_view text);
  [[nodiscard]] bool contains(const ip_address& address) const noexcept;
};

/// egress_rules parsed once; immutable and safe to share between threads.
struct compiled_egress {
  bool allow_loopback = false;
  bool allow_private = false;
  bool allow_link_local = false;
  std::vector<cidr> allow;
  std::vector<cidr> deny;
};

/// Parses the rules; errc::invalid_field naming the first malformed CIDR.
[[nodiscard]] result<compiled_egress> compile(const egress_rules& rules);

/// Whether `address` may be called. On success, the address's class; on
/// refusal, errc::egress_denied with a detail naming the address and the rule,
/// and extensions {"address", "rule"} (rule: "deny_cidrs", "loopback",
/// "private", "link_local", "unspecified", "multicast", "broadcast",
/// "reserved").
[[nodiscard]] result<ip_class> check_destination(const compiled_egress& rules,
                                                 const ip_address& address);

/// As above for an address in text form; text that is not an IP address is
/// errc::invalid_field.
[[nodiscard]] result<ip_class> check_destination(const compiled_egress& rules,
                                                 std::string_view address);

} // namespace nzl::net::outbound
