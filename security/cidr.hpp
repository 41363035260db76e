#pragma once

#include "core/result.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::security {

// IP addresses and CIDR rules. Every address is held as 16 bytes; an IPv4
// address is held in its IPv4-mapped form (::ffff:a.b.c.d) and an IPv4 rule
// /n as the mapped rule /(96+n), so a v4-mapped IPv6 peer (as a dual-stack
// socket reports it) is matched by IPv4 rules. All types here are values:
// cheap to copy, safe to share between threads once built.

/// An IPv4 or IPv6 address.
class ip_address {
public:
  /// Parses dotted IPv4 ("192.0.2.1") or IPv6 text ("2001:db8::1",
  /// "::ffff:192.0.2.1"); at most 45 characters, no brackets, ports or zone
  /// ids. A v4-mapped IPv6 address becomes the IPv4 address.
  [[nodiscard]] static std::optional<ip_address> parse(std::string_view text);

  /// From raw network-order bytes.
  [[nodiscard]] static ip_address v4(const std::array<std::uint8_t, 4>& bytes) noexcept;
  [[nodiscard]] static ip_address v6(const std::array<std::uint8_t, 16>& bytes) noexcept;

  /// True for IPv4 (including a parsed v4-mapped IPv6 address).
  [[nodiscard]] bool is_v4() const noexcept;

  /// The 16-byte form (IPv4 as ::ffff:a.b.c.d).
  [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }

  /// Canonical text: dotted quad for IPv4, RFC 5952 for IPv6.
  [[nodiscard]] std::string to_string() const;

  friend auto operator<=>(const ip_address&, const ip_address&) = default;

private:
  std::array<std::uint8_t, 16> bytes_{};
};

/// A network: an address and a prefix length.
class cidr {
public:
  /// Parses "10.0.0.0/8", "2001:db8::/32" or a single address (a /32 or
  /// /128). Fails (`errc::invalid_field`) on malformed text, a prefix out of
  /// range, or host bits set ("10.0.0.1/8").
  [[nodiscard]] static result<cidr> parse(std::string_view text);

  /// True if `ip` lies in this network.
  [[nodiscard]] bool contains(const ip_address& ip) const noexcept;

  /// Prefix length as written (0..32 for IPv4, 0..128 for IPv6).
  [[nodiscard]] int prefix_length() const noexcept;

  /// Canonical text ("10.0.0.0/8", "2001:db8::/32").
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const cidr&, const cidr&) = default;

private:
  ip_address network_;
  int bits_ = 128; // prefix length in the 16-byte form
};

/// Parses a list of CIDR texts; the first bad one fails the whole list, with
/// `{"index": i}` in the error's extensions.
[[nodiscard]] result<std::vector<cidr>> parse_cidrs(const std::vector<std::string>& texts);

/// The outcome of checking an address against `ip_rules`.
struct ip_decision {
  enum class kind : std::uint8_t {
    allowed,           ///< no deny rule matched, and the allow list is empty or matched
    denied_by_rule,    ///< a deny rule matched (`rule` says which)
    not_in_allow_list, ///< the allow list is not empty and nothing in it matched
  };
  kind outcome = kind::allowed;
  std::optional<cidr> rule; ///< the deny rule that matched, for logs

  [[nodiscard]] bool allowed() const noexcept { return outcome == kind::allowed; }
};

/// Allow and deny lists. Deny wins over allow; an empty allow list allows
/// every address not denied.
struct ip_rules {
  std::vector<cidr> allow;
  std::vector<cidr> deny;

  [[nodiscard]] ip_decision decide(const ip_address& ip) const;
  [[nodiscard]] bool empty() const noexcept { return allow.empty() && deny.empty(); }
};

/// Where the client address came from.
struct client_address_result {
  ip_address address;             ///< the client address to apply rules and limits to
  bool from_forwarded = false;    ///< taken from X-Forwarded-For
  bool forwarded_invalid = false; ///< the peer was trusted but X-Forwarded-For was malformed
                                  ///< or too long; `address` is then the peer (log this)
};

/// Most X-Forwarded-For entries examined (from the right) before giving up.
inline constexpr std::size_t max_forwarded_hops = 32;

/// The client address of a request. An untrusted peer is the client, whatever
/// X-Forwarded-For says. A peer in `trusted_proxies` hands on the address
/// found by walking `x_forwarded_for` (comma-separated, "" when absent) from
/// the right, skipping trusted proxies, and taking the first untrusted entry
/// (or the leftmost entry if all are trusted). Entries may be bracketed IPv6
/// ("[2001:db8::1]") and carry a port ("192.0.2.1:4711", "[::1]:80"). An entry
/// reached that does not parse makes the result the peer, flagged
/// `forwarded_invalid`; entries left of the answer are never parsed.
[[nodiscard]] client_address_result client_address(const ip_address& peer,
                                                   std::string_view x_forwarded_for,
                                                   const std::vector<cidr>& trusted_proxies);

/// True if any rule in `list` contains `ip`.
[[nodiscard]] bool any_contains(const std::vector<cidr>& list, const ip_address& ip) noexcept;

} // namespace nzl::security
