// The storage layer: one LMDB environment per node, in its data directory.
//
// Model. data.mdb holds one B+tree per `table` (LMDB named sub-databases, all
// opened once by open() and kept for the environment's life). LMDB is
// copy-on-write with two meta pages: a commit writes the new pages, flushes
// them, then flips a meta page, so the file always holds the last complete
// commit and needs no recovery after a crash. A write is durable when
// mdb_txn_commit returns; with sync off (MDB_NOSYNC) it then survives a crash
// of the process but not of the machine.
//
// Writers. commit() applies many batches in one write transaction: one flush
// for the whole group, which is how the writer actor (actors/) turns many
// concurrent requests into few fsyncs. write_mutex makes commits (and map
// growth) one at a time in this process.
//
// Readers. MDB_NOTLS ties a read transaction to its object, not to a thread,
// so readers may run on any scheduler thread. Values are copied out of the map
// before a read_txn ends: its pages may be reused, or the map moved, after.
//
// Growth. On MDB_MAP_FULL the transaction is aborted and the map doubles with
// mdb_env_set_mapsize, which LMDB allows only with no transaction active in
// the process: write_mutex excludes writers, map_gate stops new readers and
// waits (bounded) for live ones. Then the whole group is applied again.
//
// Safety at open. The directory is flock()ed (one environment per directory,
// LMDB's first caveat), a data.mdb that LMDB does not recognise is refused
// before anything is written to it (LMDB initialises only an absent or empty
// file), and the schema version is checked in the first write transaction,
// which is aborted, changing nothing, when the directory is not ours to use.
#include "storage/environment.hpp"

#include "storage/internal/env_state.hpp"
#include "storage/internal/lmdb_error.hpp"

#include <fmt/format.h>
#include <lmdb.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <optional>
#include <string>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>
#include <utility>
#include <vector>

