#pragma once

#include "core/result.hpp"
#include "storage/fwd.hpp"
#include "storage/read_txn.hpp"
#include "storage/table.hpp"
#include "storage/write_batch.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

namespace nzl::storage {

/// The schema version this build writes and understands. `environment::open`
/// stores it under `schema_version_key` in `table::meta` (as decimal text)
/// when it creates an environment, and refuses a data directory with a newer,
/// missing or unreadable version. An older version is upgraded in place:
/// every schema so far only added tables (2: api_keys, nonces, audit, gateway).
inline constexpr std::uint32_t current_schema_version = 2;
inline constexpr std::string_view schema_version_key = "schema_version";

struct env_options {
  /// The node's data directory; created (with its parents) if missing.
  std::filesystem::path dir;

  /// Size of the memory map at first open; it doubles, up to max_map_bytes,
  /// whenever a commit finds the map full. Rounded up to the OS page size. An
  /// environment that has grown before reopens at its grown size.
  std::size_t initial_map_bytes = std::size_t{64} << 20;

  /// Upper bound of the map (and of the data file). A commit that needs more
  /// fails with errc::unavailable.
  std::size_t max_map_bytes = std::size_t{64} << 30;

  /// If true (the default), `commit` flushes the data file to stable storage
  /// before it returns: one flush point per commit, made of two fdatasync
  /// calls (the new pages, then the meta page that makes them current).
  ///
  /// If false, `commit` returns once the data is in the operating system's
  /// buffers: a crash of the process (kill -9 included) still loses nothing
  /// that was committed, but a crash of the machine or a power failure may
  /// lose the last commits, and, as LMDB warns for MDB_NOSYNC, on a file
  /// system that reorders writes may damage the database. Only for tests and
  /// benchmarks; `environment::flush` forces a flush.
  bool sync = true;
};

/// What a successful `commit` did.
struct commit_info {
  std::size_t operations = 0;    ///< puts and erases applied
  std::size_t map_bytes = 0;     ///< map size after the commit
  std::uint32_t map_growths = 0; ///< times the map grew during this commit
};

/// An LMDB environment in a node's data directory: its file, its named
/// tables, and the only way to write them.
///
/// Durability: a write is durable when `commit` returns success with
/// `env_options::sync` true. Each commit is atomic: after a crash of the
/// process or of the machine, a commit is either entirely present or entirely
/// absent, never partly, and the database needs no recovery. A commit that
/// has not returned may or may not have reached the disk; one that returned
/// an error has changed nothing.
///
/// Thread safety: an environment is safe to share between threads (hold it
/// in a unique_ptr owned by whoever outlives every user). `begin_read` may be
/// called from any thread, concurrently. `commit` may be called from any
/// thread; commits are serialised, and the project routes all of them through
/// one writer actor that groups concurrent requests into one commit.
///
/// There must be at most one environment per data directory (per process and
/// across processes): `open` takes an exclusive lock on the directory and
/// fails while another environment holds it.
class environment {
public:
  /// Opens, or creates, the environment in `opts.dir`, opens every table, and
  /// checks (or, for a new environment, writes) the schema version.
  ///
  /// Fails, naming the directory, and without creating or changing any data
  /// file, when: the path is not a directory or cannot be created or read; the
  /// data file is not an LMDB file or is corrupt; the schema version is newer
  /// than `current_schema_version`, missing from a non-empty environment, or
  /// unreadable; the directory is in use by another environment. Such errors
  /// carry errc::internal (an operator must act); options that make no sense
  /// carry errc::invalid_field.
  [[nodiscard]] static result<std::unique_ptr<environment>> open(const env_options& opts);

  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;

  /// Closes the environment. Every read_txn from it must have been destroyed.
  ~environment();

  /// Group commit: applies every operation of every batch, in order, in ONE
  /// write transaction and commits it, so that all of them become visible (and,
  /// with sync, durable) at once, with one flush. On error nothing is applied.
  ///
  /// When the map is full, the transaction is aborted, the map doubles (up to
  /// max_map_bytes) and the whole group is applied again; growing waits for
  /// the read transactions of this process to end, up to a bound, and fails
  /// with errc::unavailable past it. Keys must be 1 .. max_key_bytes bytes
  /// (errc::invalid_field otherwise, checked before anything is written).
  /// A group of only empty batches commits nothing and costs no flush.
  ///
  /// Blocks on disk I/O: never call it on an io thread or a scheduler thread.
  [[nodiscard]] result<commit_info> commit(std::span<const write_batch> batches);
  [[nodiscard]] result<commit_info> commit(const write_batch& batch);

  /// Starts a read-only snapshot; see read_txn. Cheap (no I/O, no lock held
  /// against writers). Fails with errc::unavailable when too many read
  /// transactions are live at once.
  [[nodiscard]] result<read_txn> begin_read() const;

  /// Flushes committed data to stable storage; only needed with sync = false.
  [[nodiscard]] result<bool> flush();

  /// The data directory.
  [[nodiscard]] const std::filesystem::path& dir() const noexcept;

  /// Current size of the memory map in bytes.
  [[nodiscard]] std::size_t map_size() const noexcept;

  /// Successful commits that wrote something since open. With sync, each one
  /// was one flush point (two fdatasync calls), whatever the number of batches.
  [[nodiscard]] std::uint64_t commits() const noexcept;

  /// Times the map grew since open.
  [[nodiscard]] std::uint64_t map_growths() const noexcept;

private:
  explicit environment(std::unique_ptr<internal::env_state> state) noexcept;

  std::unique_ptr<internal::env_state> state_;
};

} // namespace nzl::storage
