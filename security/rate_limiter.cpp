#include "security/rate_limiter.hpp"

#include <algorithm>
#include <vector>

namespace nzl::security {

bool valid_tier_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 32)
    return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

result<rate_tier> check_tier(rate_tier tier) {
  if (!valid_tier_name(tier.name))
    return fail(errc::invalid_field, "a rate tier name must be 1..32 characters of [a-z0-9_-]");
  if (tier.quota < 1 || tier.quota > max_bucket_quota)
    return fail(errc::invalid_field, "rate tier " + tier.name + ": quota must be 1..1000000");
  if (tier.window_s < 1 || tier.window_s > max_bucket_window_s)
    return fail(errc::invalid_field, "rate tier " + tier.name + ": window must be 1..604800 s");
  return tier;
}

rate_limiter::rate_limiter(std::size_t max_buckets)
    : max_buckets_(max_buckets == 0 ? 1 : max_buckets) {}

take_result rate_limiter::take(std::string_view bucket_key, const rate_tier& tier, std::int64_t n,
                               std::int64_t now_ms) {
  bucket_key = bucket_key.substr(0, max_bucket_key_length);
  auto found = buckets_.find(bucket_key);
  if (found == buckets_.end()) {
    if (buckets_.size() >= max_buckets_) {
      buckets_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(
        entry{std::string(bucket_key), token_bucket(tier.quota, tier.window_s, now_ms)});
    found = buckets_.emplace(lru_.front().key, lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, found->second);
  }
  token_bucket& bucket = found->second->bucket;
  token_bucket fresh(tier.quota, tier.window_s, now_ms);
  if (bucket.quota() != fresh.quota() || bucket.window_s() != fresh.window_s()) {
    std::int64_t left = bucket.peek(now_ms).remaining;
    std::int64_t token = fresh.window_s() * 1000;
    bucket = token_bucket::restore(fresh.quota(), fresh.window_s(),
                                   std::min(left, fresh.quota()) * token, now_ms);
  }
  return bucket.try_take(n, now_ms);
}

take_result rate_limiter::peek(std::string_view bucket_key, const rate_tier& tier,
                               std::int64_t now_ms) const {
  auto found = buckets_.find(bucket_key.substr(0, max_bucket_key_length));
  if (found == buckets_.end())
    return token_bucket(tier.quota, tier.window_s, now_ms).peek(now_ms);
  return found->second->bucket.peek(now_ms);
}

std::size_t rate_limiter::prune(std::int64_t now_ms) {
  std::size_t dropped = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->bucket.full_at(now_ms)) {
      buckets_.erase(it->key);
      it = lru_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

nlohmann::json rate_limiter::snapshot(std::int64_t now_ms) const {
  auto buckets = nlohmann::json::array();
  // Least recently used first, so that a restore replays the LRU order.
  for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
    if (it->bucket.full_at(now_ms))
      continue;
    buckets.push_back({{"k", it->key},
                       {"q", it->bucket.quota()},
                       {"w", it->bucket.window_s()},
                       {"u", it->bucket.units()},
                       {"t", it->bucket.updated_ms()}});
  }
  return {{"v", 1}, {"buckets", std::move(buckets)}};
}

result<std::size_t> rate_limiter::restore(const nlohmann::json& snapshot) {
  if (!snapshot.is_object() || !snapshot.contains("v") || snapshot["v"] != 1 ||
      !snapshot.contains("buckets") || !snapshot["buckets"].is_array())
    return fail(errc::invalid_field, "rate limit snapshot: not a version 1 snapshot");
  std::vector<entry> loaded;
  for (const auto& item : snapshot["buckets"]) {
    auto integer = [&](const char* name) {
      return item.contains(name) && item[name].is_number_integer();
    };
    if (!item.is_object() || !item.contains("k") || !item["k"].is_string() || !integer("q") ||
        !integer("w") || !integer("u") || !integer("t"))
      return fail(errc::invalid_field, "rate limit snapshot: malformed bucket");
    auto key = item["k"].get<std::string>();
    auto q = item["q"].get<std::int64_t>();
    auto w = item["w"].get<std::int64_t>();
    if (key.empty() || key.size() > max_bucket_key_length || q < 1 || q > max_bucket_quota ||
        w < 1 || w > max_bucket_window_s)
      return fail(errc::invalid_field, "rate limit snapshot: bucket out of range");
    loaded.push_back({std::move(key), token_bucket::restore(q, w, item["u"].get<std::int64_t>(),
                                                            item["t"].get<std::int64_t>())});
  }
  buckets_.clear();
  lru_.clear();
  std::size_t restored = 0;
  // The snapshot lists least recently used first; keep the most recent ones.
  std::size_t skip = loaded.size() > max_buckets_ ? loaded.size() - max_buckets_ : 0;
  for (std::size_t i = skip; i < loaded.size(); ++i) {
    if (buckets_.contains(loaded[i].key))
      continue;
    lru_.push_front(std::move(loaded[i]));
    buckets_.emplace(lru_.front().key, lru_.begin());
    ++restored;
  }
  return restored;
}

std::string ratelimit_policy_value(const rate_tier& tier) {
  return "\"" + tier.name + "\";q=" + std::to_string(tier.quota) +
         ";w=" + std::to_string(tier.window_s);
}

std::string ratelimit_value(const rate_tier& tier, const take_result& taken) {
  return "\"" + tier.name + "\";r=" + std::to_string(taken.remaining) +
         ";t=" + std::to_string(taken.reset_seconds);
}

std::string retry_after_value(const take_result& taken) {
  return std::to_string(std::max<std::int64_t>(1, taken.retry_after_seconds));
}

} // namespace nzl::security
