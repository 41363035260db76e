#pragma once

#include "core/result.hpp"
#include "storage/fwd.hpp"
#include "storage/table.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct MDB_txn;

namespace nzl::storage {

/// A read-only snapshot of the environment, from `environment::begin_read`.
///
/// It sees exactly the commits that completed before it began, and nothing
/// committed later. Values returned by `get` are copies and outlive the
/// transaction; the views passed to a `scan` visitor point into the database
/// map and are valid only during that call of the visitor.
///
/// Keep it short: begin, read, destroy, within one message handler. A live
/// reader pins the pages of its snapshot (the file cannot reuse them) and
/// delays a growth of the map (see `environment::commit`). Never hold one
/// across a call to `environment::commit` on the same thread.
///
/// Thread safety: a read_txn may be moved to and used from any thread, but by
/// one thread at a time. It must be destroyed before its environment.
/// Move-only; the destructor ends (aborts) the transaction.
class read_txn {
public:
  /// Visitor of `scan`: return false to stop.
  using visitor = std::function<bool(std::string_view key, std::string_view value)>;

  read_txn(read_txn&& other) noexcept;
  read_txn& operator=(read_txn&& other) noexcept;
  read_txn(const read_txn&) = delete;
  read_txn& operator=(const read_txn&) = delete;
  ~read_txn();

  /// The value stored under `key`, copied out, or nullopt when there is none
  /// (also for keys that cannot be stored: empty or longer than max_key_bytes).
  [[nodiscard]] result<std::optional<std::string>> get(table tbl, std::string_view key) const;

  /// Visits, in key order, the entries whose key starts with `prefix` (all
  /// entries when it is empty) until `fn` returns false. Returns how many
  /// entries were passed to `fn`.
  [[nodiscard]] result<std::size_t> scan(table tbl, std::string_view prefix,
                                         const visitor& fn) const;

  /// As `scan`, but starts at the first key >= `from` (for resuming a scan
  /// after the last key seen, pass that key with a '\0' appended).
  [[nodiscard]] result<std::size_t> scan_from(table tbl, std::string_view prefix,
                                              std::string_view from, const visitor& fn) const;

  /// Number of entries in the table as of this snapshot.
  [[nodiscard]] result<std::size_t> count(table tbl) const;

private:
  friend class environment;

  read_txn(internal::env_state* state, MDB_txn* txn) noexcept : state_(state), txn_(txn) {}

  void end() noexcept;

  internal::env_state* state_;
  MDB_txn* txn_;
};

} // namespace nzl::storage
