#pragma once

#include "net/task_service.hpp"

#include <map>

namespace nzl::net::testing {

/// A task_service that answers inline: "echo" returns the payload, "boom"
/// fails, anything else is unknown; enqueue answers like a queue would;
/// Idempotency-Keys are kept in a map (no waiting: tests are sequential).
class fake_task_service : public task_service {
public:
  void run(task_request request, outcome_handler done) override {
    ++runs;
    last_timeout = request.options.timeout_ms.value_or(0);
    task_outcome out;
    out.id = request.id;
    out.type = request.type;
    out.region = "test-region";
    if (request.type == "echo")
      out.value = std::move(request.payload);
    else if (request.type == "boom")
      out.value = fail(errc::task_failed, "boom");
    else
      out.value = fail(errc::unknown_task_type, "unknown", {{"known_types", {"echo", "boom"}}});
    done(std::move(out));
  }
  void run_batch(std::vector<task_request> requests, batch_handler done) override {
    std::vector<task_outcome> outs;
    for (auto& r : requests)
      run(std::move(r), [&](task_outcome o) { outs.push_back(std::move(o)); });
    done(std::move(outs));
  }
  void enqueue(task_request request, json_handler done) override {
    ++runs;
    done(
        nlohmann::json{{"id", request.id}, {"status", "queued"}, {"queue", request.options.queue}});
  }
  void get_task(std::string id, json_handler done) override {
    done(fail(errc::not_found, "no task " + id));
  }
  void cancel_task(std::string id, json_handler done) override {
    done(fail(errc::not_found, "no task " + id));
  }
  void retry_task(std::string id, json_handler done) override {
    done(fail(errc::not_found, "no task " + id));
  }
  void queue_stats(std::string name, json_handler done) override {
    done(nlohmann::json{{"name", name}});
  }
  void idempotency_begin(std::string key, std::string fingerprint,
                         idempotency_handler done) override {
    if (keeper_unreachable)
      return done(idempotency_verdict::unavailable, {});
    auto it = keys.find(key);
    if (it == keys.end()) {
      keys[key] = {fingerprint, std::nullopt};
      return done(idempotency_verdict::proceed, {});
    }
    if (it->second.first != fingerprint)
      return done(idempotency_verdict::mismatch, {});
    if (!it->second.second)
      return done(idempotency_verdict::busy, {});
    auto replay = *it->second.second;
    replay.headers.emplace_back("Idempotent-Replayed", "true");
    done(idempotency_verdict::replay, std::move(replay));
  }
  void idempotency_finish(std::string key, std::optional<http_response> response,
                          std::function<void()> done) override {
    if (response)
      keys[key].second = std::move(response);
    else
      keys.erase(key);
    done();
  }
  bool ready() const noexcept override { return is_ready; }
  std::string_view region() const noexcept override { return "test-region"; }

  bool is_ready = true;
  bool keeper_unreachable = false; ///< as a cluster whose key keeper did not answer
  int runs = 0;
  std::uint32_t last_timeout = 0;
  std::map<std::string, std::pair<std::string, std::optional<http_response>>> keys;
};

} // namespace nzl::net::testing
