#include "storage/write_batch.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nzl::storage {
namespace {

TEST(WriteBatchTest, StartsEmpty) {
  write_batch b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.byte_size(), 0u);
}

TEST(WriteBatchTest, RecordsOperationsInOrderWithCopiedBytes) {
  write_batch b;
  {
    std::string key = "task-1";
    std::string value = std::string("v\0x", 3);
    b.put(table::tasks, key, value);
    key = "overwritten";
    value = "overwritten";
  }
  b.erase(table::queue_index, "q/default/1");
  b.put(table::meta, "k", "");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_FALSE(b.empty());

  auto op0 = b[0];
  EXPECT_EQ(op0.kind, write_batch::op_kind::put);
  EXPECT_EQ(op0.tbl, table::tasks);
  EXPECT_EQ(op0.key, "task-1");
  EXPECT_EQ(op0.value, std::string_view("v\0x", 3));

  auto op1 = b[1];
  EXPECT_EQ(op1.kind, write_batch::op_kind::erase);
  EXPECT_EQ(op1.tbl, table::queue_index);
  EXPECT_EQ(op1.key, "q/default/1");
  EXPECT_TRUE(op1.value.empty());

  auto op2 = b[2];
  EXPECT_EQ(op2.kind, write_batch::op_kind::put);
  EXPECT_EQ(op2.key, "k");
  EXPECT_TRUE(op2.value.empty());

  EXPECT_EQ(b.byte_size(), 6u + 3u + 11u + 1u);
}

TEST(WriteBatchTest, ClearEmptiesIt) {
  write_batch b;
  b.put(table::tasks, "a", "b");
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.byte_size(), 0u);
}

TEST(WriteBatchTest, SurvivesAMove) {
  write_batch b;
  b.put(table::webhooks, "id", std::string(1000, 'x'));
  write_batch moved = std::move(b);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].value, std::string(1000, 'x'));
}

TEST(TableTest, NamesAreStable) {
  EXPECT_EQ(to_string(table::meta), "meta");
  EXPECT_EQ(to_string(table::tasks), "tasks");
  EXPECT_EQ(to_string(table::queue_index), "queue_index");
  EXPECT_EQ(to_string(table::idempotency), "idempotency");
  EXPECT_EQ(to_string(table::webhooks), "webhooks");
}

} // namespace
} // namespace nzl::storage
