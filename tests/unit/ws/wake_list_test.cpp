#include "net/ws/internal/wake_list.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace nzl::net::ws::internal {
namespace {

TEST(WsWakeListTest, OnlyTheFirstAddAfterATakeAsksForADrain) {
  wake_list<int> list;
  EXPECT_TRUE(list.add(std::make_shared<int>(1)));
  EXPECT_FALSE(list.add(std::make_shared<int>(2)));
  EXPECT_FALSE(list.add(std::make_shared<int>(3)));
  std::vector<std::shared_ptr<int>> out;
  list.take(out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(*out[0], 1); // in the order woken
  EXPECT_EQ(*out[2], 3);
  EXPECT_EQ(list.size(), 0u);
  EXPECT_TRUE(list.add(std::make_shared<int>(4))); // a new batch: a new drain
}

TEST(WsWakeListTest, TakeClearsTheScratchListAndKeepsItsCapacityInUse) {
  wake_list<int> list;
  std::vector<std::shared_ptr<int>> out;
  for (int i = 0; i < 100; ++i)
    (void)list.add(std::make_shared<int>(i));
  list.take(out);
  EXPECT_EQ(out.size(), 100u);
  (void)list.add(std::make_shared<int>(7));
  list.take(out); // the 100 of the last drain are dropped first
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(*out[0], 7);
  list.take(out);
  EXPECT_TRUE(out.empty());
}

TEST(WsWakeListTest, NoWakeUpIsLostAcrossThreads) {
  // Four waking threads against one draining thread: every item added is
  // taken by exactly one drain, and a drain was asked for each batch.
  wake_list<int> list;
  constexpr int per_thread = 5000;
  std::atomic<int> drains_asked{0};
  std::atomic<bool> stop{false};
  std::atomic<int> taken{0};
  std::thread drainer([&] {
    std::vector<std::shared_ptr<int>> out;
    while (!stop.load()) {
      list.take(out);
      taken += static_cast<int>(out.size());
    }
    list.take(out);
    taken += static_cast<int>(out.size());
  });
  std::vector<std::thread> wakers;
  for (int t = 0; t < 4; ++t)
    wakers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i)
        if (list.add(std::make_shared<int>(i)))
          ++drains_asked;
    });
  for (auto& w : wakers)
    w.join();
  stop = true;
  drainer.join();
  EXPECT_EQ(taken.load(), 4 * per_thread);
  EXPECT_GE(drains_asked.load(), 1);
  EXPECT_EQ(list.size(), 0u);
}

} // namespace
} // namespace nzl::net::ws::internal
