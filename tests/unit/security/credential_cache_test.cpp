// The gateway's per-thread cache of verified credentials: exact-match hits
// only, bounded, emptied by a new key-set version.
#include "security/credential_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nzl::security {
namespace {

using cache_type = credential_cache<int>;

std::string key_text(int i) {
  auto n = std::to_string(i);
  return "nzk_" + std::string(40 - n.size(), 'a') + n;
}

TEST(SecurityCredentialCacheTest, FindsWhatWasInsertedAtTheSameVersion) {
  cache_type cache;
  EXPECT_EQ(cache.find(key_text(1), 7), nullptr);
  cache.insert(key_text(1), 11, 7);
  const int* hit = cache.find(key_text(1), 7);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(*hit, 11);
}

TEST(SecurityCredentialCacheTest, NearMissesAreMisses) {
  cache_type cache;
  const auto key = key_text(1);
  cache.insert(key, 11, 7);
  auto changed = key;
  changed.back() = 'b'; // same length, last byte differs
  EXPECT_EQ(cache.find(changed, 7), nullptr);
  EXPECT_EQ(cache.find(key.substr(0, key.size() - 1), 7), nullptr);
  EXPECT_EQ(cache.find(key + "a", 7), nullptr);
  EXPECT_EQ(cache.find("", 7), nullptr);
  EXPECT_NE(cache.find(key, 7), nullptr);
}

TEST(SecurityCredentialCacheTest, AnotherVersionEmptiesTheCache) {
  cache_type cache;
  cache.insert(key_text(1), 11, 7);
  EXPECT_EQ(cache.find(key_text(1), 8), nullptr);
  // and going back does not bring it back: the entry was dropped.
  EXPECT_EQ(cache.find(key_text(1), 7), nullptr);
  cache.insert(key_text(2), 22, 9);
  EXPECT_EQ(cache.find(key_text(2), 9) ? *cache.find(key_text(2), 9) : 0, 22);
  cache.insert(key_text(3), 33, 10); // an insert at a new version empties it too
  EXPECT_EQ(cache.find(key_text(2), 10), nullptr);
  EXPECT_NE(cache.find(key_text(3), 10), nullptr);
}

TEST(SecurityCredentialCacheTest, HoldsAtMostItsSlotsAndNeverAnswersWrongly) {
  cache_type cache;
  constexpr int n = 4 * static_cast<int>(credential_slots::slot_count);
  for (int i = 0; i < n; ++i)
    cache.insert(key_text(i), i, 1);
  int hits = 0;
  for (int i = 0; i < n; ++i)
    if (const int* v = cache.find(key_text(i), 1)) {
      EXPECT_EQ(*v, i);
      ++hits;
    }
  EXPECT_GT(hits, 0);
  EXPECT_LE(hits, static_cast<int>(credential_slots::slot_count));
  // The most recent insert always holds its slot.
  ASSERT_NE(cache.find(key_text(n - 1), 1), nullptr);
}

TEST(SecurityCredentialCacheTest, TooLongOrEmptyCredentialsAreNotStored) {
  cache_type cache;
  const std::string longest(max_credential_length, 'k');
  const std::string too_long(max_credential_length + 1, 'k');
  cache.insert(too_long, 1, 1);
  EXPECT_EQ(cache.find(too_long, 1), nullptr);
  cache.insert("", 2, 1);
  EXPECT_EQ(cache.find("", 1), nullptr);
  cache.insert(longest, 3, 1);
  ASSERT_NE(cache.find(longest, 1), nullptr);
  EXPECT_EQ(*cache.find(longest, 1), 3);
}

TEST(SecurityCredentialCacheTest, ClearForgetsEverything) {
  cache_type cache;
  for (int i = 0; i < 10; ++i)
    cache.insert(key_text(i), i, 1);
  cache.clear();
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(cache.find(key_text(i), 1), nullptr);
}

TEST(SecurityCredentialCacheTest, TwoCachesPlaceKeysIndependently) {
  // Each cache has its own random hash key: the same set of keys collides
  // differently, so nobody can aim keys at one slot of every node.
  credential_slots a, b;
  int same = 0;
  for (int i = 0; i < 64; ++i)
    same += a.store(key_text(i)) == b.store(key_text(i)) ? 1 : 0;
  EXPECT_LT(same, 64);
}

} // namespace
} // namespace nzl::security
