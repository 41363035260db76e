#pragma once

#include "analytics/sample.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace nzl::analytics {

// The hot-path side of the analytics: each thread that records gets its own
// single-producer ring of `sample`s (registered on its first `record`, under
// a mutex, once per thread); after that a `record` is a copy into the ring
// and one release store, with no lock and no allocation. One consumer (the
// analytics actor) drains every ring, about every 100 ms.
//
// When a ring is full the sample is dropped and counted (`dropped()`): the
// producer never blocks and never waits for the consumer. Past
// `max_producers` threads, samples of further threads are dropped and counted
// too. A ring stays registered until the recorder is destroyed (threads of a
// pool live as long as the node); the recorder must outlive every thread that
// records into it. What a crash loses: everything not yet drained (at most
// ring_capacity samples per thread) and everything in the aggregator.

class recorder {
public:
  struct options {
    std::size_t ring_capacity = 8192; ///< samples per thread, rounded up to a power of two
    std::size_t max_producers = 64;   ///< threads that may record
  };

  recorder();
  explicit recorder(options opts);
  ~recorder();
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;

  /// Hot path: queues `s` in the calling thread's ring. False (and counted in
  /// `dropped()`) when the ring is full or no ring is left for this thread.
  /// Safe to call from any thread concurrently with `drain`.
  bool record(const sample& s) noexcept;

  /// Consumer: appends up to `max` queued samples of all rings to `out`;
  /// returns how many. Only one thread may drain at a time.
  std::size_t drain(std::vector<sample>& out, std::size_t max = SIZE_MAX);

  /// Samples dropped so far (full rings, too many threads).
  [[nodiscard]] std::uint64_t dropped() const noexcept;

  /// Threads registered so far.
  [[nodiscard]] std::size_t producers() const noexcept;

  /// Bytes held by the rings.
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
  struct ring;
  ring* register_thread() noexcept;

  options opts_;
  std::uint64_t id_;
  std::mutex register_mutex_; // guards rings_ (the owning list) only
  std::vector<std::unique_ptr<ring>> rings_;
  std::unique_ptr<std::atomic<ring*>[]> published_;
  std::atomic<std::size_t> published_count_{0};
  std::atomic<std::uint64_t> unregistered_drops_{0};
};

} // namespace nzl::analytics
