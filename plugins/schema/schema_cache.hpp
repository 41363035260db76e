#pragma once

#include "plugins/schema/validator.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace nzl::schema {

/// Compiled plans keyed by the schema's text and the compile options, so that
/// validating many documents against one schema compiles it once. Bounded:
/// past `capacity` plans the least recently used one is dropped; schemas
/// whose text is over `max_key_bytes` are compiled but not kept.
///
/// Thread-safe: `get` may be called from any number of threads. A mutex
/// guards only the map and the LRU list; compiling happens outside it (two
/// threads missing on the same schema at once may both compile it; the first
/// to finish is kept).
class schema_cache {
public:
  explicit schema_cache(std::size_t capacity = 256, std::size_t max_key_bytes = 1 << 20);

  /// The plan for `schema` with `options`, compiled now or earlier. Compile
  /// errors are returned and not cached.
  [[nodiscard]] result<compiled_schema> get(const nlohmann::json& schema,
                                            const compile_options& options);

  struct stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t size = 0;
  };
  [[nodiscard]] stats statistics() const;

private:
  struct entry {
    compiled_schema plan;
    std::list<std::string>::iterator lru;
  };

  const std::size_t capacity_;
  const std::size_t max_key_bytes_;
  mutable std::mutex mutex_; // guards everything below
  std::unordered_map<std::string, entry> plans_;
  std::list<std::string> lru_; // most recently used first
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

} // namespace nzl::schema
