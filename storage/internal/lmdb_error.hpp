#pragma once

#include "core/error.hpp"

#include <string_view>

namespace nzl::storage::internal {

/// What a caller should do about an LMDB or errno code `rc`: errc::unavailable
/// for conditions that pass or that an operator can lift without losing data
/// (map or disk full, too many readers), errc::internal for the rest.
[[nodiscard]] errc errc_for(int rc) noexcept;

/// The one translation of an `MDB_*` (or errno) code into an nzl::error:
/// "storage: <operation> failed: <LMDB's message> (<code name>)".
/// `operation` names the call and its object, e.g. "mdb_put(tasks)".
[[nodiscard]] error lmdb_error(int rc, std::string_view operation);

/// Name of an `MDB_*` or errno code, e.g. "MDB_MAP_FULL" or "EACCES".
[[nodiscard]] std::string_view code_name(int rc) noexcept;

} // namespace nzl::storage::internal
