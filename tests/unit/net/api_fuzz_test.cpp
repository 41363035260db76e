// Mutation fuzzing of the request decoding path (body parsing, depth check,
// task decoding, routing) through api::handle, with a fixed seed so that a
// failure reproduces. Under ASan/UBSan this catches memory errors and crashes;
// the assertions check that every input gets exactly one well-formed answer.
#include <random>

#include <gtest/gtest.h>

#include "net/api.hpp"

namespace nzl::net {
namespace {

using nlohmann::json;

class echo_service : public task_service {
public:
  void run(task_request request, outcome_handler done) override {
    task_outcome out;
    out.id = request.id;
    out.type = request.type;
    out.value = std::move(request.payload);
    done(std::move(out));
  }
  void run_batch(std::vector<task_request> requests, batch_handler done) override {
    std::vector<task_outcome> outs;
    for (auto& r : requests)
      run(std::move(r), [&](task_outcome o) { outs.push_back(std::move(o)); });
    done(std::move(outs));
  }
  void enqueue(task_request, json_handler done) override { done(fail(errc::internal, "stub")); }
  void get_task(std::string, json_handler done) override { done(fail(errc::not_found, "stub")); }
  void cancel_task(std::string, json_handler done) override { done(fail(errc::not_found, "stub")); }
  void retry_task(std::string, json_handler done) override { done(fail(errc::not_found, "stub")); }
  void queue_stats(std::string, json_handler done) override { done(fail(errc::not_found, "stub")); }
  void idempotency_begin(std::string, std::string, idempotency_handler done) override {
    done(idempotency_verdict::proceed, {});
  }
  void idempotency_finish(std::string, std::optional<http_response>, std::function<void()> done) override {
    done();
  }
  bool ready() const noexcept override { return true; }
  std::string_view region() const noexcept override { return "fuzz"; }
};

std::string mutate(std::string s, std::mt19937& rng) {
  static const char raw[] = "{}[]\":,0123456789.eE+-tfnul \\/\x00\xff\xc3\xa9" "ab";
  static const std::string alphabet{raw, sizeof(raw) - 1}; // keeps the NUL
  std::uniform_int_distribution<int> op(0, 3);
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    std::size_t at = s.empty() ? 0 : rng() % s.size();
    char c = alphabet[rng() % alphabet.size()];
    switch (op(rng)) {
      case 0:
        if (!s.empty())
          s.erase(at, 1);
        break;
      case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c); break;
      case 2:
        if (!s.empty())
          s[at] = c;
        break;
      case 3: s = s.substr(0, at); break;
    }
  }
  return s;
}

TEST(ApiFuzzTest, EveryMutatedBodyGetsOneWellFormedAnswer) {
  echo_service service;
  api handler{service, api_options{4, 16, 1000, "fuzz"}};
  const std::vector<std::pair<std::string, std::string>> seeds = {
    {"/v3/tasks", R"({"type":"echo","payload":{"a":[1,2,{"b":"c"}]},"options":{"timeout_ms":5}})"},
    {"/v3/tasks/batch", R"({"tasks":[{"type":"echo","payload":1},{"type":"x"}]})"},
    {"/api/delegate", R"({"task_type":"echo","task_data":{"k":"v"}})"},
  };
  std::mt19937 rng{20261128};
  for (int i = 0; i < 6000; ++i) {
    const auto& [target, seed] = seeds[static_cast<std::size_t>(i) % seeds.size()];
    http_request req;
    req.method = http_method::post;
    req.target = target;
    req.content_type = "application/json";
    req.body = mutate(seed, rng);
    req.request_id = "fuzz";
    int answers = 0;
    http_response res;
    handler.handle(std::move(req), [&](http_response r) {
      ++answers;
      res = std::move(r);
    });
    ASSERT_EQ(answers, 1);
    ASSERT_TRUE(res.status == 200 || res.status == 400 || res.status == 413 || res.status == 422)
      << res.status << " " << res.body;
    auto doc = json::parse(res.body, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << res.body;
    if (res.status != 200) {
      EXPECT_EQ(res.content_type, "application/problem+json");
      EXPECT_TRUE(doc.contains("type") && doc.contains("title") && doc.contains("detail"));
    }
  }
}

} // namespace
} // namespace nzl::net
