#include "security/nonce_window.hpp"

#include <gtest/gtest.h>

namespace nzl::security {
namespace {

using outcome = nonce_window::outcome;

TEST(SecurityNonceWindowTest, SecondUseIsReplay) {
  nonce_window window(10);
  EXPECT_EQ(window.remember("k_1", "nonce-aaaaaaaaaaaa", 400, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k_1", "nonce-aaaaaaaaaaaa", 400, 200), outcome::replay);
  EXPECT_TRUE(window.contains("k_1", "nonce-aaaaaaaaaaaa", 400));
}

TEST(SecurityNonceWindowTest, NoncesArePerKey) {
  nonce_window window(10);
  EXPECT_EQ(window.remember("k_1", "nonce-aaaaaaaaaaaa", 400, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k_2", "nonce-aaaaaaaaaaaa", 400, 100), outcome::fresh);
}

TEST(SecurityNonceWindowTest, ExpiryIsInclusive) {
  nonce_window window(10);
  EXPECT_EQ(window.remember("k_1", "n", 400, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k_1", "n", 400, 400), outcome::replay);
  EXPECT_EQ(window.remember("k_1", "n", 702, 401), outcome::fresh);
}

TEST(SecurityNonceWindowTest, FullWindowRefusesInsteadOfForgetting) {
  nonce_window window(2);
  EXPECT_EQ(window.remember("k", "a", 500, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k", "b", 300, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k", "c", 500, 100), outcome::full);
  EXPECT_EQ(window.remember("k", "a", 500, 100), outcome::replay);
  // Once "b" has expired there is room again.
  EXPECT_EQ(window.remember("k", "c", 600, 301), outcome::fresh);
  EXPECT_EQ(window.size(), 2u);
  window.expire(601);
  EXPECT_EQ(window.size(), 0u);
}

} // namespace
} // namespace nzl::security
