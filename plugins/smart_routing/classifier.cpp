// Complexity-based routing. Design:
// - Two pure steps: choose() looks at the payload's top-level fields and a
//   bounded sample of its values (at most max_nodes, read through const
//   references: nothing is copied), decide() turns that shape plus the
//   handler's recent p95 into complexity, priority and mode.
// - Bounded cost: strings are measured by size(), containers by size(); the
//   walk visits at most max_nodes values and extrapolates the rest from the
//   container sizes it has read. An image field has only its first 16
//   characters decoded (enough for every signature we know).
// - The rules and their constants are documented in docs/smart-routing.md;
//   changing one here means changing it there.
#include "plugins/smart_routing/classifier.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace nzl::plugins::smart_routing {

using nlohmann::json;

namespace {

constexpr double kib = 1024.0;
constexpr double mib = 1024.0 * 1024.0;
// api-tester defaults, as in plugins/api_tester (kept here as numbers so
// this library needs nothing but nzl_plugins).
constexpr std::size_t api_default_concurrency = 4;
constexpr std::size_t api_max_concurrency = 16;
constexpr double api_default_timeout_ms = 5'000;
constexpr double api_typical_check_ms = 300;
constexpr std::size_t api_endpoints_sampled = 64;

std::string number(double v, int decimals = 1) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
  return buf.data();
}

std::string human_bytes(double bytes) {
  if (bytes < kib)
    return number(bytes, 0) + " B";
  if (bytes < mib)
    return number(bytes / kib) + " KiB";
  return number(bytes / mib) + " MiB";
}

// Bounded walk: visits at most `cap` values; container sizes of visited
// containers are known exactly, so unvisited values are counted, and their
// bytes extrapolated from the average of the visited ones.
void measure(const json& root, std::size_t cap, payload_shape& shape) {
  struct item {
    const json* value;
    std::size_t depth;
  };
  std::array<item, 64> stack_storage{};
  std::size_t top = 0;
  std::size_t visited = 0;
  std::size_t known = 1; // values known to exist (root + sizes of visited containers)
  double bytes = 0;
  stack_storage[top++] = {&root, 1};
  while (top > 0 && visited < cap) {
    auto [v, depth] = stack_storage[--top];
    ++visited;
    shape.depth = std::max(shape.depth, depth);
    switch (v->type()) {
    case json::value_t::string:
      bytes += static_cast<double>(v->get_ref<const json::string_t&>().size()) + 2;
      break;
    case json::value_t::object:
      bytes += 2;
      known += v->size();
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (top == stack_storage.size())
          break;
        bytes += static_cast<double>(it.key().size()) + 4;
        stack_storage[top++] = {&it.value(), depth + 1};
      }
      break;
    case json::value_t::array:
      bytes += 2;
      known += v->size();
      for (const auto& element : *v) {
        bytes += 1;
        if (top == stack_storage.size())
          break;
        stack_storage[top++] = {&element, depth + 1};
      }
      break;
    case json::value_t::binary:
      bytes += static_cast<double>(v->get_binary().size());
      break;
    default:
      bytes += 6; // numbers, booleans, null
      break;
    }
  }
  shape.values = std::max(known, visited);
  shape.exact = visited >= shape.values;
  if (!shape.exact && visited > 0)
    bytes += bytes / static_cast<double>(visited) * static_cast<double>(shape.values - visited);
  shape.bytes = static_cast<std::size_t>(bytes);
}

// Decodes up to 12 bytes from the start of a base64 string (after an
// optional "data:...;base64," prefix).
std::size_t decode_prefix(std::string_view text, std::array<unsigned char, 12>& out) {
  if (text.starts_with("data:")) {
    auto comma = text.find(',', 0);
    if (comma == std::string_view::npos || comma > 100)
      return 0;
    text.remove_prefix(comma + 1);
  }
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (c >= '0' && c <= '9')
      return c - '0' + 52;
    if (c == '+' || c == '-')
      return 62;
    if (c == '/' || c == '_')
      return 63;
    return -1;
  };
  std::size_t n = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size() && i < 16 && n < out.size(); ++i) {
    int v = value(text[i]);
    if (v < 0)
      break;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = static_cast<unsigned char>((acc >> bits) & 0xFF);
    }
  }
  return n;
}

