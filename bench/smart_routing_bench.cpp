// Cost of one smart-routing decision (choose + decide + the answer as
// JSON), through the handler as the node runs it, for several payload
// shapes. The payloads are built once; the decision never copies them.
#include "plugins/smart_routing/routing_handlers.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using nlohmann::json;
namespace sr = nzl::plugins::smart_routing;

class null_context : public nzl::plugins::handler_context {
public:
  void progress(int, std::string_view) override {}
  bool cancelled() const noexcept override { return false; }
  std::string_view region() const noexcept override { return "eu-west"; }
};

class null_handler final : public nzl::plugins::task_handler {
public:
  std::string_view type() const noexcept override { return "any"; }
  nzl::result<json> run(json payload, nzl::plugins::handler_context&) override { return payload; }
};

json payload_for(int shape) {
  switch (shape) {
  case 0:
    return json{{"x", 1}};
  case 1:
    return json{{"text", std::string(2000, 'a')}};
  case 2:
    return json{{"text", std::string(8 << 20, 'a')}};
  case 3:
    return json{{"image", "iVBORw0KGgo" + std::string(1 << 20, 'A')}};
  case 4: {
    json endpoints = json::array();
    for (int i = 0; i < 50; ++i)
      endpoints.push_back({{"url", "https://example.com/" + std::to_string(i)},
                           {"timeout_ms", 2000},
                           {"expect_status", 200}});
    return json{{"endpoints", endpoints}, {"concurrency", 8}};
  }
  case 5: {
    json data = json::array();
    for (int i = 0; i < 10'000; ++i)
      data.push_back({{"id", i}, {"name", "item"}, {"tags", {"a", "b"}}});
    return json{{"schema", {{"type", "array"}}}, {"data", data}};
  }
  default: {
    json deep = 1;
    for (int i = 0; i < 200; ++i)
      deep = json{{"n", deep}};
    return deep;
  }
  }
}

const char* shape_name(int shape) {
  static const char* names[] = {"tiny_echo",      "text_2KB",         "text_8MB",
                                "image_1MB",      "api_50_endpoints", "validator_10k_items",
                                "nested_200_deep"};
  return names[shape];
}

void decision(benchmark::State& state) {
  auto shape = static_cast<int>(state.range(0));
  state.SetLabel(shape_name(shape));
  auto payload = payload_for(shape);
  null_handler any;
  sr::routing_dependencies deps;
  deps.find_handler = [&any](std::string_view) -> nzl::plugins::task_handler* {
    return &any;
  };
  deps.recent_p95_ms = [](std::string_view) -> std::optional<double> {
    return 12.5;
  };
  sr::classifier c{deps.options};
  null_context ctx;
  for (auto _ : state) {
    auto d = sr::route(c, deps, payload);
    auto j = sr::to_json(d, ctx.region());
    benchmark::DoNotOptimize(j);
  }
}
BENCHMARK(decision)->DenseRange(0, 6);

void choose_only(benchmark::State& state) {
  auto shape = static_cast<int>(state.range(0));
  state.SetLabel(shape_name(shape));
  auto payload = payload_for(shape);
  sr::classifier c;
  for (auto _ : state) {
    auto choice = c.choose(payload);
    benchmark::DoNotOptimize(choice);
  }
}
BENCHMARK(choose_only)->DenseRange(0, 6);

} // namespace

BENCHMARK_MAIN();
