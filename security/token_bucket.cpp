#include "security/token_bucket.hpp"

#include <algorithm>

namespace nzl::security {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) noexcept {
  return (a + b - 1) / b;
}

} // namespace

token_bucket::token_bucket(std::int64_t quota, std::int64_t window_s, std::int64_t now_ms) noexcept
    : quota_(std::clamp<std::int64_t>(quota, 1, max_bucket_quota)),
      window_s_(std::clamp<std::int64_t>(window_s, 1, max_bucket_window_s)), units_(0),
      updated_ms_(now_ms) {
  units_ = capacity();
}

token_bucket token_bucket::restore(std::int64_t quota, std::int64_t window_s, std::int64_t units,
                                   std::int64_t updated_ms) noexcept {
  token_bucket out(quota, window_s, updated_ms);
  out.units_ = std::clamp<std::int64_t>(units, 0, out.capacity());
  return out;
}

std::int64_t token_bucket::units_at(std::int64_t now_ms) const noexcept {
  if (now_ms <= updated_ms_)
    return units_;
  std::int64_t missing = capacity() - units_;
  std::int64_t elapsed = now_ms - updated_ms_;
  // elapsed * quota may overflow for long idle times: compare first.
  if (elapsed >= ceil_div(missing, quota_))
    return capacity();
  return units_ + elapsed * quota_;
}

take_result token_bucket::report(std::int64_t units) const noexcept {
  take_result out;
  std::int64_t token = window_s_ * 1000;
  out.remaining = units / token;
  std::int64_t missing_ms = ceil_div(capacity() - units, quota_);
  out.reset_seconds = ceil_div(missing_ms, 1000);
  return out;
}

take_result token_bucket::try_take(std::int64_t n, std::int64_t now_ms) noexcept {
  n = std::max<std::int64_t>(n, 1);
  units_ = units_at(now_ms);
  updated_ms_ = std::max(updated_ms_, now_ms);
  if (n > quota_) {
    take_result out = report(units_);
    out.exceeds_quota = true;
    out.retry_after_seconds = window_s_;
    return out;
  }
  std::int64_t need = n * window_s_ * 1000;
  if (units_ >= need) {
    units_ -= need;
    take_result out = report(units_);
    out.allowed = true;
    return out;
  }
  take_result out = report(units_);
  std::int64_t wait_ms = ceil_div(need - units_, quota_);
  out.retry_after_seconds = std::max<std::int64_t>(1, ceil_div(wait_ms, 1000));
  return out;
}

take_result token_bucket::peek(std::int64_t now_ms) const noexcept {
  take_result out = report(units_at(now_ms));
  out.allowed = true;
  return out;
}

bool token_bucket::full_at(std::int64_t now_ms) const noexcept {
  return units_at(now_ms) >= capacity();
}

} // namespace nzl::security