namespace nzl::storage {

namespace internal {

env_state::~env_state() {
  if (env != nullptr) {
    if (auto live = gate.readers(); live != 0) {
      std::fprintf(stderr, "%s:%d: storage environment %s closed with %zu live read transactions\n",
                   __FILE__, __LINE__, dir.c_str(), live);
      std::abort();
    }
    mdb_env_close(env);
  }
  if (dir_fd >= 0)
    ::close(dir_fd);
}

} // namespace internal

namespace {

using internal::lmdb_error;

// How long a map growth waits for read transactions of this process to end.
constexpr std::chrono::milliseconds resize_wait_limit{10'000};

// LMDB reader slots: one per live read_txn (MDB_NOTLS).
constexpr unsigned max_readers = 256;

constexpr mdb_mode_t file_mode = 0640;

MDB_val to_val(std::string_view s) noexcept {
  // LMDB never writes through the pointer of a key or value it is given.
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view to_view(const MDB_val& v) noexcept {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// Aborts the transaction on scope exit unless it was committed.
class txn_guard {
public:
  explicit txn_guard(MDB_txn* txn) noexcept : txn_(txn) {}
  txn_guard(const txn_guard&) = delete;
  txn_guard& operator=(const txn_guard&) = delete;
  ~txn_guard() {
    if (txn_ != nullptr)
      mdb_txn_abort(txn_);
  }
  MDB_txn* get() const noexcept { return txn_; }
  // mdb_txn_commit frees the transaction whether it succeeds or not.
  int commit() noexcept { return mdb_txn_commit(std::exchange(txn_, nullptr)); }

private:
  MDB_txn* txn_;
};

struct cursor_guard {
  MDB_cursor* cursor = nullptr;
  ~cursor_guard() {
    if (cursor != nullptr)
      mdb_cursor_close(cursor);
  }
};

std::size_t page_size() {
  long p = ::sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<std::size_t>(p) : 4096;
}

// A stored value for a message: printable ASCII as is, the rest escaped, cut.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 32)) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (s.size() > 32)
    out += "...";
  return out;
}

error refuse(const std::filesystem::path& dir, std::string_view why) {
  return fail(errc::internal,
              fmt::format("storage: data directory {} {}; refusing to use it (nothing was "
                          "changed): restore it from a backup or start the node with another "
                          "data directory",
                          dir.string(), why));
}

// The error of a failed mdb_env_open, in an operator's words.
error open_error(const std::filesystem::path& dir, int rc) {
  switch (rc) {
  case MDB_INVALID:
  case MDB_CORRUPTED:
  case MDB_PAGE_NOTFOUND:
    return refuse(dir, fmt::format("holds a data.mdb that is not a valid LMDB file or is corrupt "
                                   "({}: {})",
                                   internal::code_name(rc), mdb_strerror(rc)));
  case MDB_VERSION_MISMATCH:
    return refuse(dir, "holds a data.mdb written by an incompatible LMDB version");
  case EACCES:
  case EPERM:
  case EROFS:
    return fail(errc::internal,
                fmt::format("storage: cannot open data directory {}: {} ({}); give the node's "
                            "user read and write access to it",
                            dir.string(), mdb_strerror(rc), internal::code_name(rc)));
  default: {
    auto e = lmdb_error(rc, fmt::format("mdb_env_open({})", dir.string()));
    e.code = errc::internal;
    return e;
  }
  }
}

// Creates the directory if missing and locks it. Fails if the path is not a
// directory, cannot be created, or is locked by another environment.
std::optional<error> prepare_dir(internal::env_state& s) {
  std::error_code ec;
  auto st = std::filesystem::status(s.dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return fail(errc::internal, fmt::format("storage: cannot access data directory {}: {}",
                                            s.dir.string(), ec.message()));
  if (std::filesystem::exists(st) && !std::filesystem::is_directory(st))
    return refuse(s.dir, "is not a directory");
  if (!std::filesystem::exists(st)) {
    std::filesystem::create_directories(s.dir, ec);
    if (ec)
      return fail(errc::internal, fmt::format("storage: cannot create data directory {}: {}",
                                              s.dir.string(), ec.message()));
  }
  s.dir_fd = ::open(s.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s.dir_fd < 0) {
    int err = errno;
    return fail(errc::internal, fmt::format("storage: cannot open data directory {}: {}",
                                            s.dir.string(), std::system_category().message(err)));
  }
  // flock locks belong to the open file description, so a second environment
  // in this process conflicts too (LMDB's own fcntl locks would not see it).
  if (::flock(s.dir_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK)
      return fail(errc::internal,
                  fmt::format("storage: data directory {} is in use by another storage "
                              "environment (another node process, or a second open in this one)",
                              s.dir.string()));
    return fail(errc::internal, fmt::format("storage: cannot lock data directory {}: {}",
                                            s.dir.string(), std::system_category().message(err)));
  }
  return std::nullopt;
}

// True if the environment holds no data: the main database has no keys but
// names of our tables, and those tables are empty.
result<bool> is_empty(MDB_txn* txn, const std::filesystem::path& dir) {
  MDB_dbi main_dbi = 0;
  if (int rc = mdb_dbi_open(txn, nullptr, 0, &main_dbi); rc != 0)
    return lmdb_error(rc, fmt::format("mdb_dbi_open(main) in {}", dir.string()));
  std::vector<std::string> names;
  {
    cursor_guard cg;
    if (int rc = mdb_cursor_open(txn, main_dbi, &cg.cursor); rc != 0)
      return lmdb_error(rc, fmt::format("mdb_cursor_open(main) in {}", dir.string()));
    MDB_val k{};
    MDB_val v{};
    int rc = mdb_cursor_get(cg.cursor, &k, &v, MDB_FIRST);
    for (; rc == 0; rc = mdb_cursor_get(cg.cursor, &k, &v, MDB_NEXT))
      names.emplace_back(to_view(k));
    if (rc != MDB_NOTFOUND)
      return lmdb_error(rc, fmt::format("mdb_cursor_get(main) in {}", dir.string()));
  }
  for (const auto& name : names) {
    bool ours = false;
    for (std::size_t i = 0; i < table_count; ++i)
      ours = ours || name == to_string(static_cast<table>(i));
    if (!ours)
      return false;
    MDB_dbi dbi = 0;
    if (int rc = mdb_dbi_open(txn, name.c_str(), 0, &dbi); rc != 0)
      return false; // e.g. MDB_INCOMPATIBLE: a plain key, not a table
    MDB_stat st{};
    if (int rc = mdb_stat(txn, dbi, &st); rc != 0)
      return lmdb_error(rc, fmt::format("mdb_stat({}) in {}", name, dir.string()));
    if (st.ms_entries != 0)
      return false;
  }
  return true;
}

// Checks the schema version (writing it into an empty environment) and opens
// every table, in one write transaction that is committed only on success.
std::optional<error> open_tables(internal::env_state& s) {
  MDB_txn* raw = nullptr;
  if (int rc = mdb_txn_begin(s.env, nullptr, 0, &raw); rc != 0)
    return lmdb_error(rc, fmt::format("mdb_txn_begin(write) in {}", s.dir.string()));
  txn_guard txn{raw};
  bool fresh = false;
  bool upgrade = false; // an older schema: its tables are a subset of ours
  MDB_dbi meta = 0;
  int rc = mdb_dbi_open(raw, "meta", 0, &meta);
  std::optional<std::string> version;
  if (rc == 0) {
    auto k = to_val(schema_version_key);
    MDB_val v{};
    rc = mdb_get(raw, meta, &k, &v);
    if (rc == 0)
      version = std::string{to_view(v)};
    else if (rc != MDB_NOTFOUND)
      return lmdb_error(rc, fmt::format("mdb_get(meta/schema_version) in {}", s.dir.string()));
  } else if (rc != MDB_NOTFOUND) {
    if (rc == MDB_INCOMPATIBLE)
      return refuse(s.dir, "holds an LMDB environment that is not a node's (its \"meta\" is not a "
                           "table)");
    return lmdb_error(rc, fmt::format("mdb_dbi_open(meta) in {}", s.dir.string()));
  }
  if (!version) {
    auto empty = is_empty(raw, s.dir);
    if (!empty)
      return std::move(empty).err();
    if (!*empty)
      return refuse(s.dir, "holds data but no schema version");
    fresh = true;
  } else {
    std::uint32_t n = 0;
    const char* first = version->data();
    const char* last = first + version->size();
    auto [end, ec] = std::from_chars(first, last, n);
    if (version->empty() || ec != std::errc{} || end != last || n == 0 || (*version)[0] == '0')
      return refuse(s.dir,
                    fmt::format("has an unreadable schema version (\"{}\")", printable(*version)));
    if (n > current_schema_version)
      return fail(errc::internal,
                  fmt::format("storage: data directory {} was written by schema version {}; this "
                              "node understands up to {}: run a newer node on it",
                              s.dir.string(), n, current_schema_version));
    upgrade = n < current_schema_version;
  }
  for (std::size_t i = 0; i < table_count; ++i) {
    auto name = std::string{to_string(static_cast<table>(i))};
    if (rc = mdb_dbi_open(raw, name.c_str(), MDB_CREATE, &s.dbis[i]); rc != 0)
      return lmdb_error(rc, fmt::format("mdb_dbi_open({}) in {}", name, s.dir.string()));
  }
  if (fresh || upgrade) {
    auto text = std::to_string(current_schema_version);
    auto k = to_val(schema_version_key);
    auto v = to_val(text);
    if (rc = mdb_put(raw, s.dbi(table::meta), &k, &v, 0); rc != 0)
      return lmdb_error(rc, fmt::format("mdb_put(meta/schema_version) in {}", s.dir.string()));
  }
  // Committed even when nothing changed: table handles opened in a transaction
  // that aborts are closed with it.
  if (rc = txn.commit(); rc != 0)
    return lmdb_error(rc, fmt::format("mdb_txn_commit(open) in {}", s.dir.string()));
  return std::nullopt;
}

struct apply_failure {
  int rc;
  std::string operation;
};

// Applies every batch in one write transaction and commits it.
std::optional<apply_failure> apply(internal::env_state& s, std::span<const write_batch> batches) {
  MDB_txn* raw = nullptr;
  if (int rc = mdb_txn_begin(s.env, nullptr, 0, &raw); rc != 0)
    return apply_failure{rc, "mdb_txn_begin(write)"};
  txn_guard txn{raw};
  for (const auto& batch : batches) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto op = batch[i];
      auto k = to_val(op.key);
      if (op.kind == write_batch::op_kind::put) {
        auto v = to_val(op.value);
        if (int rc = mdb_put(raw, s.dbi(op.tbl), &k, &v, 0); rc != 0)
          return apply_failure{rc, fmt::format("mdb_put({})", to_string(op.tbl))};
      } else {
        int rc = mdb_del(raw, s.dbi(op.tbl), &k, nullptr);
        if (rc != 0 && rc != MDB_NOTFOUND)
          return apply_failure{rc, fmt::format("mdb_del({})", to_string(op.tbl))};
      }
    }
  }
  if (int rc = txn.commit(); rc != 0)
    return apply_failure{rc, "mdb_txn_commit"};
  return std::nullopt;
}

// Doubles the map, up to max_map_bytes. Called with write_mutex held.
std::optional<error> grow(internal::env_state& s) {
  auto current = s.map_bytes.load();
  if (current >= s.max_map_bytes)
    return fail(errc::unavailable,
                fmt::format("storage: data directory {} is full: the map reached max_map_bytes "
                            "({} bytes); raise the limit or free space",
                            s.dir.string(), s.max_map_bytes));
  auto next = current > s.max_map_bytes / 2 ? s.max_map_bytes : current * 2;
  if (!s.gate.close(resize_wait_limit))
    return fail(errc::unavailable,
                fmt::format("storage: the map of {} must grow but read transactions did not end "
                            "within {} ms",
                            s.dir.string(), resize_wait_limit.count()));
  int rc = mdb_env_set_mapsize(s.env, next);
  s.gate.open();
  if (rc != 0)
    return lmdb_error(rc, fmt::format("mdb_env_set_mapsize({})", next));
  s.map_bytes = next;
  ++s.growths;
  return std::nullopt;
}

} // namespace

environment::environment(std::unique_ptr<internal::env_state> state) noexcept
    : state_(std::move(state)) {}

environment::~environment() = default;

result<std::unique_ptr<environment>> environment::open(const env_options& opts) {
  if (opts.dir.empty())
    return fail(errc::invalid_field, "storage: env_options.dir is empty");
  auto page = page_size();
  auto max_bytes = opts.max_map_bytes / page * page;
  auto initial = (opts.initial_map_bytes + page - 1) / page * page;
  if (initial == 0 || max_bytes < initial)
    return fail(errc::invalid_field,
                fmt::format("storage: need 0 < initial_map_bytes ({}) <= max_map_bytes ({})",
                            opts.initial_map_bytes, opts.max_map_bytes));
  auto s = std::make_unique<internal::env_state>();
  s->dir = opts.dir;
  s->max_map_bytes = max_bytes;
  if (auto err = prepare_dir(*s))
    return std::move(*err);
  if (int rc = mdb_env_create(&s->env); rc != 0)
    return lmdb_error(rc, "mdb_env_create");
  if (mdb_env_get_maxkeysize(s->env) < static_cast<int>(max_key_bytes))
    return fail(errc::internal, fmt::format("storage: the linked LMDB accepts keys up to {} bytes, "
                                            "fewer than max_key_bytes ({})",
                                            mdb_env_get_maxkeysize(s->env), max_key_bytes));
  if (int rc = mdb_env_set_maxdbs(s->env, static_cast<MDB_dbi>(table_count)); rc != 0)
    return lmdb_error(rc, "mdb_env_set_maxdbs");
  if (int rc = mdb_env_set_maxreaders(s->env, max_readers); rc != 0)
    return lmdb_error(rc, "mdb_env_set_maxreaders");
  if (int rc = mdb_env_set_mapsize(s->env, initial); rc != 0)
    return lmdb_error(rc, "mdb_env_set_mapsize");
  unsigned flags = MDB_NOTLS | (opts.sync ? 0u : MDB_NOSYNC);
  if (int rc = mdb_env_open(s->env, s->dir.c_str(), flags, file_mode); rc != 0)
    return open_error(s->dir, rc); // ~env_state closes the env, as LMDB requires
  // An environment that grew before reopens at its grown size: LMDB records
  // the largest map size in the meta page, and a size of 0 adopts it.
  if (int rc = mdb_env_set_mapsize(s->env, 0); rc != 0)
    return lmdb_error(rc, "mdb_env_set_mapsize(0)");
  MDB_envinfo info{};
  if (int rc = mdb_env_info(s->env, &info); rc != 0)
    return lmdb_error(rc, "mdb_env_info");
  if (info.me_mapsize < initial) {
    if (int rc = mdb_env_set_mapsize(s->env, initial); rc != 0)
      return lmdb_error(rc, "mdb_env_set_mapsize");
    info.me_mapsize = initial;
  }
  s->map_bytes = info.me_mapsize;
  if (s->max_map_bytes < info.me_mapsize)
    s->max_map_bytes = info.me_mapsize;
  if (auto err = open_tables(*s))
    return std::move(*err);
  return std::unique_ptr<environment>{new environment{std::move(s)}};
}

result<commit_info> environment::commit(const write_batch& batch) {
  return commit(std::span<const write_batch>{&batch, 1});
}

result<commit_info> environment::commit(std::span<const write_batch> batches) {
  auto& s = *state_;
  commit_info info;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    for (std::size_t i = 0; i < batches[b].size(); ++i) {
      auto op = batches[b][i];
      if (op.key.empty() || op.key.size() > max_key_bytes)
        return fail(errc::invalid_field,
                    fmt::format("storage: batch {}, operation {}: a key of {} bytes for table {}; "
                                "keys must be 1 to {} bytes",
                                b, i, op.key.size(), to_string(op.tbl), max_key_bytes),
                    {{"batch", b}, {"operation", i}});
    }
    info.operations += batches[b].size();
  }
  if (info.operations == 0) {
    info.map_bytes = s.map_bytes.load();
    return info;
  }
  std::lock_guard lock{s.write_mutex};
  for (;;) {
    auto failure = apply(s, batches);
    if (!failure)
      break;
    if (failure->rc != MDB_MAP_FULL)
      return lmdb_error(failure->rc, failure->operation);
    if (auto err = grow(s))
      return std::move(*err);
    ++info.map_growths;
  }
  ++s.commits;
  info.map_bytes = s.map_bytes.load();
  return info;
}

result<read_txn> environment::begin_read() const {
  auto& s = *state_;
  s.gate.enter();
  MDB_txn* txn = nullptr;
  if (int rc = mdb_txn_begin(s.env, nullptr, MDB_RDONLY, &txn); rc != 0) {
    s.gate.leave();
    return lmdb_error(rc, "mdb_txn_begin(read)");
  }
  return read_txn{state_.get(), txn};
}

result<bool> environment::flush() {
  if (int rc = mdb_env_sync(state_->env, 1); rc != 0)
    return lmdb_error(rc, "mdb_env_sync");
  return true;
}

const std::filesystem::path& environment::dir() const noexcept {
  return state_->dir;
}

std::size_t environment::map_size() const noexcept {
  return state_->map_bytes.load();
}

std::uint64_t environment::commits() const noexcept {
  return state_->commits.load();
}

std::uint64_t environment::map_growths() const noexcept {
  return state_->growths.load();
}

} // namespace nzl::storage
