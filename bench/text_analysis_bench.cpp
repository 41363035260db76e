// Texts per second of the text-analysis handler with every feature, on
// English prose of 1 KiB and 64 KiB (target: 1 KiB in <= 200 us on one core).
#include "plugins/text_analysis/text_analysis_handler.hpp"
#include "plugins/text_analysis/vader.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using nzl::plugins::text_analysis::text_analysis_handler;

class null_context : public nzl::plugins::handler_context {
public:
  void progress(int, std::string_view) override {}
  bool cancelled() const noexcept override { return false; }
  std::string_view region() const noexcept override { return "bench"; }
};

// Varied English prose, repeated and cut at a word boundary to `bytes`.
std::string english_text(std::size_t bytes) {
  static const std::string paragraph =
      "The new library opened on Monday and the whole town came to see it. Children loved the "
      "bright reading room, and the staff were friendly and remarkably helpful. Sadly, the "
      "parking was terrible, and several visitors complained about the long queue at the "
      "entrance. The mayor said the building was a wonderful investment in the community's "
      "future, but critics argued that the budget could have been spent on repairing roads. "
      "Overall, most people agreed it was a good day!\n\n";
  std::string text;
  while (text.size() < bytes)
    text += paragraph;
  text.resize(bytes);
  if (auto sp = text.rfind(' '); sp != std::string::npos)
    text.resize(sp);
  return text;
}

void run_all_features(benchmark::State& state) {
  text_analysis_handler handler;
  null_context ctx;
  const nlohmann::json payload = {{"text", english_text(static_cast<std::size_t>(state.range(0)))}};
  for (auto _ : state) {
    auto out = handler.run(payload, ctx);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetLabel("texts/s = items_per_second");
}
BENCHMARK(run_all_features)->Arg(1024)->Arg(64 * 1024)->Unit(benchmark::kMicrosecond);

void vader_one_sentence(benchmark::State& state) {
  const std::string sentence = "The food was good, but the service was horrible.";
  for (auto _ : state)
    benchmark::DoNotOptimize(nzl::plugins::text_analysis::vader_polarity(sentence));
}
BENCHMARK(vader_one_sentence);

} // namespace

BENCHMARK_MAIN();
