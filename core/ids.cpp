#include "core/ids.hpp"

#include <atomic>
#include <cstdint>
#include <random>

namespace nzl {

namespace {

std::uint64_t random_word() {
  thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    return (std::uint64_t{device()} << 32) ^ device();
  }()};
  return engine();
}

// Writes the low `digits` nibbles of `v` as lowercase hex, most significant
// first. By hand because ids are made per request and per task, and
// fmt::format's parse of the format string costs more than the rest of the
// id (about 3,000 instructions of a WebSocket echo round trip's 44,000).
char* put_hex(char* out, std::uint64_t v, int digits) noexcept {
  constexpr char digit[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i)
    *out++ = digit[(v >> (4 * i)) & 0xf];
  return out;
}

} // namespace

std::string new_task_id() {
  auto hi = random_word();
  auto lo = random_word();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // RFC 4122 variant
  std::string id(36, '-');                                   // 8-4-4-4-12
  char* p = put_hex(id.data(), hi >> 32, 8);
  p = put_hex(p + 1, hi >> 16, 4);
  p = put_hex(p + 1, hi, 4);
  p = put_hex(p + 1, lo >> 48, 4);
  put_hex(p + 1, lo, 12);
  return id;
}

std::string new_request_id() {
  static const std::uint64_t prefix = random_word();
  static std::atomic<std::uint64_t> counter{0};
  const std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  int digits = 1;
  while (digits < 16 && (n >> (4 * digits)) != 0)
    ++digits;
  std::string id(17 + static_cast<std::size_t>(digits), '-');
  put_hex(put_hex(id.data(), prefix, 16) + 1, n, digits);
  return id;
}

bool is_sane_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128)
    return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace nzl
