#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

namespace nzl::actors {

/// Who runs what next in the executor pool: a bounded FIFO of waiting jobs
/// and a set of idle workers. A plain class (no actors), owned by the region
/// node actor and tested on its own. `Job` must be cheap to move; `Worker` is
/// a small handle (an index, an actor handle).
template <class Job, class Worker> class executor_queue {
public:
  explicit executor_queue(std::size_t capacity) : capacity_(capacity) {}

  enum class admit { run_now, queued, full };

  /// Admits a job: run_now sets `worker_out` and leaves `job` with the caller
  /// to hand over; queued takes the job; full leaves it with the caller, who
  /// refuses it.
  admit push(Job& job, Worker& worker_out) {
    if (!idle_.empty()) {
      worker_out = std::move(idle_.back());
      idle_.pop_back();
      return admit::run_now;
    }
    if (waiting_.size() >= capacity_)
      return admit::full;
    waiting_.push_back(std::move(job));
    return admit::queued;
  }

  /// A worker became free: returns the next waiting job for which `wanted`
  /// holds (jobs no one waits for any more are dropped), or marks it idle.
  template <class Wanted> std::optional<Job> release(Worker worker, Wanted&& wanted) {
    while (!waiting_.empty()) {
      Job job = std::move(waiting_.front());
      waiting_.pop_front();
      if (wanted(job))
        return job;
    }
    idle_.push_back(std::move(worker));
    return std::nullopt;
  }

  [[nodiscard]] std::size_t waiting() const noexcept { return waiting_.size(); }
  [[nodiscard]] std::size_t idle() const noexcept { return idle_.size(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

private:
  std::size_t capacity_;
  std::deque<Job> waiting_;
  std::vector<Worker> idle_;
};

} // namespace nzl::actors
