#include "actors/actor_probe.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace nzl::actors {
namespace {

TEST(ActorProbeTest, RunAnswersOnceWithAWait) {
  int calls = 0;
  std::vector<actor_probe> got;
  {
    mailbox_probe p{"analytics", [&](std::vector<actor_probe> rows) {
                      ++calls;
                      got = std::move(rows);
                    }};
    p.run(3);
  } // the destructor must not answer again
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name, "analytics");
  ASSERT_TRUE(got[0].wait_us.has_value());
  EXPECT_GE(*got[0].wait_us, 0);
  EXPECT_EQ(got[0].mailbox, 3u);
}

TEST(ActorProbeTest, AProbeDroppedUnrunAnswersWithoutAWait) {
  int calls = 0;
  std::vector<actor_probe> got;
  auto p = std::make_shared<mailbox_probe>("cluster_link", [&](std::vector<actor_probe> rows) {
    ++calls;
    got = std::move(rows);
  });
  p.reset(); // as when the actor is gone and its message is destroyed
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].name, "cluster_link");
  EXPECT_FALSE(got[0].wait_us.has_value());
  EXPECT_FALSE(got[0].mailbox.has_value());
}

} // namespace
} // namespace nzl::actors
