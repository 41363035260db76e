#include "net/ws/outbox.hpp"

#include <gtest/gtest.h>

namespace nzl::net::ws {
namespace {

std::shared_ptr<const std::string> text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

TEST(WsOutboxTest, NumbersMessagesFromOneAndWritesInOrder) {
  outbox box{{8, 4}};
  EXPECT_EQ(box.last_seq(), 0u);
  box.push(text("a"), outbox::mode::normal);
  box.push(text("b"), outbox::mode::normal);
  ASSERT_NE(box.next_unsent(), nullptr);
  EXPECT_EQ(*box.next_unsent()->body, "a");
  EXPECT_EQ(box.next_unsent()->seq, 1u);
  box.mark_sent();
  EXPECT_EQ(box.next_unsent()->seq, 2u);
  box.mark_sent();
  EXPECT_EQ(box.next_unsent(), nullptr);
  EXPECT_EQ(box.last_seq(), 2u);
}

TEST(WsOutboxTest, WarnsAtThreeQuartersAndRefusesAtTheBound) {
  outbox box{{8, 4}};
  std::vector<outbox::verdict> v;
  for (int i = 0; i < 9; ++i)
    v.push_back(box.push(text("x"), outbox::mode::normal));
  EXPECT_EQ(v[5], outbox::verdict::lagging); // the 6th of 8
  EXPECT_EQ(v[7], outbox::verdict::queued);
  EXPECT_EQ(v[8], outbox::verdict::overflow);
  EXPECT_EQ(box.unsent(), 8u);
  EXPECT_EQ(box.push(text("forced"), outbox::mode::force), outbox::verdict::queued);
  EXPECT_EQ(box.unsent(), 9u);
}

TEST(WsOutboxTest, DetachedDropsTheOldestInsteadOfGrowing) {
  outbox box{{4, 2}};
  for (int i = 0; i < 10; ++i)
    box.push(text(std::to_string(i)), outbox::mode::detached);
  EXPECT_EQ(box.held(), 4u);
  EXPECT_EQ(*box.next_unsent()->body, "6");
}

TEST(WsOutboxTest, RewindReplaysHeldMessagesAndCountsTheLost) {
  outbox box{{16, 3}};
  for (int i = 1; i <= 6; ++i) {
    box.push(text(std::to_string(i)), outbox::mode::normal);
    box.mark_sent();
  }
  // Held: 4, 5, 6.
  EXPECT_EQ(box.rewind(4), 0u);
  EXPECT_EQ(box.next_unsent()->seq, 5u);
  EXPECT_EQ(box.rewind(1), 2u); // 2 and 3 are gone
  EXPECT_EQ(box.next_unsent()->seq, 4u);
  EXPECT_EQ(box.rewind(6), 0u);
  EXPECT_EQ(box.next_unsent(), nullptr);
  EXPECT_EQ(box.rewind(99), 0u);
}

TEST(WsOutboxTest, GivesMemoryBackWhenEmpty) {
  outbox box{{64, 0}};
  for (int i = 0; i < 40; ++i)
    box.push(text("x"), outbox::mode::normal);
  for (int i = 0; i < 40; ++i)
    box.mark_sent();
  EXPECT_EQ(box.held(), 0u);
  box.push(text("y"), outbox::mode::normal);
  EXPECT_EQ(box.next_unsent()->seq, 41u);
}

} // namespace
} // namespace nzl::net::ws
