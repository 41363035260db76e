#include "actors/queue/task_queue.hpp"

#include <algorithm>

namespace nzl::actors {

namespace {
constexpr std::array<int, priority_count> credits{8, 4, 2, 1};
} // namespace

std::optional<priority> parse_priority(std::string_view text) noexcept {
  if (text == "critical")
    return priority::critical;
  if (text == "high")
    return priority::high;
  if (text == "normal")
    return priority::normal;
  if (text == "low")
    return priority::low;
  return std::nullopt;
}

std::string_view to_string(priority p) noexcept {
  switch (p) {
  case priority::critical:
    return "critical";
  case priority::high:
    return "high";
  case priority::normal:
    return "normal";
  case priority::low:
    return "low";
  }
  return "normal";
}

bool task_queue::is_current(const queue_entry& e) const {
  auto it = waiting_.find(e.id);
  return it != waiting_.end() && it->second.generation == e.generation;
}

void task_queue::push(queue_entry entry) {
  entry.generation = next_generation_++;
  waiting_[entry.id] = waiting_info{entry.enqueued_ms, entry.generation};
  auto due = entry.not_before_ms;
  delayed_.emplace(due, std::move(entry));
}

void task_queue::make_due(queue_entry entry) {
  auto& l = lanes_[static_cast<std::size_t>(entry.prio)];
  auto& fifo = l.by_client[entry.client];
  if (fifo.empty())
    l.turn.push_back(entry.client);
  fifo.push_back(std::move(entry));
  ++l.count;
}

void task_queue::promote_due(std::int64_t now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    auto node = delayed_.extract(delayed_.begin());
    if (is_current(node.mapped()))
      make_due(std::move(node.mapped()));
  }
}

std::optional<queue_entry> task_queue::take(lane& l) {
  while (!l.turn.empty()) {
    auto client = std::move(l.turn.front());
    l.turn.pop_front();
    auto it = l.by_client.find(client);
    auto& fifo = it->second;
    auto entry = std::move(fifo.front());
    fifo.pop_front();
    --l.count;
    if (fifo.empty())
      l.by_client.erase(it);
    else
      l.turn.push_back(std::move(client));
    if (is_current(entry)) { // skipped if it was removed or re-pushed meanwhile
      waiting_.erase(entry.id);
      return entry;
    }
  }
  return std::nullopt;
}

std::optional<queue_entry> task_queue::pop(std::int64_t now) {
  promote_due(now);
  for (int round = 0; round < 2; ++round) {
    for (std::size_t p = 0; p < priority_count; ++p) {
      auto& l = lanes_[p];
      if (l.count == 0 || l.credit <= 0)
        continue;
      if (auto entry = take(l)) {
        --l.credit;
        return entry;
      }
    }
    // No priority with tasks has credit left: start a new cycle.
    for (std::size_t p = 0; p < priority_count; ++p)
      lanes_[p].credit = credits[p];
  }
  return std::nullopt;
}

bool task_queue::remove(std::string_view id) {
  auto it = waiting_.find(std::string{id});
  if (it == waiting_.end())
    return false;
  waiting_.erase(it);
  return true;
}

bool task_queue::contains(std::string_view id) const {
  return waiting_.count(std::string{id}) > 0;
}

std::optional<std::int64_t> task_queue::next_due() const {
  for (const auto& [due, entry] : delayed_)
    if (is_current(entry))
      return due;
  return std::nullopt;
}

bool task_queue::has_due(std::int64_t now) const {
  for (const auto& l : lanes_)
    for (const auto& [client, fifo] : l.by_client)
      for (const auto& e : fifo)
        if (is_current(e))
          return true;
  auto due = next_due();
  return due && *due <= now;
}

std::size_t task_queue::delayed() const {
  std::size_t n = 0;
  for (const auto& [due, entry] : delayed_)
    n += is_current(entry) ? 1 : 0;
  return n;
}

std::array<std::size_t, priority_count> task_queue::depth_by_priority() const {
  std::array<std::size_t, priority_count> out{};
  for (std::size_t p = 0; p < priority_count; ++p)
    for (const auto& [client, fifo] : lanes_[p].by_client)
      for (const auto& e : fifo)
        out[p] += is_current(e) ? 1 : 0;
  return out;
}

std::optional<std::int64_t> task_queue::oldest_enqueued() const {
  std::optional<std::int64_t> oldest;
  for (const auto& [id, info] : waiting_)
    if (!oldest || info.enqueued_ms < *oldest)
      oldest = info.enqueued_ms;
  return oldest;
}

} // namespace nzl::actors
