#include "actors/queue/task_record.hpp"

#include <gtest/gtest.h>

namespace nzl::actors {
namespace {

TEST(TaskRecordTest, EncodeDecodeRoundTrip) {
  task_record r;
  r.id = "id-1";
  r.queue = "q";
  r.type = "echo";
  r.payload = {{"a", 1}};
  r.prio = priority::high;
  r.status = task_status::dead;
  r.attempts = 4;
  r.max_retries = 3;
  r.created_ms = 1000;
  r.finished_ms = 2000;
  r.error = {{"code", "task_failed"}};
  r.webhook = "http://127.0.0.1:1/x";
  auto back = task_record::decode(r.encode());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, "id-1");
  EXPECT_EQ(back->prio, priority::high);
  EXPECT_EQ(back->status, task_status::dead);
  EXPECT_EQ(back->attempts, 4u);
  EXPECT_EQ(back->payload, r.payload);
  EXPECT_EQ(back->error, r.error);
  EXPECT_EQ(back->webhook, r.webhook);
}

TEST(TaskRecordTest, GarbageDoesNotDecode) {
  EXPECT_FALSE(task_record::decode("not json"));
  EXPECT_FALSE(task_record::decode("{}"));
  EXPECT_FALSE(task_record::decode(R"({"id": 5})"));
}

TEST(TaskRecordTest, ApiViewShowsResultOnlyWhenCompleted) {
  task_record r;
  r.id = "x";
  r.status = task_status::running;
  r.result = 5;
  EXPECT_FALSE(r.to_api_json().contains("result"));
  r.status = task_status::completed;
  r.finished_ms = 1795840033709;
  auto view = r.to_api_json();
  EXPECT_EQ(view["result"], 5);
  EXPECT_EQ(view["status"], "completed");
  EXPECT_EQ(view["finished_at"], "2026-11-28T04:27:13.709Z");
}

TEST(TaskRecordTest, FinalStatuses) {
  EXPECT_TRUE(is_final(task_status::completed));
  EXPECT_TRUE(is_final(task_status::dead));
  EXPECT_TRUE(is_final(task_status::cancelled));
  EXPECT_FALSE(is_final(task_status::failed));
  EXPECT_FALSE(is_final(task_status::queued));
}

TEST(TaskRecordTest, BackoffDoublesWithJitterAndCap) {
  EXPECT_EQ(retry_backoff_ms(1, 1000, 60000, 0.5), 1000);
  EXPECT_EQ(retry_backoff_ms(2, 1000, 60000, 0.5), 2000);
  EXPECT_EQ(retry_backoff_ms(3, 1000, 60000, 0.5), 4000);
  EXPECT_EQ(retry_backoff_ms(30, 1000, 60000, 0.5), 60000);
  EXPECT_EQ(retry_backoff_ms(1, 1000, 60000, 0.0), 800);
  EXPECT_EQ(retry_backoff_ms(1, 1000, 60000, 1.0), 1200);
}

} // namespace
} // namespace nzl::actors
