#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace nzl::analytics {

// Interns short names (task types, regions, API key ids) into 16-bit ids for
// the hot path, without a lock or an allocation: a fixed open-addressing table
// of fixed-size entries. `intern` claims an empty entry with one CAS, copies
// the name in and then publishes it (release); `intern` and `name` on other
// threads see an entry only once published. Entries are never removed. When
// the table is full, or a name is empty or longer than max_name_length, the
// id is 0, which stands for "other". Safe to use from any number of threads.

inline constexpr std::size_t max_name_length = 47;

class name_table {
public:
  /// `capacity` entries (ids 1..capacity), at most 65535.
  explicit name_table(std::size_t capacity = 1024);

  /// The id of `name`, adding it when new; 0 when it cannot be added.
  /// Wait-free apart from a short spin while another thread is writing the
  /// same entry.
  [[nodiscard]] std::uint16_t intern(std::string_view name) noexcept;

  /// The id of `name` without adding it; 0 when absent.
  [[nodiscard]] std::uint16_t find(std::string_view name) const noexcept;

  /// The name of `id`; "other" for 0 or an unknown id.
  [[nodiscard]] std::string_view name(std::uint16_t id) const noexcept;

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

private:
  struct entry {
    std::atomic<std::uint8_t> state{0}; // 0 empty, 1 being written, 2 ready
    std::uint8_t length = 0;
    std::array<char, max_name_length> text{};
  };
  [[nodiscard]] std::size_t probe_start(std::string_view name) const noexcept;

  std::size_t capacity_;
  std::size_t slots_; // a power of two >= 2 * capacity
  std::unique_ptr<entry[]> entries_;
  std::unique_ptr<std::atomic<std::uint16_t>[]> id_of_slot_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> slot_of_id_;
  std::atomic<std::uint32_t> next_id_{1};
};

} // namespace nzl::analytics
