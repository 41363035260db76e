#include "analytics/latency_histogram.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>

namespace nzl::analytics {

namespace {

constexpr std::uint64_t sub_count = std::uint64_t{1} << sub_bucket_bits;

} // namespace

std::uint32_t bucket_index(std::uint64_t value_us) noexcept {
  value_us = std::min(value_us, max_trackable_us - 1);
  if (value_us < sub_count)
    return static_cast<std::uint32_t>(value_us);
  const unsigned k = 63u - static_cast<unsigned>(std::countl_zero(value_us));
  const unsigned shift = k - sub_bucket_bits;
  return static_cast<std::uint32_t>((shift + 1) * sub_count + ((value_us >> shift) - sub_count));
}

std::uint64_t bucket_lower(std::uint32_t index) noexcept {
  const std::uint64_t group = index / sub_count;
  const std::uint64_t sub = index % sub_count;
  if (group == 0)
    return sub;
  return (sub_count + sub) << (group - 1);
}

std::uint64_t bucket_width(std::uint32_t index) noexcept {
  const std::uint64_t group = index / sub_count;
  return group <= 1 ? 1 : std::uint64_t{1} << (group - 1);
}

void latency_histogram::record(std::uint64_t value_us, std::uint64_t n) {
  if (n == 0)
    return;
  value_us = std::min(value_us, max_trackable_us - 1);
  const auto index = bucket_index(value_us);
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                             [](const bucket& b, std::uint32_t i) { return b.index() < i; });
  if (it != buckets_.end() && it->index() == index)
    it->add(n);
  else
    buckets_.insert(it, bucket::make(index, n));
  min_ = count_ == 0 ? value_us : std::min(min_, value_us);
  max_ = std::max(max_, value_us);
  count_ += n;
  sum_ += value_us * n;
}

void latency_histogram::merge(const latency_histogram& other) {
  if (other.count_ == 0)
    return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  std::vector<bucket> out;
  out.reserve(buckets_.size() + other.buckets_.size());
  auto a = buckets_.begin();
  auto b = other.buckets_.begin();
  while (a != buckets_.end() || b != other.buckets_.end()) {
    if (b == other.buckets_.end() || (a != buckets_.end() && a->index() < b->index())) {
      out.push_back(*a++);
    } else if (a == buckets_.end() || b->index() < a->index()) {
      out.push_back(*b++);
    } else {
      out.push_back(bucket::make(a->index(), a->count() + b->count()));
      ++a;
      ++b;
    }
  }
  buckets_ = std::move(out);
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

double latency_histogram::percentile(double p) const noexcept {
  if (count_ == 0)
    return 0;
  if (!(p >= 0))
    p = 0;
  p = std::min(p, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (const auto& b : buckets_) {
    seen += b.count();
    if (seen >= rank) {
      const double mid = static_cast<double>(bucket_lower(b.index())) +
                         static_cast<double>(bucket_width(b.index()) - 1) / 2.0;
      return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

std::uint64_t latency_histogram::count_at_or_below(std::uint64_t value_us) const noexcept {
  std::uint64_t n = 0;
  for (const auto& b : buckets_) {
    if (bucket_lower(b.index()) + bucket_width(b.index()) - 1 > value_us)
      break;
    n += b.count();
  }
  return n;
}

double latency_histogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

std::size_t latency_histogram::memory_bytes() const noexcept {
  return sizeof(*this) + buckets_.capacity() * sizeof(bucket);
}

void latency_histogram::clear() noexcept {
  buckets_.clear();
  count_ = sum_ = min_ = max_ = 0;
}

nlohmann::json latency_histogram::to_json() const {
  auto b = nlohmann::json::array();
  for (const auto& x : buckets_)
    b.push_back(nlohmann::json::array({x.index(), x.count()}));
  return {{"s", sub_bucket_bits}, {"n", count_}, {"sum", sum_},
          {"min", min()},         {"max", max_}, {"b", std::move(b)}};
}

result<latency_histogram> latency_histogram::from_json(const nlohmann::json& j) {
  auto bad = [](const char* what) {
    return fail(errc::invalid_field, std::string{"histogram: "} + what);
  };
  if (!j.is_object())
    return bad("not an object");
  for (const char* f : {"s", "n", "sum", "min", "max"})
    if (!j.contains(f) || !j[f].is_number_unsigned())
      return bad("missing or non-integer count field");
  if (j["s"].get<std::uint64_t>() != sub_bucket_bits)
    return bad("different resolution");
  if (!j.contains("b") || !j["b"].is_array() || j["b"].size() > bucket_count)
    return bad("bad bucket list");
  latency_histogram h;
  h.buckets_.reserve(j["b"].size());
  std::uint64_t total = 0;
  for (const auto& e : j["b"]) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_number_unsigned() || !e[1].is_number_unsigned())
      return bad("bucket is not [index, count]");
    const auto index = e[0].get<std::uint64_t>();
    const auto count = e[1].get<std::uint64_t>();
    if (index >= bucket_count || count == 0 || count > bucket::count_mask)
      return bad("bucket index or count out of range");
    if (!h.buckets_.empty() && h.buckets_.back().index() >= index)
      return bad("bucket indices do not ascend");
    if (total + count < total)
      return bad("count overflows");
    total += count;
    h.buckets_.push_back(bucket::make(static_cast<std::uint32_t>(index), count));
  }
  h.count_ = j["n"].get<std::uint64_t>();
  h.sum_ = j["sum"].get<std::uint64_t>();
  h.min_ = j["min"].get<std::uint64_t>();
  h.max_ = j["max"].get<std::uint64_t>();
  if (total != h.count_)
    return bad("bucket counts do not add up to n");
  if (h.count_ > 0 && (h.min_ > h.max_ || h.max_ >= max_trackable_us ||
                       bucket_index(h.min_) != h.buckets_.front().index() ||
                       bucket_index(h.max_) != h.buckets_.back().index()))
    return bad("min or max outside the buckets");
  if (h.count_ == 0 && (h.min_ != 0 || h.max_ != 0 || h.sum_ != 0))
    return bad("empty histogram with values");
  return h;
}

} // namespace nzl::analytics
