#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace nzl::actors {

/// Task priorities, highest first.
enum class priority : std::uint8_t { critical = 0, high = 1, normal = 2, low = 3 };
inline constexpr std::size_t priority_count = 4;

[[nodiscard]] std::optional<priority> parse_priority(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(priority p) noexcept;

/// One waiting task as the queue orders it. Times are unix milliseconds.
struct queue_entry {
  std::string id;
  std::string client; ///< the API client that sent it (fairness unit)
  priority prio = priority::normal;
  std::int64_t enqueued_ms = 0;
  std::int64_t not_before_ms = 0; ///< delay or retry backoff: not handed out earlier
  std::uint64_t generation = 0;   ///< set by push; tells a re-pushed id from its stale copies
};

/// The ordering of one named queue: which waiting task runs next. A plain
/// class (no actor, no clock of its own: callers pass `now`), owned by one
/// queue actor.
///
/// The rule, documented in docs/api.md:
/// - Delayed tasks (delay_ms, run_at, retry backoff) wait aside until due.
/// - Among due tasks, priorities are served by weighted round robin with
///   credits critical 8, high 4, normal 2, low 1: the highest priority that
///   has tasks and credit goes next; when no priority with tasks has credit
///   left, every credit is refilled. Under sustained load of every priority,
///   low therefore gets at least 1 of every 15 dispatches: no starvation.
/// - Within one priority, API clients take turns (round robin over clients,
///   FIFO within a client), so one client flooding a queue delays another's
///   task by at most one of its own per turn.
class task_queue {
public:
  explicit task_queue(std::size_t max_backlog) : max_backlog_(max_backlog) {}

  /// True when the backlog (due + delayed) is at its bound: shed new work.
  [[nodiscard]] bool full() const noexcept { return size() >= max_backlog_; }

  /// Adds a task; it becomes due at `entry.not_before_ms`.
  void push(queue_entry entry);

  /// The next task to run at `now`, or nothing.
  [[nodiscard]] std::optional<queue_entry> pop(std::int64_t now);

  /// Removes a waiting task (cancel). False if it is not waiting here.
  bool remove(std::string_view id);

  [[nodiscard]] bool contains(std::string_view id) const;

  /// When the earliest delayed task becomes due, if any is delayed.
  [[nodiscard]] std::optional<std::int64_t> next_due() const;

  /// True if a task is due at `now` (pop would hand one out, credits aside).
  [[nodiscard]] bool has_due(std::int64_t now) const;

  [[nodiscard]] std::size_t size() const noexcept { return waiting_.size(); }
  /// Waiting tasks not yet promoted to due (delayed, backing off, or pushed
  /// since the last pop); removed ones do not count.
  [[nodiscard]] std::size_t delayed() const;
  /// Due tasks per priority (index = priority).
  [[nodiscard]] std::array<std::size_t, priority_count> depth_by_priority() const;
  /// Enqueue time of the oldest task waiting, if any.
  [[nodiscard]] std::optional<std::int64_t> oldest_enqueued() const;

private:
  struct lane { // one priority
    std::unordered_map<std::string, std::deque<queue_entry>> by_client;
    std::deque<std::string> turn; ///< clients with due tasks, in turn order
    std::size_t count = 0;
    int credit = 0;
  };

  void promote_due(std::int64_t now);
  void make_due(queue_entry entry);
  std::optional<queue_entry> take(lane& l);

  std::size_t max_backlog_;
  std::array<lane, priority_count> lanes_{};
  std::multimap<std::int64_t, queue_entry> delayed_;
  struct waiting_info {
    std::int64_t enqueued_ms;
    std::uint64_t generation;
  };
  bool is_current(const queue_entry& e) const;

  // Every waiting id, due or delayed. Removal is lazy: an entry whose id is
  // missing here, or whose generation is older, is skipped when reached.
  std::unordered_map<std::string, waiting_info> waiting_;
  std::uint64_t next_generation_ = 1;
};

} // namespace nzl::actors
