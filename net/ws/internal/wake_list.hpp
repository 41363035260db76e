#pragma once

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace nzl::net::ws::internal {

/// The connections of one io_context that have messages to write, woken from
/// other threads (a publish fanning out to 10,000 subscribers, a task result
/// on an executor thread): the first `add` after a `take` tells the caller to
/// post one drain to the io_context, and that drain takes every connection
/// added meanwhile. So a publish costs one post per io_context instead of one
/// per subscriber. No wake-up is lost: an `add` that finds the list empty
/// always asks for a drain, and a drain takes everything added before it.
/// Thread-safe: one small mutex guards the list (held for a push_back or a
/// swap). `T` is the connection type (a template for the unit tests).
template <class T> class wake_list {
public:
  /// Appends `item`; true when the list was empty, i.e. no drain is pending
  /// and the caller must post one.
  [[nodiscard]] bool add(std::shared_ptr<T> item) {
    std::lock_guard guard{mutex_};
    items_.push_back(std::move(item));
    return items_.size() == 1;
  }

  /// Moves every waiting item into `out` (cleared first; its capacity is
  /// reused by the next adds, so a steady stream of drains allocates
  /// nothing). The next `add` asks for a drain again.
  void take(std::vector<std::shared_ptr<T>>& out) {
    out.clear();
    std::lock_guard guard{mutex_};
    items_.swap(out);
  }

  /// Items waiting (tests).
  [[nodiscard]] std::size_t size() const {
    std::lock_guard guard{mutex_};
    return items_.size();
  }

private:
  mutable std::mutex mutex_; // guards items_
  std::vector<std::shared_ptr<T>> items_;
};

} // namespace nzl::net::ws::internal
