#include "analytics/name_table.hpp"
#include "analytics/recorder.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace nzl::analytics {
namespace {

TEST(AnalyticsNameTableTest, InternsAndResolves) {
  name_table t{4};
  const auto a = t.intern("json-validator");
  const auto b = t.intern("echo");
  EXPECT_NE(a, 0);
  EXPECT_NE(b, 0);
  EXPECT_NE(a, b);
  EXPECT_EQ(t.intern("json-validator"), a);
  EXPECT_EQ(t.find("echo"), b);
  EXPECT_EQ(t.find("nope"), 0);
  EXPECT_EQ(t.name(a), "json-validator");
  EXPECT_EQ(t.name(0), "other");
  EXPECT_EQ(t.intern(""), 0);
  EXPECT_EQ(t.intern(std::string(48, 'x')), 0);
}

TEST(AnalyticsNameTableTest, FullTableAnswersOther) {
  name_table t{3};
  EXPECT_NE(t.intern("a"), 0);
  EXPECT_NE(t.intern("b"), 0);
  EXPECT_NE(t.intern("c"), 0);
  EXPECT_EQ(t.intern("d"), 0);
  EXPECT_EQ(t.intern("d"), 0);
  EXPECT_EQ(t.name(t.intern("c")), "c");
}

TEST(AnalyticsNameTableTest, ConcurrentInternsAgree) {
  name_table t{256};
  std::vector<std::vector<std::uint16_t>> ids(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      for (int n = 0; n < 200; ++n)
        ids[static_cast<std::size_t>(i)].push_back(t.intern("name-" + std::to_string(n)));
    });
  for (auto& th : threads)
    th.join();
  for (int i = 1; i < 4; ++i)
    EXPECT_EQ(ids[0], ids[static_cast<std::size_t>(i)]);
  std::set<std::uint16_t> distinct(ids[0].begin(), ids[0].end());
  EXPECT_EQ(distinct.size(), 200u);
  EXPECT_EQ(t.name(ids[0][17]), "name-17");
}

TEST(AnalyticsRecorderTest, DrainsWhatWasRecordedInOrder) {
  recorder rec{{.ring_capacity = 16, .max_producers = 4}};
  for (std::uint32_t i = 0; i < 10; ++i)
    EXPECT_TRUE(rec.record(sample{.latency_us = i}));
  std::vector<sample> out;
  EXPECT_EQ(rec.drain(out), 10u);
  ASSERT_EQ(out.size(), 10u);
  for (std::uint32_t i = 0; i < 10; ++i)
    EXPECT_EQ(out[i].latency_us, i);
  EXPECT_EQ(rec.drain(out), 0u);
  EXPECT_EQ(rec.producers(), 1u);
}

TEST(AnalyticsRecorderTest, FullRingDropsAndCountsNeverBlocks) {
  recorder rec{{.ring_capacity = 8, .max_producers = 4}};
  int accepted = 0;
  for (int i = 0; i < 20; ++i)
    accepted += rec.record(sample{}) ? 1 : 0;
  EXPECT_EQ(accepted, 8);
  EXPECT_EQ(rec.dropped(), 12u);
  std::vector<sample> out;
  EXPECT_EQ(rec.drain(out, 3), 3u);
  EXPECT_TRUE(rec.record(sample{}));
  EXPECT_EQ(rec.drain(out), 6u);
}

TEST(AnalyticsRecorderTest, ThreadsBeyondTheLimitAreCountedAsDropped) {
  recorder rec{{.ring_capacity = 8, .max_producers = 1}};
  EXPECT_TRUE(rec.record(sample{}));
  std::thread other{[&] {
    EXPECT_FALSE(rec.record(sample{}));
  }};
  other.join();
  EXPECT_EQ(rec.dropped(), 1u);
}

TEST(AnalyticsRecorderTest, ManyProducersOneConsumerLoseNothingThatWasAccepted) {
  recorder rec{{.ring_capacity = 1024, .max_producers = 8}};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p)
    producers.emplace_back([&, p] {
      for (std::uint32_t i = 0; i < 20'000; ++i)
        if (rec.record(sample{.latency_us = i, .type_id = static_cast<std::uint16_t>(p)}))
          accepted.fetch_add(1);
    });
  std::uint64_t drained = 0;
  std::vector<sample> out;
  std::thread consumer{[&] {
    while (!done.load()) {
      out.clear();
      drained += rec.drain(out);
    }
    out.clear();
    drained += rec.drain(out);
  }};
  for (auto& t : producers)
    t.join();
  done = true;
  consumer.join();
  EXPECT_EQ(drained, accepted.load());
  EXPECT_EQ(accepted.load() + rec.dropped(), 60'000u);
}

} // namespace
} // namespace nzl::analytics
