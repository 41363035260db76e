#include "actors/queue/task_queue.hpp"

#include <gtest/gtest.h>

#include <map>

namespace nzl::actors {
namespace {

queue_entry entry(std::string id, priority p = priority::normal, std::string client = "c",
                  std::int64_t not_before = 0) {
  return queue_entry{std::move(id), std::move(client), p, 0, not_before, 0};
}

TEST(TaskQueueTest, FifoWithinOnePriorityAndClient) {
  task_queue q{10};
  q.push(entry("a"));
  q.push(entry("b"));
  q.push(entry("c"));
  EXPECT_EQ(q.pop(0)->id, "a");
  EXPECT_EQ(q.pop(0)->id, "b");
  EXPECT_EQ(q.pop(0)->id, "c");
  EXPECT_FALSE(q.pop(0));
}

TEST(TaskQueueTest, HigherPriorityFirst) {
  task_queue q{10};
  q.push(entry("low", priority::low));
  q.push(entry("normal", priority::normal));
  q.push(entry("critical", priority::critical));
  q.push(entry("high", priority::high));
  EXPECT_EQ(q.pop(0)->id, "critical");
  EXPECT_EQ(q.pop(0)->id, "high");
  EXPECT_EQ(q.pop(0)->id, "normal");
  EXPECT_EQ(q.pop(0)->id, "low");
}

TEST(TaskQueueTest, LowIsNotStarvedUnderSustainedLoad) {
  task_queue q{100000};
  int n = 0;
  for (int i = 0; i < 1000; ++i)
    for (auto p : {priority::critical, priority::high, priority::normal, priority::low})
      q.push(entry(std::to_string(n++), p));
  std::map<priority, int> served;
  for (int i = 0; i < 150; ++i)
    ++served[q.pop(0)->prio];
  // 150 dispatches = 10 cycles of 8 + 4 + 2 + 1.
  EXPECT_EQ(served[priority::critical], 80);
  EXPECT_EQ(served[priority::high], 40);
  EXPECT_EQ(served[priority::normal], 20);
  EXPECT_EQ(served[priority::low], 10);
}

TEST(TaskQueueTest, ClientsTakeTurnsWithinAPriority) {
  task_queue q{100};
  for (int i = 0; i < 10; ++i)
    q.push(entry("flood" + std::to_string(i), priority::normal, "flooder"));
  q.push(entry("mine", priority::normal, "polite"));
  EXPECT_EQ(q.pop(0)->id, "flood0");
  EXPECT_EQ(q.pop(0)->id, "mine");
  EXPECT_EQ(q.pop(0)->id, "flood1");
}

TEST(TaskQueueTest, DelayedTasksWaitUntilDue) {
  task_queue q{10};
  q.push(entry("later", priority::critical, "c", 1000));
  q.push(entry("now", priority::low));
  EXPECT_EQ(q.next_due(), std::optional<std::int64_t>{0});
  EXPECT_EQ(q.pop(500)->id, "now");
  EXPECT_FALSE(q.pop(999));
  EXPECT_EQ(q.next_due(), std::optional<std::int64_t>{1000});
  EXPECT_EQ(q.pop(1000)->id, "later");
}

TEST(TaskQueueTest, RemovedTasksAreNeverHandedOut) {
  task_queue q{10};
  q.push(entry("a"));
  q.push(entry("b"));
  EXPECT_TRUE(q.remove("a"));
  EXPECT_FALSE(q.remove("a"));
  EXPECT_FALSE(q.contains("a"));
  EXPECT_EQ(q.pop(0)->id, "b");
  EXPECT_FALSE(q.pop(0));
}

TEST(TaskQueueTest, ARePushedTaskIsHandedOutOnceWithItsNewSettings) {
  task_queue q{10};
  q.push(entry("a", priority::low));
  ASSERT_TRUE(q.remove("a"));
  q.push(entry("a", priority::high, "c", 100));
  EXPECT_FALSE(q.pop(50)); // the stale low-priority copy is skipped
  auto a = q.pop(100);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->prio, priority::high);
  EXPECT_FALSE(q.pop(1000));
}

TEST(TaskQueueTest, HasDueIgnoresRemovedAndFutureTasks) {
  task_queue q{10};
  EXPECT_FALSE(q.has_due(0));
  q.push(entry("later", priority::normal, "c", 1000));
  q.push(entry("gone"));
  EXPECT_TRUE(q.has_due(0));
  ASSERT_TRUE(q.remove("gone"));
  EXPECT_FALSE(q.has_due(0)); // regression: counted from sizes that include removed tasks
  EXPECT_EQ(q.delayed(), 1u);
  EXPECT_TRUE(q.has_due(1000));
}

TEST(TaskQueueTest, FullAtTheBacklogBound) {
  task_queue q{2};
  q.push(entry("a"));
  EXPECT_FALSE(q.full());
  q.push(entry("b", priority::normal, "c", 5000));
  EXPECT_TRUE(q.full());
  (void)q.pop(0);
  EXPECT_FALSE(q.full());
}

TEST(TaskQueueTest, StatsCountDueTasksByPriorityAndTheOldest) {
  task_queue q{10};
  q.push(queue_entry{"a", "c", priority::high, 10, 0, 0});
  q.push(queue_entry{"b", "c", priority::low, 5, 0, 0});
  (void)q.pop(0); // a
  q.push(queue_entry{"c", "c", priority::low, 20, 0, 0});
  (void)q.next_due();
  auto depth = q.depth_by_priority();
  EXPECT_EQ(depth[static_cast<std::size_t>(priority::high)], 0u);
  EXPECT_EQ(q.oldest_enqueued(), std::optional<std::int64_t>{5});
  EXPECT_EQ(q.size(), 2u);
}

TEST(TaskQueueTest, PriorityNamesRoundTrip) {
  for (auto p : {priority::critical, priority::high, priority::normal, priority::low})
    EXPECT_EQ(parse_priority(to_string(p)), p);
  EXPECT_FALSE(parse_priority("urgent"));
}

} // namespace
} // namespace nzl::actors
