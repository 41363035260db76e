#include "storage/environment.hpp"
#include "storage/read_txn.hpp"
#include "tests/unit/storage/temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nzl::storage {
namespace {

class ReadTxnTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto env = environment::open(env_options{.dir = dir_.path() / "data", .sync = false});
    ASSERT_TRUE(env) << env.err().detail;
    env_ = std::move(env).value();
  }

  void put(table t, std::string_view key, std::string_view value) {
    write_batch b;
    b.put(t, key, value);
    auto r = env_->commit(b);
    ASSERT_TRUE(r) << r.err().detail;
  }

  read_txn reader() {
    auto r = env_->begin_read();
    EXPECT_TRUE(r) << r.err().detail;
    return std::move(r).value();
  }

  // Keys and values visited by scan_from, in order.
  std::vector<std::pair<std::string, std::string>> scanned(table t, std::string_view prefix,
                                                           std::string_view from = {}) {
    std::vector<std::pair<std::string, std::string>> out;
    auto txn = reader();
    auto n = txn.scan_from(t, prefix, from, [&](std::string_view k, std::string_view v) {
      out.emplace_back(k, v);
      return true;
    });
    EXPECT_TRUE(n) << n.err().detail;
    EXPECT_EQ(*n, out.size());
    return out;
  }

  testing::temp_dir dir_;
  std::unique_ptr<environment> env_;
};

TEST_F(ReadTxnTest, GetReturnsWhatWasPutAndNothingForMissingKeys) {
  put(table::tasks, "t1", "payload");
  auto txn = reader();
  auto v = txn.get(table::tasks, "t1");
  ASSERT_TRUE(v) << v.err().detail;
  EXPECT_EQ(*v, std::optional<std::string>{"payload"});
  auto missing = txn.get(table::tasks, "t2");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(ReadTxnTest, TablesAreSeparate) {
  put(table::tasks, "k", "in tasks");
  auto txn = reader();
  auto v = txn.get(table::webhooks, "k");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->has_value());
}

TEST_F(ReadTxnTest, PutReplacesAndEraseRemoves) {
  put(table::tasks, "k", "one");
  put(table::tasks, "k", "two");
  EXPECT_EQ(*reader().get(table::tasks, "k").value(), "two");
  write_batch b;
  b.erase(table::tasks, "k");
  b.erase(table::tasks, "never-there"); // not an error
  ASSERT_TRUE(env_->commit(b));
  EXPECT_FALSE(reader().get(table::tasks, "k").value().has_value());
}

TEST_F(ReadTxnTest, BinaryKeysAndValuesRoundTrip) {
  std::string key("a\0b", 3);
  std::string value("\0\xff\x01", 3);
  put(table::queue_index, key, value);
  EXPECT_EQ(*reader().get(table::queue_index, key).value(), value);
}

TEST_F(ReadTxnTest, UnstorableKeysAreAbsent) {
  auto txn = reader();
  EXPECT_FALSE(txn.get(table::tasks, "").value().has_value());
  EXPECT_FALSE(txn.get(table::tasks, std::string(max_key_bytes + 1, 'k')).value().has_value());
}

TEST_F(ReadTxnTest, ValuesOutliveTheTransaction) {
  put(table::tasks, "k", std::string(10000, 'v'));
  std::optional<std::string> v;
  {
    auto txn = reader();
    v = txn.get(table::tasks, "k").value();
  }
  put(table::tasks, "k", "changed");
  EXPECT_EQ(v, std::string(10000, 'v'));
}

TEST_F(ReadTxnTest, ScanVisitsOnlyThePrefixInKeyOrder) {
  put(table::queue_index, "q/b/2", "b2");
  put(table::queue_index, "q/a/2", "a2");
  put(table::queue_index, "q/a/1", "a1");
  put(table::queue_index, "q/a", "bare");
  put(table::queue_index, "p/a/1", "other");
  using kv = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(scanned(table::queue_index, "q/a/"), (kv{{"q/a/1", "a1"}, {"q/a/2", "a2"}}));
  EXPECT_EQ(scanned(table::queue_index, "q/"),
            (kv{{"q/a", "bare"}, {"q/a/1", "a1"}, {"q/a/2", "a2"}, {"q/b/2", "b2"}}));
  EXPECT_EQ(scanned(table::queue_index, "").size(), 5u);
  EXPECT_TRUE(scanned(table::queue_index, "r/").empty());
  EXPECT_TRUE(scanned(table::tasks, "").empty());
}

TEST_F(ReadTxnTest, ScanFromResumesAfterTheLastKeySeen) {
  for (char c = 'a'; c <= 'e'; ++c)
    put(table::tasks, std::string("x/") + c, std::string(1, c));
  put(table::tasks, "y/a", "other");
  using kv = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(scanned(table::tasks, "x/", std::string("x/b\0", 4)),
            (kv{{"x/c", "c"}, {"x/d", "d"}, {"x/e", "e"}}));
  // A start before the prefix starts at the prefix.
  EXPECT_EQ(scanned(table::tasks, "x/", "a").size(), 5u);
  // A start past the prefix visits nothing.
  EXPECT_TRUE(scanned(table::tasks, "x/", "x0").empty());
}

TEST_F(ReadTxnTest, ScanStopsWhenTheVisitorSaysSo) {
  for (char c = 'a'; c <= 'e'; ++c)
    put(table::tasks, std::string(1, c), "v");
  std::string seen;
  auto txn = reader();
  auto n = txn.scan(table::tasks, "", [&](std::string_view k, std::string_view) {
    seen += k;
    return seen.size() < 2;
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2u);
  EXPECT_EQ(seen, "ab");
}

TEST_F(ReadTxnTest, SeesASnapshotTakenAtItsStart) {
  put(table::tasks, "k", "old");
  auto before = reader();
  put(table::tasks, "k", "new");
  put(table::tasks, "k2", "added");
  EXPECT_EQ(*before.get(table::tasks, "k").value(), "old");
  EXPECT_FALSE(before.get(table::tasks, "k2").value().has_value());
  EXPECT_EQ(before.count(table::tasks).value(), 1u);
  EXPECT_EQ(*reader().get(table::tasks, "k").value(), "new");
  EXPECT_EQ(reader().count(table::tasks).value(), 2u);
}

TEST_F(ReadTxnTest, MovesKeepTheSnapshot) {
  put(table::tasks, "k", "v");
  auto a = reader();
  read_txn b = std::move(a);
  auto c = reader();
  c = std::move(b); // ends c's own transaction
  EXPECT_EQ(*c.get(table::tasks, "k").value(), "v");
}

} // namespace
} // namespace nzl::storage
