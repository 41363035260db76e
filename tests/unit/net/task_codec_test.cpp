#include "net/task_codec.hpp"

#include <gtest/gtest.h>

namespace nzl::net {
namespace {

using nlohmann::json;

TEST(TaskCodecTest, DecodesAV3Task) {
  json doc = {{"type", "echo"}, {"payload", {{"x", 1}}}, {"options", {{"timeout_ms", 500}}}};
  auto task = decode_task(doc, v3_fields);
  ASSERT_TRUE(task) << task.err().detail;
  EXPECT_EQ(task->type, "echo");
  EXPECT_EQ(task->payload["x"], 1);
  EXPECT_EQ(task->options.timeout_ms, 500u);
  EXPECT_EQ(task->id.size(), 36u);
}

TEST(TaskCodecTest, PayloadDefaultsToEmptyObject) {
  json doc = {{"type", "echo"}};
  auto task = decode_task(doc, v3_fields);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->payload, json::object());
}

TEST(TaskCodecTest, DecodesAV2Task) {
  json doc = {{"task_type", "echo"}, {"task_data", {1, 2}}};
  auto task = decode_task(doc, v2_fields);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->payload, json({1, 2}));
}

TEST(TaskCodecTest, MissingTypeNamesTheField) {
  json doc = {{"payload", 1}};
  auto task = decode_task(doc, v3_fields);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.err().code, errc::invalid_field);
  EXPECT_EQ(task.err().extensions["field"], "type");
  json v2 = {{"task_data", 1}};
  auto t2 = decode_task(v2, v2_fields);
  ASSERT_FALSE(t2);
  EXPECT_EQ(t2.err().extensions["field"], "task_type");
}

TEST(TaskCodecTest, MistypedFieldsNameTheFieldAndTheType) {
  json doc = {{"type", 42}};
  auto task = decode_task(doc, v3_fields);
  ASSERT_FALSE(task);
  EXPECT_NE(task.err().detail.find("number"), std::string::npos) << task.err().detail;
  json opts = {{"type", "echo"}, {"options", "fast"}};
  auto t2 = decode_task(opts, v3_fields);
  ASSERT_FALSE(t2);
  EXPECT_EQ(t2.err().extensions["field"], "options");
  json timeout = {{"type", "echo"}, {"options", {{"timeout_ms", -5}}}};
  auto t3 = decode_task(timeout, v3_fields);
  ASSERT_FALSE(t3);
  EXPECT_EQ(t3.err().extensions["field"], "options.timeout_ms");
}

TEST(TaskCodecTest, DecodesDurableOptions) {
  json doc = {{"type", "echo"},
              {"options",
               {{"async", true},
                {"queue", "emails"},
                {"priority", "high"},
                {"max_retries", 5},
                {"run_at", "2026-01-01T00:00:00Z"},
                {"webhook", "https://example.test/hook"}}}};
  auto task = decode_task(doc, v3_fields);
  ASSERT_TRUE(task) << task.err().detail;
  EXPECT_TRUE(task->options.async);
  EXPECT_EQ(task->options.queue, "emails");
  EXPECT_EQ(task->options.priority, "high");
  EXPECT_EQ(task->options.max_retries, 5u);
  EXPECT_EQ(task->options.run_at_ms, 1767225600000); // a past run_at runs at once
  EXPECT_EQ(task->options.webhook, "https://example.test/hook");
}

TEST(TaskCodecTest, RefusesBadDurableOptionsNamingTheField) {
  auto field_of = [](json options) {
    json doc = {{"type", "echo"}, {"options", std::move(options)}};
    auto task = decode_task(doc, v3_fields);
    return task ? std::string{"(ok)"} : task.err().extensions["field"].get<std::string>();
  };
  EXPECT_EQ(field_of({{"async", "yes"}}), "options.async");
  EXPECT_EQ(field_of({{"async", true}, {"queue", "Bad Name"}}), "options.queue");
  EXPECT_EQ(field_of({{"async", true}, {"priority", "urgent"}}), "options.priority");
  EXPECT_EQ(field_of({{"async", true}, {"max_retries", 99}}), "options.max_retries");
  EXPECT_EQ(field_of({{"async", true}, {"delay_ms", -1}}), "options.delay_ms");
  EXPECT_EQ(field_of({{"async", true}, {"run_at", "soon"}}), "options.run_at");
  EXPECT_EQ(field_of({{"async", true}, {"webhook", "ftp://x"}}), "options.webhook");
  EXPECT_EQ(field_of({{"delay_ms", 10}}), "options.async");
}

TEST(TaskCodecTest, RefusesBadTypeNames) {
  for (const std::string& name : {std::string{}, std::string{"Echo"}, std::string{"a b"},
                                  std::string{"../x"}, std::string(65, 'a')}) {
    json doc = {{"type", name}};
    EXPECT_FALSE(decode_task(doc, v3_fields)) << name;
  }
}

TEST(TaskCodecTest, NonObjectBodyIsRefused) {
  json doc = json::array();
  auto task = decode_task(doc, v3_fields);
  ASSERT_FALSE(task);
  EXPECT_EQ(task.err().extensions["field"], "(body)");
}

TEST(TaskCodecTest, BatchKeepsBadEntriesInPlace) {
  json doc = {{"tasks", {{{"type", "echo"}}, {{"nope", 1}}, {{"type", "echo"}}}}};
  auto batch = decode_batch(doc, 10);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->size(), 3u);
  EXPECT_TRUE((*batch)[0]);
  EXPECT_FALSE((*batch)[1]);
  EXPECT_EQ((*batch)[1].err().extensions["field"], "tasks[1].type");
  EXPECT_TRUE((*batch)[2]);
}

TEST(TaskCodecTest, BatchOverTheLimitIsRefusedWhole) {
  json tasks = json::array();
  for (int i = 0; i < 11; ++i)
    tasks.push_back({{"type", "echo"}});
  json doc = {{"tasks", tasks}};
  auto batch = decode_batch(doc, 10);
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.err().code, errc::batch_too_large);
}

TEST(TaskCodecTest, BatchNeedsANonEmptyArray) {
  json missing = json::object();
  EXPECT_FALSE(decode_batch(missing, 10));
  json empty = {{"tasks", json::array()}};
  EXPECT_FALSE(decode_batch(empty, 10));
  json wrong = {{"tasks", "x"}};
  EXPECT_FALSE(decode_batch(wrong, 10));
}

} // namespace
} // namespace nzl::net
