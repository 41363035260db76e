// Feeds peers' analytics exports to analytics::import_json. The first byte
// chooses the input: the rest of the bytes as JSON text, or a genuine export
// (two series with real histograms) whose bytes the rest overwrites in
// (position, byte) pairs, so that the checks behind the envelope (names,
// classes, histogram buckets, usage counters) are reached too. Whatever
// imports must merge and summarize, and export and import again alike.
#include "analytics/summary.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

using namespace nzl::analytics;

std::string genuine_export() {
  std::vector<series_snapshot> series(2);
  series[0].kind = sample_kind::task;
  series[0].type = "echo";
  series[0].region = "eu-west";
  series[1].kind = sample_kind::http;
  series[1].type = "tasks_run";
  series[1].region = "us-east";
  series[1].cls = status_class::server_error;
  for (std::uint64_t v : {1u, 31u, 32u, 1000u, 65'000u, 4'000'000u}) {
    series[0].hist.record(v);
    series[1].hist.record(v * 3, 2);
  }
  series[0].use.count = 6;
  series[1].use.count = 12;
  series[1].use.server_errors = 12;
  return export_json(series, 300'000).dump();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string genuine = genuine_export();
  if (size == 0)
    return 0;
  std::string text;
  if (data[0] % 2 == 0) {
    text.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    text = genuine;
    for (std::size_t i = 1; i + 1 < size; i += 2)
      text[data[i] * 7919u % text.size()] = static_cast<char>(data[i + 1]);
  }
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return 0;
  auto imported = import_json(doc);
  if (!imported)
    return 0;
  for (unsigned group = 0; group <= (group_type | group_region | group_kind); ++group)
    (void)summarize(*imported, group);
  auto again = import_json(export_json(*imported, 300'000));
  if (!again || again->size() != imported->size())
    std::abort(); // an accepted export must survive its own round trip
  return 0;
}
