#include "storage/read_txn.hpp"

#include "storage/internal/env_state.hpp"
#include "storage/internal/lmdb_error.hpp"
#include "storage/write_batch.hpp"

#include <fmt/format.h>
#include <lmdb.h>

#include <cassert>
#include <string>
#include <utility>

namespace nzl::storage {

namespace {

MDB_val to_val(std::string_view s) noexcept {
  // LMDB never writes through the pointer of a key it is given.
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view to_view(const MDB_val& v) noexcept {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

bool storable_key(std::string_view key) noexcept {
  return !key.empty() && key.size() <= max_key_bytes;
}

struct cursor_guard {
  MDB_cursor* cursor = nullptr;
  ~cursor_guard() {
    if (cursor != nullptr)
      mdb_cursor_close(cursor);
  }
};

} // namespace

read_txn::read_txn(read_txn&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)), txn_(std::exchange(other.txn_, nullptr)) {}

read_txn& read_txn::operator=(read_txn&& other) noexcept {
  if (this != &other) {
    end();
    state_ = std::exchange(other.state_, nullptr);
    txn_ = std::exchange(other.txn_, nullptr);
  }
  return *this;
}

read_txn::~read_txn() {
  end();
}

void read_txn::end() noexcept {
  if (txn_ == nullptr)
    return;
  mdb_txn_abort(txn_);
  txn_ = nullptr;
  state_->gate.leave();
  state_ = nullptr;
}

result<std::optional<std::string>> read_txn::get(table tbl, std::string_view key) const {
  assert(txn_ != nullptr);
  if (!storable_key(key))
    return std::optional<std::string>{};
  auto k = to_val(key);
  MDB_val v{};
  int rc = mdb_get(txn_, state_->dbi(tbl), &k, &v);
  if (rc == MDB_NOTFOUND)
    return std::optional<std::string>{};
  if (rc != 0)
    return internal::lmdb_error(rc, fmt::format("mdb_get({})", to_string(tbl)));
  return std::optional<std::string>{std::string{to_view(v)}};
}

result<std::size_t> read_txn::scan(table tbl, std::string_view prefix, const visitor& fn) const {
  return scan_from(tbl, prefix, prefix, fn);
}

result<std::size_t> read_txn::scan_from(table tbl, std::string_view prefix, std::string_view from,
                                        const visitor& fn) const {
  assert(txn_ != nullptr);
  // Keys before `prefix` cannot match, so start at the later of the two.
  auto start = from < prefix ? prefix : from;
  if (start.size() > max_key_bytes)
    return std::size_t{0};
  cursor_guard cg;
  if (int rc = mdb_cursor_open(txn_, state_->dbi(tbl), &cg.cursor); rc != 0)
    return internal::lmdb_error(rc, fmt::format("mdb_cursor_open({})", to_string(tbl)));
  MDB_val k = to_val(start);
  MDB_val v{};
  // An empty key is not a valid MDB_SET_RANGE argument: start at the first.
  int rc = mdb_cursor_get(cg.cursor, &k, &v, start.empty() ? MDB_FIRST : MDB_SET_RANGE);
  std::size_t visited = 0;
  while (rc == 0) {
    auto key = to_view(k);
    if (!key.starts_with(prefix))
      return visited;
    ++visited;
    if (!fn(key, to_view(v)))
      return visited;
    rc = mdb_cursor_get(cg.cursor, &k, &v, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND)
    return internal::lmdb_error(rc, fmt::format("mdb_cursor_get({})", to_string(tbl)));
  return visited;
}

result<std::size_t> read_txn::count(table tbl) const {
  assert(txn_ != nullptr);
  MDB_stat st{};
  if (int rc = mdb_stat(txn_, state_->dbi(tbl), &st); rc != 0)
    return internal::lmdb_error(rc, fmt::format("mdb_stat({})", to_string(tbl)));
  return std::size_t{st.ms_entries};
}

} // namespace nzl::storage
