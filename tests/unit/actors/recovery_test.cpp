// Recovery after a crash, without a crash: the test writes the records a
// crashed node would have left in its data directory, then starts a runtime
// on it and watches what becomes of them.
#include "actors/node_runtime.hpp"
#include "actors/queue/task_record.hpp"
#include "core/time.hpp"
#include "storage/environment.hpp"
#include "storage/write_batch.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>
#include <unistd.h>

namespace nzl::actors {
namespace {

using nlohmann::json;

class RecoveryTest : public ::testing::Test {
protected:
  ~RecoveryTest() override {
    runtime_.reset();
    std::filesystem::remove_all(dir_);
  }

  void store(const task_record& r) {
    storage::env_options eo;
    eo.dir = dir_;
    eo.sync = false;
    auto env = storage::environment::open(eo);
    ASSERT_TRUE(env) << env.err().detail;
    storage::write_batch b;
    b.put(storage::table::tasks, r.id, r.encode());
    ASSERT_TRUE((*env)->commit(b));
  }

  void start() {
    auto registry = std::make_shared<plugins::handler_registry>();
    plugins::add_builtin_handlers(*registry);
    runtime_options opts;
    opts.region = "test";
    opts.data_dir = dir_;
    opts.sync_writes = false;
    runtime_ = std::make_unique<node_runtime>(opts, registry);
    auto started = runtime_->start();
    ASSERT_TRUE(started) << started.err().detail;
  }

  json get(const std::string& id) {
    std::promise<result<json>> p;
    runtime_->get_task(id, [&p](result<json> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    return r ? *r : json{{"error", r.err().detail}};
  }

  // Polls the record until `status` (bounded): recovery is asynchronous.
  json wait_for(const std::string& id, std::string_view status) {
    json last;
    for (int i = 0; i < 500; ++i) {
      last = get(id);
      if (last.value("status", "") == status)
        return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return last;
  }

  void store_later_and_wait() {
    task_request req;
    req.id = "t-probe";
    req.type = "echo";
    req.options.async = true;
    std::promise<result<json>> p;
    runtime_->enqueue(std::move(req), [&p](result<json> r) { p.set_value(std::move(r)); });
    ASSERT_TRUE(p.get_future().get());
    ASSERT_EQ(wait_for("t-probe", "completed")["status"], "completed");
  }

  static task_record record(std::string id, task_status status) {
    task_record r;
    r.id = std::move(id);
    r.type = "echo";
    r.payload = {{"n", 7}};
    r.status = status;
    r.created_ms = unix_ms_now();
    return r;
  }

  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("nzl-recovery-" + std::to_string(::getpid()) + "-" +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<node_runtime> runtime_;
};

TEST_F(RecoveryTest, ATaskInterruptedWhileRunningRunsAgainAndCompletes) {
  auto r = record("t-running", task_status::running);
  r.attempts = 1;
  store(r);
  start();
  auto done = wait_for("t-running", "completed");
  EXPECT_EQ(done["status"], "completed") << done;
  EXPECT_EQ(done["result"], json({{"n", 7}}));
  EXPECT_EQ(done["attempts"], 2);
}

TEST_F(RecoveryTest, AQueuedTaskRunsAfterRestart) {
  store(record("t-queued", task_status::queued));
  start();
  EXPECT_EQ(wait_for("t-queued", "completed")["status"], "completed");
}

TEST_F(RecoveryTest, ACompletedTaskIsNeverRunAgain) {
  auto r = record("t-done", task_status::completed);
  r.attempts = 1;
  r.result = "first";
  r.finished_ms = unix_ms_now();
  r.expires_ms = r.finished_ms + 3'600'000;
  store(r);
  start();
  // A queued task on the same queue completing proves the queue is running.
  store_later_and_wait();
  auto view = get("t-done");
  EXPECT_EQ(view["status"], "completed");
  EXPECT_EQ(view["result"], "first");
  EXPECT_EQ(view["attempts"], 1);
}

TEST_F(RecoveryTest, FinalTasksArePurgedWhenTheirTtlHasPassed) {
  auto r = record("t-old", task_status::completed);
  r.result = "old";
  r.finished_ms = unix_ms_now() - 7'200'000;
  r.expires_ms = r.finished_ms + 3'600'000; // expired an hour ago
  store(r);
  auto keep = record("t-fresh", task_status::completed);
  keep.finished_ms = unix_ms_now();
  keep.expires_ms = keep.finished_ms + 3'600'000;
  store(keep);
  start();
  json last;
  for (int i = 0; i < 500 && !last.contains("error"); ++i) {
    last = get("t-old");
    if (!last.contains("error"))
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(last.contains("error")) << "never purged: " << last;
  EXPECT_EQ(get("t-fresh")["status"], "completed");
}

} // namespace
} // namespace nzl::actors
