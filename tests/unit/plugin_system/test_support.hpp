#pragma once

#include "plugins/middleware.hpp"
#include "plugins/task_handler.hpp"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace nzl::plugins::testing {

/// A handler_context that records progress and can be cancelled.
class fake_context final : public handler_context {
public:
  void progress(int percent, std::string_view stage) override {
    std::lock_guard guard{mutex_};
    progress_.emplace_back(percent, std::string{stage});
  }
  bool cancelled() const noexcept override { return cancelled_.load(); }
  std::string_view region() const noexcept override { return "eu-test"; }

  void cancel() { cancelled_.store(true); }
  std::vector<std::pair<int, std::string>> reports() {
    std::lock_guard guard{mutex_};
    return progress_;
  }

private:
  std::mutex mutex_;
  std::vector<std::pair<int, std::string>> progress_;
  std::atomic<bool> cancelled_{false};
};

/// A handler of any type name that answers {"handled_by": type, "payload": p}.
class named_handler final : public task_handler {
public:
  explicit named_handler(std::string type, bool inline_ok = true)
      : type_(std::move(type)), inline_(inline_ok) {}
  std::string_view type() const noexcept override { return type_; }
  bool runs_inline(const nlohmann::json&) const noexcept override { return inline_; }
  result<nlohmann::json> run(nlohmann::json payload, handler_context&) override {
    if (payload.is_object() && payload.value("fail", false))
      return fail(errc::task_failed, "asked to fail");
    if (payload.is_object() && payload.value("throw", false))
      throw std::runtime_error("asked to throw");
    return nlohmann::json{{"handled_by", type_}, {"payload", std::move(payload)}};
  }

private:
  std::string type_;
  bool inline_;
};

} // namespace nzl::plugins::testing
