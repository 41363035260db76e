#include "actors/executor_queue.hpp"

#include <gtest/gtest.h>

namespace nzl::actors {
namespace {

using queue = executor_queue<int, char>;

TEST(ExecutorQueueTest, RunsAtOnceOnAnIdleWorker) {
  queue q{2};
  EXPECT_FALSE(q.release('a', [](int) { return true; }));
  int job = 7;
  char worker = 0;
  EXPECT_EQ(q.push(job, worker), queue::admit::run_now);
  EXPECT_EQ(worker, 'a');
  EXPECT_EQ(q.idle(), 0u);
}

TEST(ExecutorQueueTest, QueuesInOrderThenRefusesWhenFull) {
  queue q{2};
  char worker = 0;
  int a = 1, b = 2, c = 3;
  EXPECT_EQ(q.push(a, worker), queue::admit::queued);
  EXPECT_EQ(q.push(b, worker), queue::admit::queued);
  EXPECT_EQ(q.push(c, worker), queue::admit::full);
  EXPECT_EQ(c, 3); // a refused job stays with the caller
  EXPECT_EQ(q.release('x', [](int) { return true; }), 1);
  EXPECT_EQ(q.release('x', [](int) { return true; }), 2);
  EXPECT_FALSE(q.release('x', [](int) { return true; }));
  EXPECT_EQ(q.idle(), 1u);
}

TEST(ExecutorQueueTest, DropsJobsNoOneWaitsFor) {
  queue q{4};
  char worker = 0;
  for (int i = 1; i <= 3; ++i) {
    int job = i;
    ASSERT_EQ(q.push(job, worker), queue::admit::queued);
  }
  EXPECT_EQ(q.release('x', [](int j) { return j == 3; }), 3);
  EXPECT_EQ(q.waiting(), 0u);
}

} // namespace
} // namespace nzl::actors
