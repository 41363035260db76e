#include "plugins/schema/schema_cache.hpp"

namespace nzl::schema {

namespace {

std::string cache_key(const nlohmann::json& schema, const compile_options& o) {
  // Options first, then the schema text, then any extra known schemas: two
  // keys are equal only when compiling would give the same plan.
  std::string key;
  key += static_cast<char>('0' + static_cast<int>(o.default_draft));
  key += o.assert_formats ? 'F' : 'f';
  key += std::to_string(o.max_schema_depth) + ',' + std::to_string(o.max_nodes) + ',' +
         std::to_string(o.max_instance_depth) + ',' + std::to_string(o.max_steps) + ',' +
         std::to_string(o.max_errors) + ';';
  key += schema.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (o.known_schemas) {
    for (const auto& [uri, s] : *o.known_schemas) {
      key += '\n';
      key += uri;
      key += ' ';
      key += s.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  return key;
}

} // namespace

schema_cache::schema_cache(std::size_t capacity, std::size_t max_key_bytes)
    : capacity_(capacity == 0 ? 1 : capacity), max_key_bytes_(max_key_bytes) {}

result<compiled_schema> schema_cache::get(const nlohmann::json& schema,
                                          const compile_options& options) {
  auto key = cache_key(schema, options);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = plans_.find(key); it != plans_.end()) {
      ++hits_;
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.plan;
    }
    ++misses_;
  }
  auto compiled = compile(schema, options);
  if (!compiled || key.size() > max_key_bytes_)
    return compiled;
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = plans_.find(key); it != plans_.end())
    return it->second.plan;
  lru_.push_front(key);
  plans_.emplace(std::move(key), entry{*compiled, lru_.begin()});
  while (plans_.size() > capacity_) {
    plans_.erase(lru_.back());
    lru_.pop_back();
  }
  return compiled;
}

schema_cache::stats schema_cache::statistics() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats{hits_, misses_, plans_.size()};
}

} // namespace nzl::schema
