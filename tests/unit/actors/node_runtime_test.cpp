#include "actors/node_runtime.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace nzl::actors {
namespace {

using nlohmann::json;

class throwing_handler : public plugins::task_handler {
public:
  std::string_view type() const noexcept override { return "throws"; }
  result<json> run(json, plugins::handler_context&) override { throw std::runtime_error("bug"); }
};

// Blocks until cancelled (or released), so tests can fill the executors.
class waiting_handler : public plugins::task_handler {
public:
  std::string_view type() const noexcept override { return "wait"; }
  result<json> run(json, plugins::handler_context& ctx) override {
    std::unique_lock lock{mutex};
    cv.wait_for(lock, std::chrono::seconds(20), [&] { return released || ctx.cancelled(); });
    return json{{"cancelled", ctx.cancelled()}};
  }
  void release() {
    std::lock_guard guard{mutex};
    released = true;
    cv.notify_all();
  }
  std::mutex mutex;
  std::condition_variable cv;
  bool released = false;
};

class NodeRuntimeTest : public ::testing::Test {
protected:
  NodeRuntimeTest() {
    auto registry = std::make_shared<plugins::handler_registry>();
    plugins::add_builtin_handlers(*registry);
    registry->add(std::make_shared<throwing_handler>());
    registry->add(waiter_);
    runtime_options opts;
    opts.region = "test";
    opts.executor_threads = 1;
    opts.max_waiting = 1;
    opts.data_dir = dir_;
    opts.sync_writes = false;
    runtime_ = std::make_unique<node_runtime>(opts, registry);
    auto started = runtime_->start();
    EXPECT_TRUE(started) << started.err().detail;
  }
  ~NodeRuntimeTest() override {
    waiter_->release();
    runtime_->stop();
    runtime_.reset();
    std::filesystem::remove_all(dir_);
  }

  task_outcome run(std::string type, json payload, std::uint32_t timeout_ms = 10'000) {
    std::promise<task_outcome> p;
    auto f = p.get_future();
    runtime_->run(request(std::move(type), std::move(payload), timeout_ms),
                  [&p](task_outcome o) { p.set_value(std::move(o)); });
    return f.get();
  }

