#pragma once

#include "storage/fwd.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nzl::storage {

/// The named tables (LMDB sub-databases) of a node's environment. All of them
/// are opened once, by `environment::open`; adding a table is a schema change.
/// Within a table, keys are byte strings in lexicographic (memcmp) order.
enum class table : std::uint8_t {
  meta,        ///< environment metadata, e.g. `schema_version_key`
  tasks,       ///< task records by id
  queue_index, ///< per-queue ordering keys
  idempotency, ///< idempotency keys and the first answer
  webhooks,    ///< webhook delivery state
  api_keys,    ///< API key records by key id (schema 2)
  nonces,      ///< signed-request nonces seen within the window (schema 2)
  audit,       ///< the audit log by sequence number (schema 2)
  gateway,     ///< gateway state: rate-limit buckets, shutdown marker (schema 2)
};

/// Number of tables; `table` values are 0 .. table_count - 1.
inline constexpr std::size_t table_count = 9;

/// Stable name of a table: its LMDB sub-database name, also used in messages.
[[nodiscard]] std::string_view to_string(table t) noexcept;

} // namespace nzl::storage
