// The per-request costs of the security layers: finding a key by its hash,
// verifying a signed request with a 1 KiB body, deciding IP rules and taking
// from a token bucket.
#include "security/api_key.hpp"
#include "security/cidr.hpp"
#include "security/rate_limiter.hpp"
#include "security/signing.hpp"

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace {

using namespace nzl::security;

// Hash the presented key, find it in an ordered index of 10 000 digests (as a
// storage table keyed by digest would), compare in constant time.
void bm_key_hash_lookup(benchmark::State& state) {
  std::map<key_digest, int> index;
  std::string presented;
  for (int i = 0; i < 10'000; ++i) {
    auto key = generate_key();
    index.emplace(hash_key(key->key), i);
    if (i == 5000)
      presented = key->key;
  }
  for (auto _ : state) {
    auto digest = hash_key(presented);
    auto found = index.find(digest);
    bool ok = found != index.end() && digest_equal(found->first, digest);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(bm_key_hash_lookup);

void bm_signature_verify_1k(benchmark::State& state) {
  std::string body(1024, 'x');
  std::string secret = *generate_signing_secret();
  std::string ts = "1700000000";
  std::string nonce = "abcdefghijklmnopqrstuvwx";
  std::string sig = sign(secret, canonical_string(ts, nonce, "POST", "/v1/tasks", body));
  signature_headers headers{ts, nonce, sig};
  for (auto _ : state) {
    auto status = verify_request(secret, headers, "POST", "/v1/tasks", body, 1'700'000'010);
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(bm_signature_verify_1k);

// Global rules of a typical size: 10 allow and 10 deny networks, mixed v4/v6.
void bm_cidr_decide(benchmark::State& state) {
  ip_rules rules;
  for (int i = 0; i < 10; ++i) {
    rules.allow.push_back(*cidr::parse("10." + std::to_string(i) + ".0.0/16"));
    rules.deny.push_back(*cidr::parse("2001:db8:" + std::to_string(i) + "::/48"));
  }
  auto ip = *ip_address::parse("10.9.1.2");
  for (auto _ : state) {
    auto decision = rules.decide(ip);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(bm_cidr_decide);

void bm_ip_parse(benchmark::State& state) {
  for (auto _ : state) {
    auto ip = ip_address::parse("2001:db8:1:2::17");
    benchmark::DoNotOptimize(ip);
  }
}
BENCHMARK(bm_ip_parse);

// One take from one of 10 000 buckets in the limiter (hash lookup, LRU move,
// refill, take).
void bm_token_bucket_take(benchmark::State& state) {
  rate_limiter limiter;
  rate_tier tier{"default", 1'000'000, 60};
  std::vector<std::string> keys;
  for (int i = 0; i < 10'000; ++i)
    keys.push_back("key:k_" + std::to_string(i));
  std::int64_t now = 1'700'000'000'000;
  std::size_t i = 0;
  for (auto _ : state) {
    auto taken = limiter.take(keys[i], tier, 1, now);
    benchmark::DoNotOptimize(taken);
    i = (i + 1) % keys.size();
    ++now;
  }
}
BENCHMARK(bm_token_bucket_take);

void bm_single_bucket_take(benchmark::State& state) {
  token_bucket bucket(1'000'000, 60, 0);
  std::int64_t now = 0;
  for (auto _ : state) {
    auto taken = bucket.try_take(1, ++now);
    benchmark::DoNotOptimize(taken);
  }
}
BENCHMARK(bm_single_bucket_take);

} // namespace

BENCHMARK_MAIN();