  static task_request request(std::string type, json payload, std::uint32_t timeout_ms) {
    task_request req;
    req.id = "t1";
    req.type = std::move(type);
    req.payload = std::move(payload);
    req.options.timeout_ms = timeout_ms;
    return req;
  }

  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("nzl-runtime-" + std::to_string(::getpid()) + "-" +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::shared_ptr<waiting_handler> waiter_ = std::make_shared<waiting_handler>();
  std::unique_ptr<node_runtime> runtime_;
};

TEST_F(NodeRuntimeTest, EchoRunsInlineAndReturnsThePayload) {
  auto out = run("echo", {{"a", 1}});
  ASSERT_TRUE(out.value);
  EXPECT_EQ(*out.value, json({{"a", 1}}));
  EXPECT_EQ(out.region, "test");
  EXPECT_EQ(out.id, "t1");
}

TEST_F(NodeRuntimeTest, SteppedEchoRunsOnTheExecutors) {
  auto out = run("echo", {{"steps", 3}, {"step_ms", 1}});
  ASSERT_TRUE(out.value) << out.value.err().detail;
  EXPECT_EQ((*out.value)["steps"], 3);
}

TEST_F(NodeRuntimeTest, UnknownTypeListsKnownTypes) {
  auto out = run("nope", {});
  ASSERT_FALSE(out.value);
  EXPECT_EQ(out.value.err().code, errc::unknown_task_type);
  EXPECT_EQ(out.value.err().extensions["known_types"],
            json({"echo", "json-validator", "throws", "wait"}));
}

TEST_F(NodeRuntimeTest, AThrowingHandlerBecomesAnInternalError) {
  auto out = run("throws", {});
  ASSERT_FALSE(out.value);
  EXPECT_EQ(out.value.err().code, errc::internal);
}

TEST_F(NodeRuntimeTest, DeadlineCancelsTheHandlerAndAnswersTimeout) {
  auto out = run("wait", {}, 50);
  ASSERT_FALSE(out.value);
  EXPECT_EQ(out.value.err().code, errc::task_timeout);
}

TEST_F(NodeRuntimeTest, FullQueueAnswersOverloaded) {
  // One executor busy, one task waiting: the third is refused.
  std::promise<task_outcome> first, second;
  runtime_->run(request("wait", {}, 10'000),
                [&](task_outcome o) { first.set_value(std::move(o)); });
  runtime_->run(request("wait", {}, 10'000),
                [&](task_outcome o) { second.set_value(std::move(o)); });
  auto third = run("wait", {});
  ASSERT_FALSE(third.value);
  EXPECT_EQ(third.value.err().code, errc::overloaded);
  waiter_->release();
  EXPECT_TRUE(first.get_future().get().value);
  EXPECT_TRUE(second.get_future().get().value);
}

TEST_F(NodeRuntimeTest, BatchAnswersInRequestOrder) {
  std::vector<task_request> reqs;
  // One executor and one waiting slot: two runnable tasks fit.
  for (int i = 0; i < 3; ++i)
    reqs.push_back(request(i == 1 ? "nope" : "echo", json{{"i", i}}, 10'000));
  std::promise<std::vector<task_outcome>> p;
  runtime_->run_batch(std::move(reqs),
                      [&](std::vector<task_outcome> o) { p.set_value(std::move(o)); });
  auto outs = p.get_future().get();
  ASSERT_EQ(outs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    if (i == 1) {
      EXPECT_FALSE(outs[i].value);
    } else {
      ASSERT_TRUE(outs[i].value);
      EXPECT_EQ((*outs[i].value)["i"], i);
    }
  }
}

TEST_F(NodeRuntimeTest, DrainTurnsReadyOff) {
  EXPECT_TRUE(runtime_->ready());
  runtime_->begin_drain();
  EXPECT_FALSE(runtime_->ready());
}

} // namespace
} // namespace nzl::actors

namespace nzl::actors {
namespace {

// A queue whose due tasks wait while its executors are stuck makes the node
// not ready, and ready again once work moves.
TEST(NodeRuntimeProgressTest, ReadyTurnsFalseWhileAQueueIsStuck) {
  auto dir =
      std::filesystem::temp_directory_path() / ("nzl-progress-" + std::to_string(::getpid()));
  auto waiter = std::make_shared<waiting_handler>();
  auto registry = std::make_shared<plugins::handler_registry>();
  plugins::add_builtin_handlers(*registry);
  registry->add(waiter);
  runtime_options opts;
  opts.region = "test";
  opts.executor_threads = 1;
  opts.data_dir = dir;
  opts.sync_writes = false;
  opts.queues.concurrency = 1;
  opts.queues.stuck_after_ms = 50;
  {
    node_runtime runtime{opts, registry};
    ASSERT_TRUE(runtime.start());
    auto enqueue = [&](std::string id, std::string type) {
      task_request req;
      req.id = std::move(id);
      req.type = std::move(type);
      req.options.async = true;
      std::promise<result<json>> p;
      runtime.enqueue(std::move(req), [&p](result<json> r) { p.set_value(std::move(r)); });
      ASSERT_TRUE(p.get_future().get());
    };
    enqueue("blocker", "wait");
    enqueue("behind", "echo");
    auto wait_until = [&](bool wanted) {
      for (int i = 0; i < 1000 && runtime.ready() != wanted; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return runtime.ready() == wanted;
    };
    EXPECT_TRUE(wait_until(false)) << "a stuck queue did not make the node unready";
    waiter->release();
    EXPECT_TRUE(wait_until(true)) << "the node did not become ready again";
    runtime.stop();
  }
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace nzl::actors
