#include "analytics/aggregator.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <tuple>

namespace nzl::analytics {

namespace {

std::uint64_t series_id(sample_kind kind, std::uint16_t type, std::uint16_t region,
                        status_class cls) {
  return std::uint64_t{type} | (std::uint64_t{region} << 16) |
         (std::uint64_t{static_cast<std::uint8_t>(cls)} << 32) |
         (std::uint64_t{static_cast<std::uint8_t>(kind)} << 40);
}

sample_kind kind_of(std::uint64_t id) {
  return static_cast<sample_kind>((id >> 40) & 0xff);
}
status_class class_of_id(std::uint64_t id) {
  return static_cast<status_class>((id >> 32) & 0xff);
}

std::uint64_t error_id(std::uint32_t code, std::uint16_t type, std::uint16_t region) {
  return std::uint64_t{code} | (std::uint64_t{type} << 16) | (std::uint64_t{region} << 32);
}

std::string code_name(std::uint32_t code) {
  if (code >= 1000)
    return "http_" + std::to_string(code - 1000);
  return std::string{to_string(static_cast<errc>(code - 1))};
}

// Finds or creates `id` in `table`, folding into `other` when the table is full.
template <class Map>
typename Map::mapped_type& slot_for(Map& table, typename Map::key_type id,
                                    typename Map::key_type other, std::size_t cap,
                                    std::uint64_t& overflow) {
  if (auto it = table.find(id); it != table.end())
    return it->second;
  if (table.size() >= cap && id != other) {
    ++overflow;
    return table[other];
  }
  return table[id];
}

} // namespace

aggregator::aggregator(const name_table& types, const name_table& regions, const name_table& keys)
    : aggregator(types, regions, keys, options{}) {}

aggregator::aggregator(const name_table& types, const name_table& regions, const name_table& keys,
                       options opts)
    : types_(types), regions_(regions), keys_table_(keys), opts_(opts) {}

void aggregator::add(const sample& s, std::int64_t now_ms) {
  ++samples_;
  const std::int64_t at = s.at_ms > 0 ? s.at_ms : now_ms;
  if (first_sample_ms_ == 0 || at < first_sample_ms_)
    first_sample_ms_ = at;
  const auto cls = class_of(s.status);
  auto& st = slot_for(series_, series_id(s.kind, s.type_id, s.region_id, cls),
                      series_id(s.kind, 0, 0, cls), opts_.max_series, overflow_);
  const bool in_time = st.window.add(at, [&](series_cell& c) {
    c.hist.record(s.latency_us);
    c.use.add(s);
  });
  if (!in_time)
    ++late_;
  st.total.hist.record(s.latency_us);
  st.total.use.add(s);

  if (s.key_id != 0) {
    // A key's requests are its HTTP requests and WebSocket messages; the task
    // a request ran is the same request again, so a task sample only adds
    // its durable (queue-object) work. Otherwise a key that runs tasks counts
    // twice and its refused share reads low.
    const bool request = s.kind != sample_kind::task;
    if (request || (s.flags & flag_durable) != 0) {
      auto& k = slot_for(keys_, s.key_id, std::uint16_t{0}, opts_.max_keys, overflow_);
      (void)k.add(at, [&](usage& u) {
        if (request)
          u.add(s);
        else
          ++u.durable;
      });
    }
  }
  if (cls != status_class::ok) {
    const std::uint32_t code = s.error_code != 0 ? s.error_code : 1000u + s.status;
    auto& e = slot_for(errors_, error_id(code, s.type_id, s.region_id), error_id(code, 0, 0),
                       opts_.max_error_clusters, overflow_);
    (void)e.add(at, [&](usage& u) { u.add(s); });
  }
}

std::size_t aggregator::drain(recorder& rec, std::int64_t now_ms) {
  drain_buffer_.clear();
  const auto n = rec.drain(drain_buffer_);
  for (const auto& s : drain_buffer_)
    add(s, now_ms);
  // Keep the buffer's capacity for the next drain, but not after a burst.
  if (drain_buffer_.capacity() > 65'536)
    std::vector<sample>{}.swap(drain_buffer_);
  return n;
}

std::vector<series_snapshot> aggregator::snapshot(std::int64_t window_ms,
                                                  std::int64_t now_ms) const {
  std::vector<series_snapshot> out;
  for (const auto& [id, st] : series_) {
    auto cell = st.window.query(window_ms, now_ms);
    if (cell.use.count == 0)
      continue;
    out.push_back(series_snapshot{kind_of(id),
                                  std::string{types_.name(static_cast<std::uint16_t>(id))},
                                  std::string{regions_.name(static_cast<std::uint16_t>(id >> 16))},
                                  class_of_id(id), std::move(cell.hist), cell.use});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.kind, a.type, a.region, a.cls) < std::tie(b.kind, b.type, b.region, b.cls);
  });
  return out;
}

nlohmann::json aggregator::query(std::int64_t window_ms, unsigned group_by, std::int64_t now_ms,
                                 std::optional<sample_kind> kind) const {
  auto series = snapshot(window_ms, now_ms);
  if (kind)
    series = only_kind(std::move(series), *kind);
  return query_json(summarize(series, group_by), window_ms, "node", now_ms);
}

