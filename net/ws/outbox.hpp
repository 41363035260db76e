#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nzl::net::ws {

/// One message a session sends: its JSON text without the closing brace
/// (shared: one channel event is one string for all its subscribers) and the
/// session's sequence number, which the writer appends as `,"msg_seq":N}`.
struct outgoing {
  std::shared_ptr<const std::string> body;
  std::uint64_t seq = 0;
};

/// The messages of one session: those not yet written and the last
/// `keep_sent` written ones (for resume), in one ring numbered from 1. Plain
/// class, not thread-safe (the session guards it). An idle session's outbox
/// holds no heap memory: the ring is freed when it empties.
class outbox {
public:
  struct limits {
    std::size_t max_queued = 256; ///< unsent messages before the client counts as too slow
    std::size_t keep_sent = 64;   ///< written messages kept for a resume
  };

  enum class mode {
    normal,   ///< refused (overflow) when `max_queued` are unsent
    force,    ///< queued over the bound (the `lagging` notice, the last error)
    detached, ///< no connection: the oldest message is dropped instead (lost)
  };
  enum class verdict {
    queued,   ///< appended
    lagging,  ///< appended; the unsent count just reached 3/4 of the bound
    overflow, ///< not appended: the bound is reached
  };

  explicit outbox(limits l) : limits_(l) {}

  /// Appends `body` with the next sequence number.
  verdict push(std::shared_ptr<const std::string> body, mode m);

  /// The oldest unwritten message, or nullptr.
  [[nodiscard]] const outgoing* next_unsent() const noexcept;

  /// The message `next_unsent` returned was written.
  void mark_sent();

  /// For a client that has every message up to `have`: the messages after
  /// it that are still held become unsent again (written anew), the others
  /// are gone. Returns how many messages after `have` are gone (0: none
  /// missed). A `have` beyond the last number given counts as 0 missed.
  std::uint64_t rewind(std::uint64_t have);

  /// The last sequence number given (0: none yet).
  [[nodiscard]] std::uint64_t last_seq() const noexcept { return first_seq_ + count_ - 1; }
  [[nodiscard]] std::size_t unsent() const noexcept { return count_ - sent_; }
  [[nodiscard]] std::size_t held() const noexcept { return count_; }

private:
  outgoing& at(std::size_t i) noexcept { return ring_[(head_ + i) & (ring_.size() - 1)]; }
  void pop_front() noexcept;
  void grow();

  limits limits_;
  std::vector<outgoing> ring_; // size 0 or a power of two
  std::size_t head_ = 0;
  std::size_t count_ = 0;       // messages held
  std::size_t sent_ = 0;        // of them, written (the first `sent_`)
  std::uint64_t first_seq_ = 1; // the sequence number of the first held message
};

} // namespace nzl::net::ws