// The image format whose signature starts the base64 text, or empty.
std::string_view image_format(std::string_view base64) {
  std::array<unsigned char, 12> b{};
  auto n = decode_prefix(base64, b);
  auto starts = [&](std::initializer_list<unsigned char> sig, std::size_t at = 0) {
    if (n < at + sig.size())
      return false;
    return std::equal(sig.begin(), sig.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
  };
  if (starts({0xFF, 0xD8, 0xFF}))
    return "JPEG";
  if (starts({0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}))
    return "PNG";
  if (starts({'G', 'I', 'F', '8'}))
    return "GIF";
  if (starts({'R', 'I', 'F', 'F'}) && starts({'W', 'E', 'B', 'P'}, 8))
    return "WebP";
  if (starts({'I', 'I', '*', 0}) || starts({'M', 'M', 0, '*'}))
    return "TIFF";
  if (starts({'f', 't', 'y', 'p'}, 4))
    return "HEIF/AVIF";
  return {};
}

const json* field(const json& payload, const char* name) {
  if (!payload.is_object())
    return nullptr;
  auto it = payload.find(name);
  return it == payload.end() ? nullptr : &*it;
}

void choose_api_tester(const json& payload, const json& endpoints, routing_choice& out) {
  auto n = endpoints.size();
  std::size_t concurrency = api_default_concurrency;
  if (auto* c = field(payload, "concurrency"); c && c->is_number_integer())
    concurrency = static_cast<std::size_t>(std::clamp<std::int64_t>(
        c->get<std::int64_t>(), 1, static_cast<std::int64_t>(api_max_concurrency)));
  double max_timeout = 0;
  std::size_t sampled = 0;
  for (const auto& e : endpoints) {
    if (++sampled > api_endpoints_sampled)
      break;
    double t = api_default_timeout_ms;
    if (auto* tm = field(e, "timeout_ms"); tm && tm->is_number())
      t = std::clamp(tm->get<double>(), 1.0, 30'000.0);
    max_timeout = std::max(max_timeout, t);
  }
  out.handler = "api-tester";
  out.shape.units = n;
  out.shape.waves = (n + concurrency - 1) / concurrency;
  out.shape.max_timeout_ms = max_timeout;
  out.reasons.push_back("payload.endpoints lists " + std::to_string(n) + " endpoint" +
                        (n == 1 ? "" : "s") + " (concurrency " + std::to_string(concurrency) +
                        "): api-tester");
}

} // namespace

classifier::classifier(classifier_options options) : options_(options) {
  options_.max_nodes = std::max<std::size_t>(options_.max_nodes, 1);
  options_.sync_budget_ms = std::max(options_.sync_budget_ms, 1.0);
}

routing_choice classifier::choose(const json& payload) const {
  routing_choice out;
  measure(payload, options_.max_nodes, out.shape);
  auto* endpoints = field(payload, "endpoints");
  auto* schema = field(payload, "schema");
  auto* data = field(payload, "data");
  const json* image = field(payload, "image");
  const char* image_name = "image";
  if (!image || !image->is_string()) {
    image = field(payload, "image_base64");
    image_name = "image_base64";
  }
  auto* text = field(payload, "text");
  if (endpoints && endpoints->is_array() && !endpoints->empty()) {
    choose_api_tester(payload, *endpoints, out);
  } else if (schema && (schema->is_object() || schema->is_boolean()) && data) {
    out.handler = "json-validator";
    out.shape.units = out.shape.bytes;
    out.reasons.emplace_back("payload has a schema and data: json-validator");
  } else if (image && image->is_string() && !image->get_ref<const std::string&>().empty()) {
    const auto& s = image->get_ref<const std::string&>();
    auto format = image_format(s);
    out.handler = "image-metadata";
    out.shape.units = s.size() / 4 * 3;
    out.reasons.push_back("payload." + std::string{image_name} + " holds " +
                          (format.empty() ? std::string{"image"} : std::string{format}) +
                          " bytes (" + human_bytes(static_cast<double>(out.shape.units)) +
                          "): image-metadata");
  } else if (data && data->is_string() &&
             !image_format(data->get_ref<const std::string&>()).empty()) {
    const auto& s = data->get_ref<const std::string&>();
    out.handler = "image-metadata";
    out.shape.units = s.size() / 4 * 3;
    out.reasons.push_back("payload.data starts with a " + std::string{image_format(s)} +
                          " signature (" + human_bytes(static_cast<double>(out.shape.units)) +
                          "): image-metadata");
  } else if (text && text->is_string() && !text->get_ref<const std::string&>().empty()) {
    out.handler = "text-analysis";
    out.shape.units = text->get_ref<const std::string&>().size();
    out.reasons.push_back("payload.text is " + human_bytes(static_cast<double>(out.shape.units)) +
                          " of text: text-analysis");
  } else {
    out.handler = "echo";
    out.shape.units = out.shape.bytes;
    out.reasons.emplace_back("no endpoints, schema with data, image or text in the payload: echo");
  }
  out.reasons.push_back("payload ~" + human_bytes(static_cast<double>(out.shape.bytes)) + ", " +
                        std::to_string(out.shape.values) + " values, depth " +
                        std::to_string(out.shape.depth) + (out.shape.exact ? "" : " (sampled)"));
  return out;
}

double classifier::estimate_ms(std::string_view handler, const payload_shape& shape) {
  auto units = static_cast<double>(shape.units);
  if (handler == "api-tester")
    return static_cast<double>(shape.waves) * std::min(shape.max_timeout_ms, api_typical_check_ms);
  if (handler == "text-analysis")
    return 1.0 + units / mib * 50.0;
  if (handler == "image-metadata")
    return 2.0 + units / mib * 5.0;
  if (handler == "json-validator")
    return 0.5 + units / mib * 10.0;
  return 0.01 + static_cast<double>(shape.bytes) / mib * 1.0;
}

std::string_view classifier::priority_for(double complexity) noexcept {
  if (complexity < 0.35)
    return "high";
  if (complexity < 0.7)
    return "normal";
  return "low";
}

routing_decision classifier::decide(routing_choice choice, const routing_stats& stats) const {
  routing_decision out;
  out.reasons = std::move(choice.reasons);
  // A plain double (negative: unknown) rather than an optional: GCC 12
  // warns about optional<double> here in Release builds.
  double p95 = stats.p95_ms && std::isfinite(*stats.p95_ms) ? *stats.p95_ms : -1.0;
  if (!stats.available && choice.handler != "echo") {
    out.reasons.push_back(choice.handler + " is not available on this node: echo instead");
    choice.handler = "echo";
    choice.shape.units = choice.shape.bytes;
    p95 = -1.0;
  }
  out.handler = std::move(choice.handler);
  const auto& shape = choice.shape;
  double estimate = estimate_ms(out.handler, shape);
  double expected = estimate;
  if (p95 >= 0) {
    expected = std::max(estimate, p95);
    out.reasons.push_back("recent p95 of " + out.handler + ": " + number(p95) + " ms");
  } else {
    out.reasons.push_back("no recent latency for " + out.handler + ": static estimate " +
                          number(estimate, 2) + " ms");
  }
  if (out.handler == "api-tester")
    out.reasons.push_back(std::to_string(shape.waves) + " round" + (shape.waves == 1 ? "" : "s") +
                          " of checks, at worst " +
                          number(static_cast<double>(shape.waves) * shape.max_timeout_ms, 0) +
                          " ms");
  double budget = options_.sync_budget_ms;
  auto bytes = static_cast<double>(shape.bytes);
  double size_score = std::min(1.0, std::log2(1.0 + bytes / kib) / 14.0);
  double shape_score =
      std::min(1.0, std::max(std::log2(1.0 + static_cast<double>(shape.values)) / 20.0,
                             static_cast<double>(shape.depth) / 32.0));
  double time_score = std::min(1.0, std::log10(1.0 + expected) / std::log10(1.0 + budget));
  double complexity = 0.3 * size_score + 0.2 * shape_score + 0.5 * time_score;
  out.complexity = std::round(std::clamp(complexity, 0.0, 1.0) * 1000.0) / 1000.0;
  out.priority = priority_for(out.complexity);
  out.expected_ms = expected;
  out.async = expected > budget;
  out.reasons.push_back("complexity " + number(out.complexity, 3) + " (size " +
                        number(size_score, 2) + ", shape " + number(shape_score, 2) + ", time " +
                        number(time_score, 2) + "): priority " + out.priority);
  out.reasons.push_back("expected ~" + number(expected, 2) + " ms " +
                        (out.async ? "over" : "within") + " the sync budget of " +
                        number(budget, 0) + " ms: " + (out.async ? "async" : "sync"));
  return out;
}

json to_json(const routing_decision& decision, std::string_view region) {
  return json{{"handler", decision.handler},
              {"complexity", decision.complexity},
              {"priority", decision.priority},
              {"mode", decision.async ? "async" : "sync"},
              {"expected_ms", std::round(decision.expected_ms * 100.0) / 100.0},
              {"region", region},
              {"reasons", decision.reasons}};
}

} // namespace nzl::plugins::smart_routing
