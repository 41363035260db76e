#pragma once

#include <cstddef>
#include <new>

namespace nzl::net::ws::internal {

/// A free list of fixed-size memory blocks, for the operations of WebSocket
/// writes on one io thread. Asio 1.74 keeps one spare block per thread for an
/// operation's memory; a publish to 10,000 subscribers puts thousands of
/// writes in flight on each io thread, so each of them cost a malloc and a
/// free. With this pool a steady fan-out allocates nothing: a finished write
/// gives its block back and the next write takes it.
/// Bounded: at most `max_free` blocks are kept (the rest go back to the heap),
/// so a burst leaves at most `max_free * block_size` bytes behind per thread.
/// Requests bigger than `block_size` go to the heap. Not thread-safe: one
/// pool per thread. A block taken from one pool may be given to another
/// (every block is plain `operator new` memory).
class block_pool {
public:
  static constexpr std::size_t block_size = 2048;

  explicit block_pool(std::size_t max_free) noexcept : max_free_(max_free) {}
  ~block_pool() {
    while (head_) {
      auto* next = head_->next;
      ::operator delete(head_);
      head_ = next;
    }
  }
  block_pool(const block_pool&) = delete;
  block_pool& operator=(const block_pool&) = delete;

  /// `n` bytes, aligned for any type `operator new` serves.
  [[nodiscard]] void* allocate(std::size_t n) {
    if (n > block_size)
      return ::operator new(n);
    if (head_) {
      auto* b = head_;
      head_ = b->next;
      --free_;
      return b;
    }
    return ::operator new(block_size);
  }

  /// Gives back `p`, from `allocate(n)` of this or another pool.
  void deallocate(void* p, std::size_t n) noexcept {
    if (n > block_size || free_ >= max_free_) {
      ::operator delete(p);
      return;
    }
    head_ = ::new (p) node{head_};
    ++free_;
  }

  /// Blocks kept for reuse (tests).
  [[nodiscard]] std::size_t free_blocks() const noexcept { return free_; }

private:
  struct node {
    node* next;
  };
  node* head_ = nullptr;
  std::size_t free_ = 0;
  std::size_t max_free_;
};

} // namespace nzl::net::ws::internal
