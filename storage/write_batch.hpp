#pragma once

#include "storage/fwd.hpp"
#include "storage/table.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::storage {

/// Longest key LMDB accepts (its compile-time MDB_MAXKEYSIZE); keys must be
/// 1 .. max_key_bytes bytes long. `environment::open` checks that the linked
/// LMDB agrees.
inline constexpr std::size_t max_key_bytes = 511;

/// An ordered list of puts and erases, applied atomically by
/// `environment::commit`: either all of them become visible or none does.
/// Operations apply in the order they were added, so a later put of the same
/// key wins. A batch owns copies of its keys and values.
///
/// A batch is a plain value: it may be built on one thread and moved to
/// another, but it is not safe to modify from two threads at once.
class write_batch {
public:
  enum class op_kind : std::uint8_t { put, erase };

  /// A view of one operation; its strings point into the batch and stay valid
  /// until the batch is modified or destroyed.
  struct operation {
    op_kind kind;
    storage::table tbl;
    std::string_view key;
    std::string_view value; ///< empty for an erase
  };

  /// Stores `value` under `key`, replacing any previous value.
  void put(table tbl, std::string_view key, std::string_view value);

  /// Removes `key`; erasing a missing key is not an error.
  void erase(table tbl, std::string_view key);

  void clear() noexcept;

  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

  /// Number of operations.
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

  /// Bytes of keys and values held; a writer can bound a group commit with it.
  [[nodiscard]] std::size_t byte_size() const noexcept { return data_.size(); }

  /// The i-th operation, 0 <= i < size().
  [[nodiscard]] operation operator[](std::size_t i) const;

private:
  struct entry {
    op_kind kind;
    storage::table tbl;
    std::size_t offset; // of the key in data_; the value follows it
    std::size_t key_len;
    std::size_t value_len;
  };

  std::vector<entry> entries_;
  std::string data_;
};

} // namespace nzl::storage
