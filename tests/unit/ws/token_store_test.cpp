#include "net/ws/token_store.hpp"

#include <gtest/gtest.h>

namespace nzl::net::ws {
namespace {

TEST(WsTokenStoreTest, RedeemsOnceForTheGrant) {
  token_store store{{60'000, 10, [] {
                       return std::int64_t{1000};
                     }}};
  auto t = store.issue({"k_1", true});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->token.size(), 32u);
  EXPECT_EQ(t->expires_at_ms, 61'000);
  auto g = store.redeem(t->token);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->client, "k_1");
  EXPECT_TRUE(g->admin);
  EXPECT_FALSE(store.redeem(t->token));
}

TEST(WsTokenStoreTest, ExpiredAndUnknownTokensFail) {
  std::int64_t now = 0;
  token_store store{{100, 10, [&] {
                       return now;
                     }}};
  auto t = store.issue({});
  ASSERT_TRUE(t);
  now = 100;
  EXPECT_FALSE(store.redeem(t->token));
  EXPECT_FALSE(store.redeem("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(store.redeem("short"));
}

TEST(WsTokenStoreTest, BoundedCountPurgesExpiredFirst) {
  std::int64_t now = 0;
  token_store store{{100, 2, [&] {
                       return now;
                     }}};
  ASSERT_TRUE(store.issue({}));
  ASSERT_TRUE(store.issue({}));
  EXPECT_FALSE(store.issue({}));
  now = 200;
  EXPECT_TRUE(store.issue({}));
  EXPECT_EQ(store.live(), 1u);
}

} // namespace
} // namespace nzl::net::ws
