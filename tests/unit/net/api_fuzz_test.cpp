// Mutation fuzzing of the request decoding path (body parsing, depth check,
// task decoding, routing) through api::handle, with a fixed seed so that a
// failure reproduces. Under ASan/UBSan this catches memory errors and crashes;
// the assertions check that every input gets exactly one well-formed answer.
#include "fake_task_service.hpp"
#include "net/api.hpp"

#include <gtest/gtest.h>

#include <random>

namespace nzl::net {
namespace {

using nlohmann::json;

std::string mutate(std::string s, std::mt19937& rng) {
  static const char raw[] = "{}[]\":,0123456789.eE+-tfnul \\/\x00\xff\xc3\xa9"
                            "ab";
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
    case 1:
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c);
      break;
    case 2:
      if (!s.empty())
        s[at] = c;
      break;
    case 3:
      s = s.substr(0, at);
      break;
    }
  }
  return s;
}

TEST(ApiFuzzTest, EveryMutatedBodyGetsOneWellFormedAnswer) {
  testing::fake_task_service service;
  api handler{service, api_options{4, 16, 1000, "fuzz"}};
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"/v3/tasks",
       R"({"type":"echo","payload":{"a":[1,2,{"b":"c"}]},"options":{"timeout_ms":5}})"},
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
