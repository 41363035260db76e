#include "storage/internal/lmdb_error.hpp"

#include "core/result.hpp"

#include <fmt/format.h>
#include <lmdb.h>

#include <cerrno>
#include <string>

namespace nzl::storage::internal {

errc errc_for(int rc) noexcept {
  switch (rc) {
  case MDB_MAP_FULL:
  case MDB_READERS_FULL:
  case ENOSPC:
  case EDQUOT:
  case ENOMEM:
  case EAGAIN:
    return errc::unavailable;
  default:
    return errc::internal;
  }
}

std::string_view code_name(int rc) noexcept {
  switch (rc) {
  case MDB_KEYEXIST:
    return "MDB_KEYEXIST";
  case MDB_NOTFOUND:
    return "MDB_NOTFOUND";
  case MDB_PAGE_NOTFOUND:
    return "MDB_PAGE_NOTFOUND";
  case MDB_CORRUPTED:
    return "MDB_CORRUPTED";
  case MDB_PANIC:
    return "MDB_PANIC";
  case MDB_VERSION_MISMATCH:
    return "MDB_VERSION_MISMATCH";
  case MDB_INVALID:
    return "MDB_INVALID";
  case MDB_MAP_FULL:
    return "MDB_MAP_FULL";
  case MDB_DBS_FULL:
    return "MDB_DBS_FULL";
  case MDB_READERS_FULL:
    return "MDB_READERS_FULL";
  case MDB_TLS_FULL:
    return "MDB_TLS_FULL";
  case MDB_TXN_FULL:
    return "MDB_TXN_FULL";
  case MDB_CURSOR_FULL:
    return "MDB_CURSOR_FULL";
  case MDB_PAGE_FULL:
    return "MDB_PAGE_FULL";
  case MDB_MAP_RESIZED:
    return "MDB_MAP_RESIZED";
  case MDB_INCOMPATIBLE:
    return "MDB_INCOMPATIBLE";
  case MDB_BAD_RSLOT:
    return "MDB_BAD_RSLOT";
  case MDB_BAD_TXN:
    return "MDB_BAD_TXN";
  case MDB_BAD_VALSIZE:
    return "MDB_BAD_VALSIZE";
  case MDB_BAD_DBI:
    return "MDB_BAD_DBI";
  case EACCES:
    return "EACCES";
  case EPERM:
    return "EPERM";
  case ENOENT:
    return "ENOENT";
  case ENOTDIR:
    return "ENOTDIR";
  case EISDIR:
    return "EISDIR";
  case EROFS:
    return "EROFS";
  case ENOSPC:
    return "ENOSPC";
  case EDQUOT:
    return "EDQUOT";
  case ENOMEM:
    return "ENOMEM";
  case EIO:
    return "EIO";
  case EINVAL:
    return "EINVAL";
  case EAGAIN:
    return "EAGAIN";
  case EBUSY:
    return "EBUSY";
  default:
    return "unknown";
  }
}

error lmdb_error(int rc, std::string_view operation) {
  return fail(errc_for(rc), fmt::format("storage: {} failed: {} ({} {})", operation,
                                        mdb_strerror(rc), code_name(rc), rc));
}

} // namespace nzl::storage::internal
