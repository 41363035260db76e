#include "analytics/name_table.hpp"

#include <bit>
#include <cstring>

namespace nzl::analytics {

name_table::name_table(std::size_t capacity)
    : capacity_(capacity == 0      ? 1
                : capacity > 65535 ? 65535
                                   : capacity),
      slots_(std::bit_ceil(2 * capacity_)), entries_(std::make_unique<entry[]>(slots_)),
      id_of_slot_(std::make_unique<std::atomic<std::uint16_t>[]>(slots_)),
      slot_of_id_(std::make_unique<std::atomic<std::uint32_t>[]>(capacity_ + 1)) {}

std::size_t name_table::probe_start(std::string_view name) const noexcept {
  // FNV-1a: short names, no allocation.
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : name)
    h = (h ^ c) * 1099511628211ull;
  return static_cast<std::size_t>(h) & (slots_ - 1);
}

namespace {

bool same(std::string_view name, std::uint8_t length, const char* text) noexcept {
  return name.size() == length && std::memcmp(name.data(), text, length) == 0;
}

} // namespace

std::uint16_t name_table::intern(std::string_view name) noexcept {
  if (name.empty() || name.size() > max_name_length)
    return 0;
  std::size_t i = probe_start(name);
  for (std::size_t n = 0; n < slots_; ++n, i = (i + 1) & (slots_ - 1)) {
    auto& e = entries_[i];
    auto state = e.state.load(std::memory_order_acquire);
    if (state == 0) {
      std::uint8_t expected = 0;
      if (e.state.compare_exchange_strong(expected, 1, std::memory_order_acquire)) {
        std::memcpy(e.text.data(), name.data(), name.size());
        e.length = static_cast<std::uint8_t>(name.size());
        const auto id = next_id_.fetch_add(1, std::memory_order_relaxed);
        // Past capacity the name keeps its entry but maps to 0 ("other").
        const auto published = id <= capacity_ ? static_cast<std::uint16_t>(id) : std::uint16_t{0};
        if (published != 0)
          slot_of_id_[published].store(static_cast<std::uint32_t>(i + 1),
                                       std::memory_order_release);
        id_of_slot_[i].store(published, std::memory_order_relaxed);
        e.state.store(2, std::memory_order_release);
        return published;
      }
      state = expected;
    }
    while (state == 1)
      state = e.state.load(std::memory_order_acquire);
    if (same(name, e.length, e.text.data()))
      return id_of_slot_[i].load(std::memory_order_relaxed);
  }
  return 0;
}

std::uint16_t name_table::find(std::string_view name) const noexcept {
  if (name.empty() || name.size() > max_name_length)
    return 0;
  std::size_t i = probe_start(name);
  for (std::size_t n = 0; n < slots_; ++n, i = (i + 1) & (slots_ - 1)) {
    const auto& e = entries_[i];
    auto state = e.state.load(std::memory_order_acquire);
    if (state == 0)
      return 0;
    while (state == 1)
      state = e.state.load(std::memory_order_acquire);
    if (same(name, e.length, e.text.data()))
      return id_of_slot_[i].load(std::memory_order_relaxed);
  }
  return 0;
}

std::string_view name_table::name(std::uint16_t id) const noexcept {
  if (id == 0 || id > capacity_)
    return "other";
  const auto slot = slot_of_id_[id].load(std::memory_order_acquire);
  if (slot == 0)
    return "other";
  const auto& e = entries_[slot - 1];
  return {e.text.data(), e.length};
}

} // namespace nzl::analytics
