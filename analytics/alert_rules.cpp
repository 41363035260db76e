#include "analytics/alert_rules.hpp"

#include "analytics/sliding_window.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace nzl::analytics {

std::string_view to_string(alert_kind k) noexcept {
  switch (k) {
  case alert_kind::p95_over:
    return "p95_over";
  case alert_kind::error_rate_over:
    return "error_rate_over";
  case alert_kind::region_down:
    return "region_down";
  }
  return "p95_over";
}

result<alert_rule> alert_rule_from_json(const nlohmann::json& j) {
  auto bad = [](const std::string& field, const std::string& what) {
    return fail(errc::invalid_field, "alert rule: " + field + " " + what, {{"field", field}});
  };
  if (!j.is_object())
    return bad("rule", "must be an object");
  static const std::set<std::string> known{"name",   "kind", "threshold_ms", "threshold", "for",
                                           "window", "type", "region",       "min_count"};
  for (const auto& [k, v] : j.items())
    if (!known.contains(k))
      return bad(k, "is not a known field");
  alert_rule r;
  auto str = [&](const char* f, std::string& out, std::size_t max) -> bool {
    auto it = j.find(f);
    if (it == j.end())
      return true;
    if (!it->is_string() || it->get_ref<const std::string&>().size() > max)
      return false;
    out = it->get<std::string>();
    return true;
  };
  if (!str("name", r.name, 64) || r.name.empty())
    return bad("name", "must be 1..64 characters");
  if (!str("type", r.type, max_name_length))
    return bad("type", "must be a string of at most 47 characters");
  if (!str("region", r.region, max_name_length))
    return bad("region", "must be a string of at most 47 characters");
  std::string kind;
  if (!str("kind", kind, 32))
    return bad("kind", "must be a string");
  if (kind == "p95_over")
    r.kind = alert_kind::p95_over;
  else if (kind == "error_rate_over")
    r.kind = alert_kind::error_rate_over;
  else if (kind == "region_down")
    r.kind = alert_kind::region_down;
  else
    return bad("kind", "must be p95_over, error_rate_over or region_down");
  auto number = [&](const char* f, double lo, double hi) -> std::optional<double> {
    auto it = j.find(f);
    if (it == j.end() || !it->is_number() || !std::isfinite(it->get<double>()) ||
        it->get<double>() < lo || it->get<double>() > hi)
      return std::nullopt;
    return it->get<double>();
  };
  if (r.kind == alert_kind::p95_over) {
    auto t = number("threshold_ms", 0, 86'400'000);
    if (!t)
      return bad("threshold_ms", "must be a number of ms (0..86400000)");
    r.threshold = *t;
  } else if (r.kind == alert_kind::error_rate_over) {
    auto t = number("threshold", 0, 1);
    if (!t)
      return bad("threshold", "must be a fraction 0..1");
    r.threshold = *t;
  } else if (r.region.empty()) {
    return bad("region", "is required for region_down");
  }
  for (const auto& [field, out] :
       {std::pair<const char*, std::int64_t*>{"for", &r.for_ms}, {"window", &r.window_ms}}) {
    auto it = j.find(field);
    if (it == j.end())
      continue;
    if (!it->is_string())
      return bad(field, "must be like 30s, 5m or 1h");
    if (std::string_view{field} == "for" && it->get<std::string>() == "0s") {
      *out = 0;
      continue;
    }
    auto w = parse_window(it->get<std::string>());
    if (!w)
      return bad(field, "must be like 30s, 5m or 1h (at most 24h)");
    *out = *w;
  }
  if (auto it = j.find("min_count"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > 1'000'000'000)
      return bad("min_count", "must be a non-negative integer");
    r.min_count = it->get<std::uint64_t>();
  }
  return r;
}

result<std::vector<alert_rule>> alert_rules_from_json(const nlohmann::json& j) {
  if (!j.is_array() || j.size() > 100)
    return fail(errc::invalid_field, "analytics.alerts must be an array of at most 100 rules",
                {{"field", "analytics.alerts"}});
  std::vector<alert_rule> out;
  std::set<std::string> names;
  for (const auto& e : j) {
    auto r = alert_rule_from_json(e);
    if (!r)
      return std::move(r).err();
    if (!names.insert(r->name).second)
      return fail(errc::invalid_field, "alert rule names must be unique",
                  {{"field", "analytics.alerts"}});
    out.push_back(std::move(*r));
  }
  return out;
}

nlohmann::json to_json(const alert_event& e) {
  return {{"rule", e.rule},
          {"kind", to_string(e.kind)},
          {"state", e.firing ? "firing" : "resolved"},
          {"value", e.has_value ? nlohmann::json(e.value) : nlohmann::json(nullptr)},
          {"threshold", e.threshold},
          {"type", e.type},
          {"region", e.region},
          {"since", rfc3339(e.since_ms)},
          {"at", rfc3339(e.at_ms)}};
}

alert_engine::alert_engine(std::vector<alert_rule> rules)
    : rules_(std::move(rules)), states_(rules_.size()) {}

std::vector<alert_event> alert_engine::evaluate(const aggregator& agg,
                                                const std::vector<std::string>& regions_down,
                                                std::int64_t now_ms) {
  std::vector<std::optional<double>> values(rules_.size());
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& r = rules_[i];
    if (r.kind == alert_kind::region_down) {
      values[i] =
          std::find(regions_down.begin(), regions_down.end(), r.region) != regions_down.end() ? 1.0
                                                                                              : 0.0;
      continue;
    }
    const auto g = summarize_matching(
        only_kind(agg.snapshot(r.window_ms, now_ms), sample_kind::task), r.type, r.region);
    if (g.use.count == 0 || g.use.count < r.min_count)
      continue;
    values[i] =
        r.kind == alert_kind::p95_over ? g.hist.percentile(95) / 1000.0 : g.use.error_rate();
  }
  return step(values, now_ms);
}

std::vector<alert_event> alert_engine::step(const std::vector<std::optional<double>>& values,
                                            std::int64_t now_ms) {
  std::vector<alert_event> events;
  for (std::size_t i = 0; i < rules_.size() && i < values.size(); ++i) {
    const auto& r = rules_[i];
    auto& s = states_[i];
    const bool holds =
        values[i].has_value() &&
        (r.kind == alert_kind::region_down ? *values[i] > 0 : *values[i] > r.threshold);
    auto event = [&](bool firing) {
      return alert_event{r.name, r.kind,   firing,     s.value, r.threshold,
                         r.type, r.region, s.since_ms, now_ms};
    };
    if (holds) {
      s.value = *values[i];
      if (s.st == state::inactive) {
        s.st = state::pending;
        s.since_ms = now_ms;
      }
      if (s.st == state::pending && now_ms - s.since_ms >= r.for_ms) {
        s.st = state::firing;
        s.fired_ms = now_ms;
        events.push_back(event(true));
      }
    } else {
      if (s.st == state::firing) {
        if (values[i])
          s.value = *values[i];
        auto resolved = event(false);
        resolved.has_value = values[i].has_value();
        events.push_back(std::move(resolved));
      }
      s.st = state::inactive;
    }
  }
  return events;
}

std::vector<alert_event> alert_engine::firing() const {
  std::vector<alert_event> out;
  for (std::size_t i = 0; i < rules_.size(); ++i)
    if (states_[i].st == state::firing)
      out.push_back(alert_event{rules_[i].name, rules_[i].kind, true, states_[i].value,
                                rules_[i].threshold, rules_[i].type, rules_[i].region,
                                states_[i].since_ms, states_[i].fired_ms});
  return out;
}

} // namespace nzl::analytics
