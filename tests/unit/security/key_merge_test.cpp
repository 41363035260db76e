#include "security/key_merge.hpp"

#include <gtest/gtest.h>

#include <set>

namespace nzl::security {
namespace {

key_record base() {
  key_record r;
  r.id = "k_0123456789abcdef";
  r.name = "ci";
  r.prefix = "nzk_abcdefgh";
  r.key_hash = hash_key("nzk_abcdefghijklmnopqrstuv");
  r.scopes.add(scope::tasks_write);
  r.tier = "default";
  r.signing_secret_sealed = "sealed-a";
  r.created_at_ms = 1'700'000'000'000;
  return r;
}

std::string stored(const key_record& r) {
  return r.to_storage_json().dump();
}

TEST(SecurityKeyMergeTest, RevocationAndTheEarliestExpiryWinWhicheverSideHasThem) {
  auto live = base();
  auto revoked = base();
  revoked.revoked_at_ms = 1'700'000'100'000;
  EXPECT_EQ(merge_key_records(live, revoked).revoked_at_ms, revoked.revoked_at_ms);
  EXPECT_EQ(merge_key_records(revoked, live).revoked_at_ms, revoked.revoked_at_ms);

  auto later = base();
  later.revoked_at_ms = 1'700'000'200'000;
  EXPECT_EQ(merge_key_records(later, revoked).revoked_at_ms, revoked.revoked_at_ms);

  auto rotated = base();
  rotated.expires_at_ms = 1'700'000'300'000;
  rotated.replaced_by = "k_fedcba9876543210";
  auto merged = merge_key_records(live, rotated);
  EXPECT_EQ(merged.expires_at_ms, rotated.expires_at_ms);
  EXPECT_EQ(merged.replaced_by, rotated.replaced_by);
  EXPECT_FALSE(merged.usable_at(rotated.expires_at_ms));
}

TEST(SecurityKeyMergeTest, IsCommutativeAssociativeAndIdempotent) {
  std::vector<key_record> versions(5, base());
  versions[1].revoked_at_ms = 1'700'000'500'000;
  versions[2].expires_at_ms = 1'700'000'400'000;
  versions[2].replaced_by = "k_1111111111111111";
  versions[3].created_at_ms += 5; // the same key bootstrapped later elsewhere
  versions[3].signing_secret_sealed = "sealed-b";
  versions[4].expires_at_ms = 1'700'000'600'000;
  versions[4].replaced_by = "k_2222222222222222";

  std::set<std::string> results;
  std::vector<std::size_t> order{0, 1, 2, 3, 4};
  do {
    auto acc = versions[order[0]];
    for (std::size_t i = 1; i < order.size(); ++i)
      acc = merge_key_records(acc, versions[order[i]]);
    results.insert(stored(acc));
  } while (std::next_permutation(order.begin(), order.end()));
  ASSERT_EQ(results.size(), 1u) << "every order must give the same record";

  auto all = key_record::from_storage_json(nlohmann::json::parse(*results.begin()));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->created_at_ms, base().created_at_ms);
  EXPECT_EQ(all->signing_secret_sealed, "sealed-a");
  EXPECT_EQ(all->revoked_at_ms, 1'700'000'500'000);
  EXPECT_EQ(all->expires_at_ms, 1'700'000'400'000);
  EXPECT_EQ(all->replaced_by, "k_2222222222222222");
  EXPECT_EQ(stored(merge_key_records(*all, *all)), stored(*all));
}

TEST(SecurityKeyMergeTest, TwoCreationsOfOneKeyAtTheSameTimeAgreeOnOneSealedSecret) {
  auto a = base();
  auto b = base();
  b.signing_secret_sealed = "sealed-0";
  EXPECT_EQ(stored(merge_key_records(a, b)), stored(merge_key_records(b, a)));
  EXPECT_EQ(merge_key_records(a, b).signing_secret_sealed, "sealed-0");
}

TEST(SecurityKeyMergeTest, ChangesJoinAcrossTwoIdsOfOneKeyKeepingEachId) {
  auto mine = base();
  auto theirs = base();
  theirs.id = "k_ffffffffffffffff";
  theirs.revoked_at_ms = 1'700'000'900'000;
  auto joined = join_changes(mine, theirs);
  EXPECT_EQ(joined.id, mine.id);
  EXPECT_EQ(joined.revoked_at_ms, theirs.revoked_at_ms);
  EXPECT_EQ(joined.signing_secret_sealed, mine.signing_secret_sealed);
  EXPECT_EQ(stored(join_changes(joined, theirs)), stored(joined));
}

TEST(SecurityKeyMergeTest, FingerprintsFollowTheStoredForm) {
  auto a = base();
  auto b = base();
  EXPECT_EQ(key_fingerprint(a), key_fingerprint(b));
  b.revoked_at_ms = 1;
  EXPECT_NE(key_fingerprint(a), key_fingerprint(b));
}

TEST(SecurityKeyMergeTest, DigestBucketsCancelOutWhenTheSameRecordsArePresent) {
  key_set_digest one, two;
  auto a = base();
  auto b = base();
  b.id = "k_aaaaaaaaaaaaaaaa";
  one.replace(a.id, 0, key_fingerprint(a));
  one.replace(b.id, 0, key_fingerprint(b));
  two.replace(b.id, 0, key_fingerprint(b));
  EXPECT_NE(one.buckets(), two.buckets());
  two.replace(a.id, 0, key_fingerprint(a));
  EXPECT_EQ(one.buckets(), two.buckets());

  auto revoked = a;
  revoked.revoked_at_ms = 5;
  one.replace(a.id, key_fingerprint(a), key_fingerprint(revoked));
  std::size_t differing = 0;
  for (std::size_t i = 0; i < key_buckets; ++i)
    differing += one.buckets()[i] != two.buckets()[i] ? 1 : 0;
  EXPECT_EQ(differing, 1u);
  EXPECT_NE(one.buckets()[key_bucket(a.id)], two.buckets()[key_bucket(a.id)]);
}

TEST(SecurityKeyMergeTest, BootstrapIdsDependOnlyOnTheKey) {
  auto id = bootstrap_key_id(hash_key("nzk_bootstrapbootstrapbootstrap"));
  EXPECT_EQ(id, bootstrap_key_id(hash_key("nzk_bootstrapbootstrapbootstrap")));
  EXPECT_NE(id, bootstrap_key_id(hash_key("nzk_otherbootstrapotherbootstr")));
  ASSERT_EQ(id.size(), 18u);
  EXPECT_EQ(id.substr(0, 2), "k_");
  EXPECT_TRUE(valid_key_id(id));
}

} // namespace
} // namespace nzl::security
