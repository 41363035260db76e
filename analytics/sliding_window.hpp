#pragma once

#include "core/result.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nzl::analytics {

// Sliding windows as rings of per-interval slots, three tiers of them:
//
//   tier  slot    slots  span    serves windows
//   0     5 s     60     5 min   up to 5 min (1m, 5m)
//   1     1 min   60     1 h     up to 1 h
//   2     15 min  96     24 h    up to 24 h
//
// Slots are aligned on the epoch (slot number = at_ms / slot_ms), so every
// node cuts time the same way and slots from different nodes line up. Every
// sample goes into one slot of each tier. A query for a window takes the
// finest tier whose span covers it and merges the last ceil(window / slot)
// slots, the current (partial) one included; so a "1m" answer covers between
// 55 and 60 s of complete slots plus the running one. A slot is reused when
// time comes round to it again; a sample older than the slot now in its place
// is dropped. Memory is fixed at 216 cells per window plus what the cells hold
// (see docs/analytics.md for the measured bytes per series).
//
// `Cell` is a value with `merge(const Cell&)`; a default-constructed Cell is
// empty. A plain class, no clock of its own (times are passed in); not
// thread-safe.

struct tier_spec {
  std::int64_t slot_ms;
  std::size_t slots;
};

inline constexpr std::array<tier_spec, 3> tiers{{{5'000, 60}, {60'000, 60}, {900'000, 96}}};

/// The longest window a query may ask for (24 h).
inline constexpr std::int64_t max_window_ms = 24 * 3'600'000;

/// Parses a window: a positive integer followed by `s`, `m` or `h` ("30s",
/// "5m", "1h", "24h"), at most 24 h. `errc::invalid_field` otherwise.
[[nodiscard]] result<std::int64_t> parse_window(std::string_view text);

/// Text of a window in ms: "5m", "1h", "90s".
[[nodiscard]] std::string window_text(std::int64_t window_ms);

/// The tier a window is answered from (its index into `tiers`).
[[nodiscard]] std::size_t tier_for(std::int64_t window_ms) noexcept;

template <class Cell> class sliding_window {
public:
  sliding_window() {
    for (std::size_t t = 0; t < tiers.size(); ++t)
      rings_[t].resize(tiers[t].slots);
  }

  /// Applies `update(Cell&)` to the cell of `at_ms` in every tier. Returns
  /// false (and changes nothing in that tier) when `at_ms` is older than the
  /// slot that now occupies its place.
  template <class F> bool add(std::int64_t at_ms, F&& update) {
    bool all = true;
    for (std::size_t t = 0; t < tiers.size(); ++t) {
      const std::int64_t epoch = at_ms / tiers[t].slot_ms;
      auto& s = rings_[t][static_cast<std::size_t>(epoch) % tiers[t].slots];
      if (s.epoch > epoch) {
        all = false;
        continue;
      }
      if (s.epoch < epoch) {
        s.epoch = epoch;
        s.cell = Cell{};
      }
      update(s.cell);
    }
    return all;
  }

  /// Merges the cells of the last `window_ms` (see the class comment) into one.
  [[nodiscard]] Cell query(std::int64_t window_ms, std::int64_t now_ms) const {
    Cell out{};
    for_each_slot(window_ms, now_ms, [&](std::int64_t, const Cell& c) { out.merge(c); });
    return out;
  }

  /// Calls `f(slot_start_ms, const Cell&)` for each live slot of the window's
  /// tier, oldest first (slots nobody wrote to are skipped).
  template <class F> void for_each_slot(std::int64_t window_ms, std::int64_t now_ms, F&& f) const {
    const auto t = tier_for(window_ms);
    for_each_slot_in_tier(t, window_ms, now_ms, f);
  }

  /// As for_each_slot, from tier `t` explicitly.
  template <class F>
  void for_each_slot_in_tier(std::size_t t, std::int64_t window_ms, std::int64_t now_ms,
                             F&& f) const {
    const auto& spec = tiers[t];
    const std::int64_t now_epoch = now_ms / spec.slot_ms;
    std::int64_t n = (window_ms + spec.slot_ms - 1) / spec.slot_ms;
    n = std::max<std::int64_t>(1, std::min<std::int64_t>(n, static_cast<std::int64_t>(spec.slots)));
    for (std::int64_t e = now_epoch - n + 1; e <= now_epoch; ++e) {
      if (e < 0)
        continue;
      const auto& s = rings_[t][static_cast<std::size_t>(e) % spec.slots];
      if (s.epoch == e)
        f(e * spec.slot_ms, s.cell);
    }
  }

  /// Calls `f(const Cell&)` for every slot of every tier (memory accounting).
  template <class F> void for_each_cell(F&& f) const {
    for (const auto& ring : rings_)
      for (const auto& s : ring)
        f(s.cell);
  }

  /// True when no slot of the longest tier holds anything newer than
  /// `now_ms - max_window_ms`: the series may be dropped.
  [[nodiscard]] bool idle(std::int64_t now_ms) const noexcept {
    const auto& last = tiers.back();
    const std::int64_t oldest = (now_ms - max_window_ms) / last.slot_ms;
    for (const auto& s : rings_.back())
      if (s.epoch >= oldest)
        return false;
    return true;
  }

private:
  struct slot {
    std::int64_t epoch = -1;
    Cell cell{};
  };
  std::array<std::vector<slot>, tiers.size()> rings_;
};

} // namespace nzl::analytics
