#include "apps/node_plugins.hpp"

namespace nzl::apps {

namespace {
constexpr std::size_t max_waiting_reloads = 4;
} // namespace

node_plugins::node_plugins(std::shared_ptr<plugins::plugin_host> host)
    : host_(std::move(host)), worker_([this] { work(); }) {}

node_plugins::~node_plugins() {
  {
    std::lock_guard guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
  for (auto& done : waiting_)
    done(fail(errc::unavailable, "the node is stopping"));
}

nlohmann::json node_plugins::describe() const {
  return host_->describe();
}

void node_plugins::reload(json_handler done) {
  {
    std::lock_guard guard{mutex_};
    if (stopping_)
      return done(fail(errc::unavailable, "the node is stopping"));
    if (waiting_.size() >= max_waiting_reloads)
      return done(fail(errc::overloaded, "plugin reloads are already waiting"));
    waiting_.push_back(std::move(done));
  }
  wake_.notify_one();
}

void node_plugins::work() {
  std::unique_lock lock{mutex_};
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (stopping_)
      return;
    auto done = std::move(waiting_.front());
    waiting_.pop_front();
    lock.unlock();
    done(host_->reload());
    lock.lock();
  }
}

} // namespace nzl::apps
