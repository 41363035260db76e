#include "analytics/recorder.hpp"

#include <algorithm>
#include <bit>

namespace nzl::analytics {

struct recorder::ring {
  explicit ring(std::size_t capacity)
      : slots(std::make_unique<sample[]>(capacity)), mask(capacity - 1) {}

  // Written by the producer, read by the consumer.
  alignas(64) std::atomic<std::uint64_t> head{0};
  std::uint64_t cached_tail = 0; // producer only
  std::atomic<std::uint64_t> dropped{0};
  // Written by the consumer, read by the producer when the ring looks full.
  alignas(64) std::atomic<std::uint64_t> tail{0};
  std::unique_ptr<sample[]> slots;
  std::size_t mask;
};

namespace {

std::atomic<std::uint64_t> next_recorder_id{1};

// The rings this thread owns, by recorder id (a thread rarely records into
// more than one recorder; tests do).
struct thread_cache {
  struct entry {
    std::uint64_t id = 0;
    void* ring = nullptr;
  };
  std::array<entry, 4> entries{};
  std::size_t next = 0;
};
thread_local thread_cache cache;

} // namespace

recorder::recorder() : recorder(options{}) {}

recorder::recorder(options opts)
    : opts_(opts), id_(next_recorder_id.fetch_add(1, std::memory_order_relaxed)),
      published_(
          std::make_unique<std::atomic<ring*>[]>(std::max<std::size_t>(1, opts.max_producers))) {
  opts_.ring_capacity = std::bit_ceil(std::max<std::size_t>(2, opts_.ring_capacity));
  opts_.max_producers = std::max<std::size_t>(1, opts_.max_producers);
}

recorder::~recorder() = default;

recorder::ring* recorder::register_thread() noexcept {
  std::lock_guard<std::mutex> guard{register_mutex_};
  if (rings_.size() >= opts_.max_producers)
    return nullptr;
  rings_.push_back(std::make_unique<ring>(opts_.ring_capacity));
  auto* r = rings_.back().get();
  published_[rings_.size() - 1].store(r, std::memory_order_release);
  published_count_.store(rings_.size(), std::memory_order_release);
  return r;
}

bool recorder::record(const sample& s) noexcept {
  ring* r = nullptr;
  for (const auto& e : cache.entries)
    if (e.id == id_) {
      r = static_cast<ring*>(e.ring);
      break;
    }
  if (r == nullptr) {
    r = register_thread();
    if (r == nullptr) {
      unregistered_drops_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    cache.entries[cache.next] = {id_, r};
    cache.next = (cache.next + 1) % cache.entries.size();
  }
  const auto head = r->head.load(std::memory_order_relaxed);
  if (head - r->cached_tail > r->mask) {
    r->cached_tail = r->tail.load(std::memory_order_acquire);
    if (head - r->cached_tail > r->mask) {
      r->dropped.store(r->dropped.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return false;
    }
  }
  r->slots[head & r->mask] = s;
  r->head.store(head + 1, std::memory_order_release);
  return true;
}

std::size_t recorder::drain(std::vector<sample>& out, std::size_t max) {
  std::size_t taken = 0;
  const auto n = published_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n && taken < max; ++i) {
    auto* r = published_[i].load(std::memory_order_acquire);
    if (r == nullptr)
      continue;
    auto tail = r->tail.load(std::memory_order_relaxed);
    const auto head = r->head.load(std::memory_order_acquire);
    while (tail != head && taken < max) {
      out.push_back(r->slots[tail & r->mask]);
      ++tail;
      ++taken;
    }
    r->tail.store(tail, std::memory_order_release);
  }
  return taken;
}

std::uint64_t recorder::dropped() const noexcept {
  std::uint64_t total = unregistered_drops_.load(std::memory_order_relaxed);
  const auto n = published_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i)
    if (auto* r = published_[i].load(std::memory_order_acquire))
      total += r->dropped.load(std::memory_order_relaxed);
  return total;
}

std::size_t recorder::producers() const noexcept {
  return published_count_.load(std::memory_order_acquire);
}

std::size_t recorder::memory_bytes() const noexcept {
  return producers() * (sizeof(ring) + opts_.ring_capacity * sizeof(sample));
}

} // namespace nzl::analytics
