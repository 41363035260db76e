#pragma once

#include "storage/table.hpp"

#include <lmdb.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>

namespace nzl::storage::internal {

/// Keeps the memory map in place while read transactions use it.
/// mdb_env_set_mapsize unmaps and remaps the file, so LMDB allows it only
/// while no transaction of this process is active: readers pass the gate in
/// `enter` and leave in `leave` (from any thread: MDB_NOTLS readers are not
/// tied to one); the resizer `close`s it, which stops new readers and waits
/// for live ones, up to a bound.
class map_gate {
public:
  void enter() {
    std::unique_lock lock{mtx_};
    cv_.wait(lock, [this] { return !closed_; });
    ++readers_;
  }

  void leave() {
    std::lock_guard lock{mtx_};
    if (--readers_ == 0)
      cv_.notify_all();
  }

  /// Returns false, with the gate open, if readers stayed past `limit`.
  [[nodiscard]] bool close(std::chrono::milliseconds limit) {
    std::unique_lock lock{mtx_};
    closed_ = true;
    if (!cv_.wait_for(lock, limit, [this] { return readers_ == 0; })) {
      closed_ = false;
      cv_.notify_all();
      return false;
    }
    return true;
  }

  void open() {
    std::lock_guard lock{mtx_};
    closed_ = false;
    cv_.notify_all();
  }

  std::size_t readers() {
    std::lock_guard lock{mtx_};
    return readers_;
  }

private:
  std::mutex mtx_; // guards readers_ and closed_
  std::condition_variable cv_;
  std::size_t readers_ = 0;
  bool closed_ = false;
};

/// Everything an environment owns; read_txn keeps a pointer to it.
struct env_state {
  env_state() = default;
  env_state(const env_state&) = delete;
  env_state& operator=(const env_state&) = delete;
  ~env_state();

  MDB_dbi dbi(table t) const noexcept { return dbis[static_cast<std::size_t>(t)]; }

  std::filesystem::path dir;
  MDB_env* env = nullptr; // closed by the destructor
  int dir_fd = -1;        // holds the flock on dir; closed by the destructor
  std::array<MDB_dbi, table_count> dbis{};
  std::size_t max_map_bytes = 0;

  std::atomic<std::size_t> map_bytes{0};
  std::atomic<std::uint64_t> commits{0};
  std::atomic<std::uint64_t> growths{0};

  // Held for a whole commit, growth included: at most one write transaction
  // or map resize at a time in this process (LMDB serialises writers anyway;
  // this also keeps resizes away from a write transaction of another thread).
  std::mutex write_mutex;
  map_gate gate;
};

} // namespace nzl::storage::internal