nlohmann::json aggregator::export_series(std::int64_t window_ms, std::int64_t now_ms) const {
  return export_json(snapshot(window_ms, now_ms), window_ms);
}

std::vector<series_snapshot> aggregator::lifetime() const {
  std::vector<series_snapshot> out;
  for (const auto& [id, st] : series_)
    out.push_back(series_snapshot{kind_of(id),
                                  std::string{types_.name(static_cast<std::uint16_t>(id))},
                                  std::string{regions_.name(static_cast<std::uint16_t>(id >> 16))},
                                  class_of_id(id), st.total.hist, st.total.use});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.kind, a.type, a.region, a.cls) < std::tie(b.kind, b.type, b.region, b.cls);
  });
  return out;
}

std::vector<aggregator::key_usage> aggregator::keys(std::int64_t window_ms,
                                                    std::int64_t now_ms) const {
  std::vector<key_usage> out;
  for (const auto& [id, w] : keys_) {
    auto u = w.query(window_ms, now_ms);
    if (u.count > 0)
      out.push_back(key_usage{std::string{keys_table_.name(id)}, u});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.use.count != b.use.count ? a.use.count > b.use.count : a.key < b.key;
  });
  return out;
}

std::vector<aggregator::error_cluster> aggregator::errors(std::int64_t window_ms,
                                                          std::int64_t now_ms) const {
  std::vector<error_cluster> out;
  for (const auto& [id, w] : errors_) {
    auto u = w.query(window_ms, now_ms);
    if (u.count == 0)
      continue;
    out.push_back(error_cluster{code_name(static_cast<std::uint32_t>(id & 0xffff)),
                                std::string{types_.name(static_cast<std::uint16_t>(id >> 16))},
                                std::string{regions_.name(static_cast<std::uint16_t>(id >> 32))},
                                u.count});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.count != b.count
               ? a.count > b.count
               : std::tie(a.code, a.type, a.region) < std::tie(b.code, b.type, b.region);
  });
  return out;
}

std::vector<aggregator::point> aggregator::timeline(std::string_view type, std::string_view region,
                                                    std::int64_t window_ms, std::int64_t now_ms,
                                                    std::size_t tier,
                                                    std::optional<sample_kind> kind) const {
  const auto t = tier < tiers.size() ? tier : tier_for(window_ms);
  const auto& spec = tiers[t];
  const std::int64_t now_epoch = now_ms / spec.slot_ms;
  std::int64_t n = (window_ms + spec.slot_ms - 1) / spec.slot_ms;
  n = std::clamp<std::int64_t>(n, 1, static_cast<std::int64_t>(spec.slots));
  std::vector<point> out(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    out[static_cast<std::size_t>(i)].start_ms = (now_epoch - n + 1 + i) * spec.slot_ms;
  const auto type_id = type.empty() ? 0 : types_.find(type);
  const auto region_id = region.empty() ? 0 : regions_.find(region);
  if ((!type.empty() && type_id == 0) || (!region.empty() && region_id == 0))
    return out;
  for (const auto& [id, st] : series_) {
    if ((!type.empty() && static_cast<std::uint16_t>(id) != type_id) ||
        (!region.empty() && static_cast<std::uint16_t>(id >> 16) != region_id) ||
        (kind && kind_of(id) != *kind))
      continue;
    st.window.for_each_slot_in_tier(t, window_ms, now_ms,
                                    [&](std::int64_t start, const series_cell& c) {
                                      const auto i = (start / spec.slot_ms) - (now_epoch - n + 1);
                                      if (i < 0 || i >= n)
                                        return;
                                      auto& p = out[static_cast<std::size_t>(i)];
                                      p.hist.merge(c.hist);
                                      p.use.merge(c.use);
                                    });
  }
  return out;
}

void aggregator::prune(std::int64_t now_ms) {
  std::erase_if(series_, [&](const auto& e) { return e.second.window.idle(now_ms); });
  std::erase_if(keys_, [&](const auto& e) { return e.second.idle(now_ms); });
  std::erase_if(errors_, [&](const auto& e) { return e.second.idle(now_ms); });
}

std::size_t aggregator::memory_bytes() const noexcept {
  std::size_t bytes = sizeof(*this) + drain_buffer_.capacity() * sizeof(sample);
  constexpr std::size_t node_overhead = 32; // unordered_map node and bucket pointer
  for (const auto& [id, st] : series_) {
    bytes += sizeof(st) + node_overhead + st.total.hist.memory_bytes() - sizeof(latency_histogram);
    st.window.for_each_cell([&](const series_cell& c) {
      bytes += sizeof(std::int64_t) + sizeof(series_cell) + c.hist.memory_bytes() -
               sizeof(latency_histogram);
    });
  }
  const std::size_t usage_window =
      (tiers[0].slots + tiers[1].slots + tiers[2].slots) * (sizeof(std::int64_t) + sizeof(usage));
  bytes += (keys_.size() + errors_.size()) *
           (sizeof(sliding_window<usage>) + node_overhead + usage_window);
  return bytes;
}

} // namespace nzl::analytics
