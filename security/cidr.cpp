#include "security/cidr.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>

namespace nzl::security {

namespace {

constexpr std::size_t max_address_text = 45; // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
constexpr std::array<std::uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// One X-Forwarded-For entry without brackets or port.
std::string_view strip_port(std::string_view entry) noexcept {
  if (entry.starts_with('[')) {
    auto close = entry.find(']');
    if (close == std::string_view::npos)
      return {};
    std::string_view rest = entry.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':'))
      return {};
    return entry.substr(1, close - 1);
  }
  // One colon: IPv4 with a port. More: IPv6 without brackets, kept whole.
  auto colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos)
    return entry.substr(0, colon);
  return entry;
}

} // namespace

std::optional<ip_address> ip_address::parse(std::string_view text) {
  if (text.empty() || text.size() > max_address_text)
    return std::nullopt;
  char buffer[max_address_text + 1];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    std::array<std::uint8_t, 4> v4_bytes{};
    if (inet_pton(AF_INET, buffer, v4_bytes.data()) != 1)
      return std::nullopt;
    return v4(v4_bytes);
  }
  std::array<std::uint8_t, 16> v6_bytes{};
  if (inet_pton(AF_INET6, buffer, v6_bytes.data()) != 1)
    return std::nullopt;
  return v6(v6_bytes);
}

ip_address ip_address::v4(const std::array<std::uint8_t, 4>& bytes) noexcept {
  ip_address out;
  std::memcpy(out.bytes_.data(), v4_mapped_prefix.data(), v4_mapped_prefix.size());
  std::memcpy(out.bytes_.data() + 12, bytes.data(), 4);
  return out;
}

ip_address ip_address::v6(const std::array<std::uint8_t, 16>& bytes) noexcept {
  ip_address out;
  out.bytes_ = bytes;
  return out;
}

bool ip_address::is_v4() const noexcept {
  return std::memcmp(bytes_.data(), v4_mapped_prefix.data(), v4_mapped_prefix.size()) == 0;
}

std::string ip_address::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (is_v4())
    inet_ntop(AF_INET, bytes_.data() + 12, buffer, sizeof buffer);
  else
    inet_ntop(AF_INET6, bytes_.data(), buffer, sizeof buffer);
  return buffer;
}

result<cidr> cidr::parse(std::string_view text) {
  text = trim(text);
  std::string_view address_text = text;
  std::optional<int> written_bits;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    address_text = text.substr(0, slash);
    std::string_view bits_text = text.substr(slash + 1);
    int value = -1;
    auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), value);
    if (bits_text.empty() || bits_text.size() > 3 || ec != std::errc{} ||
        end != bits_text.data() + bits_text.size())
      return fail(errc::invalid_field, "a CIDR prefix length must be a number");
    written_bits = value;
  }
  auto address = ip_address::parse(address_text);
  if (!address)
    return fail(errc::invalid_field,
                "not an IP address or CIDR: " + std::string(text.substr(0, 64)));
  // An IPv6 text that happens to be v4-mapped is an IPv6 rule as written.
  bool v4_written = address->is_v4() && address_text.find(':') == std::string_view::npos;
  int max_bits = v4_written ? 32 : 128;
  int bits = written_bits.value_or(max_bits);
  if (bits < 0 || bits > max_bits)
    return fail(errc::invalid_field, "CIDR prefix length out of range: " + std::string(text));
  cidr out;
  out.network_ = *address;
  out.bits_ = v4_written ? bits + 96 : bits;
  // Host bits must be zero.
  const auto& b = out.network_.bytes();
  for (int i = out.bits_; i < 128; ++i) {
    if (b[static_cast<std::size_t>(i / 8)] & (0x80 >> (i % 8)))
      return fail(errc::invalid_field, "CIDR has host bits set: " + std::string(text));
  }
  return out;
}

bool cidr::contains(const ip_address& ip) const noexcept {
  const auto& a = network_.bytes();
  const auto& b = ip.bytes();
  int full = bits_ / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<std::size_t>(full)) != 0)
    return false;
  int rest = bits_ % 8;
  if (rest == 0)
    return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  auto i = static_cast<std::size_t>(full);
  return (a[i] & mask) == (b[i] & mask);
}

int cidr::prefix_length() const noexcept {
  // A v4 rule is one whose network is v4-mapped and whose prefix covers the
  // mapping; "::ffff:0:0/80" stays an IPv6 rule.
  return network_.is_v4() && bits_ >= 96 ? bits_ - 96 : bits_;
}

std::string cidr::to_string() const {
  return network_.to_string() + "/" + std::to_string(prefix_length());
}

result<std::vector<cidr>> parse_cidrs(const std::vector<std::string>& texts) {
  std::vector<cidr> out;
  out.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto parsed = cidr::parse(texts[i]);
    if (!parsed) {
      auto err = std::move(parsed).err();
      err.extensions["index"] = i;
      return err;
    }
    out.push_back(*parsed);
  }
  return out;
}

bool any_contains(const std::vector<cidr>& list, const ip_address& ip) noexcept {
  for (const auto& rule : list)
    if (rule.contains(ip))
      return true;
  return false;
}

ip_decision ip_rules::decide(const ip_address& ip) const {
  for (const auto& rule : deny)
    if (rule.contains(ip))
      return {ip_decision::kind::denied_by_rule, rule};
  if (allow.empty() || any_contains(allow, ip))
    return {ip_decision::kind::allowed, std::nullopt};
  return {ip_decision::kind::not_in_allow_list, std::nullopt};
}

client_address_result client_address(const ip_address& peer, std::string_view x_forwarded_for,
                                     const std::vector<cidr>& trusted_proxies) {
  client_address_result out{peer, false, false};
  if (x_forwarded_for.empty() || !any_contains(trusted_proxies, peer))
    return out;
  std::string_view rest = x_forwarded_for;
  for (std::size_t hops = 0; hops < max_forwarded_hops; ++hops) {
    auto comma = rest.rfind(',');
    std::string_view entry = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    auto parsed = ip_address::parse(strip_port(entry));
    if (!parsed) {
      out.forwarded_invalid = true;
      return out;
    }
    if (!any_contains(trusted_proxies, *parsed) || comma == std::string_view::npos) {
      out.address = *parsed;
      out.from_forwarded = true;
      return out;
    }
    rest = rest.substr(0, comma);
  }
  // More trusted hops than we are willing to walk.
  out.forwarded_invalid = true;
  return out;
}

} // namespace nzl::security
