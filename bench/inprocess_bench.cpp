// The in-process request path without sockets: api::handle (route, parse,
// decode, run echo, serialise) over the real node_runtime. "Inline" is the
// hot path of cheap tasks; "ViaExecutor" sends the same echo through the
// region node actor and an executor (echo with "steps": 0), so the
// difference is the cost of the actor round trip.
#include "actors/node_runtime.hpp"
#include "net/api.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <unistd.h>

namespace {

using namespace nzl;

struct fixture {
  fixture() {
    auto registry = std::make_shared<plugins::handler_registry>();
    plugins::add_builtin_handlers(*registry);
    actors::runtime_options opts;
    opts.region = "bench";
    opts.data_dir = dir;
    opts.sync_writes = false;
    runtime = std::make_unique<actors::node_runtime>(opts, registry);
    if (auto started = runtime->start(); !started) {
      std::fprintf(stderr, "cannot start: %s\n", started.err().detail.c_str());
      std::exit(1);
    }
    api = std::make_unique<net::api>(*runtime, net::api_options{});
  }
  ~fixture() {
    api.reset();
    runtime.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("nzl-inprocess-bench-" + std::to_string(::getpid()));
  std::unique_ptr<actors::node_runtime> runtime;
  std::unique_ptr<net::api> api;
};

// Built and torn down in main(), not as a function-local static: the actor
// system must stop before CAF's own globals are destroyed at exit.
fixture* current = nullptr;

fixture& shared() {
  return *current;
}

void run(benchmark::State& state, const char* body) {
  auto& f = shared();
  for (auto _ : state) {
    net::http_request req;
    req.method = net::http_method::post;
    req.target = "/v3/tasks";
    req.content_type = "application/json";
    req.body = body;
    req.request_id = "bench";
    std::promise<net::http_response> done;
    auto answer = done.get_future();
    f.api->handle(std::move(req),
                  [&done](net::http_response res) { done.set_value(std::move(res)); });
    auto res = answer.get();
    if (res.status != 200)
      state.SkipWithError("non-200 answer");
    benchmark::DoNotOptimize(res);
  }
}

void BM_EchoInline(benchmark::State& state) {
  run(state, R"({"type":"echo","payload":{"message":"hello","n":42,"tags":["a","b"]}})");
}
BENCHMARK(BM_EchoInline);

void BM_EchoViaExecutor(benchmark::State& state) {
  run(state, R"({"type":"echo","payload":{"steps":0,"message":"hello","n":42}})");
}
BENCHMARK(BM_EchoViaExecutor)->UseRealTime();

} // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  {
    fixture f;
    current = &f;
    benchmark::RunSpecifiedBenchmarks();
    current = nullptr;
  }
  benchmark::Shutdown();
  return 0;
}
