#include "security/nonce_window.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace nzl::security {
namespace {

using outcome = nonce_window::outcome;

constexpr nonce_hash_key test_key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

std::string nonce_of(int i) {
  return "nonce-" + std::to_string(1'000'000 + i) + "-abcdef";
}

TEST(SecurityNonceWindowTest, SecondUseIsReplay) {
  nonce_window window(10, test_key);
  EXPECT_EQ(window.remember("k_1", "nonce-aaaaaaaaaaaa", 400, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k_1", "nonce-aaaaaaaaaaaa", 400, 200), outcome::replay);
  EXPECT_TRUE(window.contains("k_1", "nonce-aaaaaaaaaaaa"));
}

TEST(SecurityNonceWindowTest, NoncesArePerKey) {
  nonce_window window(10, test_key);
  EXPECT_EQ(window.remember("k_1", "nonce-aaaaaaaaaaaa", 400, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k_2", "nonce-aaaaaaaaaaaa", 400, 100), outcome::fresh);
  // The separator keeps "k_1" + "xnonce" apart from "k_1x" + "nonce".
  EXPECT_EQ(window.remember("k_1x", "nonce-aaaaaaaaaaa", 400, 100), outcome::fresh);
}

TEST(SecurityNonceWindowTest, ExpiryIsInclusive) {
  nonce_window window(10, test_key);
  EXPECT_EQ(window.remember("k_1", "n", 400, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k_1", "n", 400, 400), outcome::replay);
  EXPECT_EQ(window.remember("k_1", "n", 702, 401), outcome::fresh);
}

TEST(SecurityNonceWindowTest, FullWindowRefusesInsteadOfForgetting) {
  nonce_window window(2, test_key);
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

TEST(SecurityNonceWindowTest, HashIsKeyedAndNeverZero) {
  nonce_window a(10, test_key);
  auto other_key = test_key;
  other_key[0] ^= 1;
  nonce_window b(10, other_key);
  EXPECT_EQ(a.hash("k", "nonce"), a.hash("k", "nonce"));
  EXPECT_NE(a.hash("k", "nonce"), b.hash("k", "nonce"));
  EXPECT_NE(a.hash("k", "nonce"), a.hash("k", "nonce2"));
  EXPECT_NE(a.hash("k", "nonce"), 0u);
}

TEST(SecurityNonceWindowTest, LongKeyIdsHashLikeShortOnes) {
  nonce_window window(10, test_key);
  const std::string long_id(300, 'k');
  EXPECT_EQ(window.remember(long_id, "nonce-aaaaaaaaaaaa", 400, 100), outcome::fresh);
  EXPECT_EQ(window.remember(long_id, "nonce-aaaaaaaaaaaa", 400, 100), outcome::replay);
  EXPECT_EQ(window.remember(long_id + "k", "nonce-aaaaaaaaaaaa", 400, 100), outcome::fresh);
}

TEST(SecurityNonceWindowTest, RememberHashMatchesRemember) {
  nonce_window window(10, test_key);
  // As a restart restores nonces from storage: by hash.
  EXPECT_EQ(window.remember_hash(window.hash("k", "restored-nonce-1"), 500, 100), outcome::fresh);
  EXPECT_EQ(window.remember("k", "restored-nonce-1", 500, 100), outcome::replay);
}

// Every entry expires exactly at its second, in any insertion order, and the
// table (backward-shift deletion) keeps finding the rest.
TEST(SecurityNonceWindowTest, ManyEntriesExpireSecondBySecond) {
  constexpr int n = 20'000;
  nonce_window window(n, test_key);
  const std::int64_t now = 1'000;
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(window.remember("k", nonce_of(i), now + (i * 7919) % 300, now), outcome::fresh) << i;
  EXPECT_EQ(window.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(window.remember("k", nonce_of(n), now + 10, now), outcome::full);
  for (std::int64_t t = now; t <= now + 300; t += 1) {
    window.expire(t);
    // Entries with expiry >= t stay, the others are gone.
    for (int i = 0; i < n; i += 97) {
      const bool live = now + (i * 7919) % 300 >= t;
      ASSERT_EQ(window.contains("k", nonce_of(i)), live) << i << " at " << t;
    }
  }
  EXPECT_EQ(window.size(), 0u);
  for (int i = 0; i < n; ++i)
    ASSERT_FALSE(window.contains("k", nonce_of(i))) << i;
  // And the emptied window takes nonces again.
  EXPECT_EQ(window.remember("k", nonce_of(0), now + 600, now + 301), outcome::fresh);
}

TEST(SecurityNonceWindowTest, ReplaysAreCaughtAmongManyEntries) {
  constexpr int n = 10'000;
  nonce_window window(n, test_key);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(window.remember("k", nonce_of(i), 500 + i % 50, 100), outcome::fresh);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(window.remember("k", nonce_of(i), 500, 100), outcome::replay) << i;
  // Half of them expire; their nonces are fresh again, the others are not.
  window.expire(525);
  for (int i = 0; i < n; ++i) {
    const bool live = 500 + i % 50 >= 525;
    ASSERT_EQ(window.remember("k", nonce_of(i), 900, 525), live ? outcome::replay : outcome::fresh)
        << i;
  }
}

TEST(SecurityNonceWindowTest, MemoryPerNonceIsSmall) {
  constexpr int n = 100'000;
  nonce_window window(n, test_key);
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(window.remember("k_0123456789abcdef", nonce_of(i), 1'300 + i % 300, 1'000),
              outcome::fresh);
  const double per_nonce = static_cast<double>(window.memory_bytes()) / n;
  // 8-byte table slots at most 70 % full plus 8 bytes in an expiry list,
  // each with up to 2x growth slack.
  EXPECT_LE(per_nonce, 48.0);
  EXPECT_GE(per_nonce, 16.0);
}

} // namespace
} // namespace nzl::security
