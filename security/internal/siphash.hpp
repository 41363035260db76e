#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace nzl::security::internal {

/// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF")
/// of `size` bytes under a 128-bit key: without the key, nobody can aim two
/// inputs at one hash. Pure; never throws.
[[nodiscard]] std::uint64_t siphash24(const std::array<std::uint8_t, 16>& key,
                                      const unsigned char* in, std::size_t size) noexcept;

} // namespace nzl::security::internal
