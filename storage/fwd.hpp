#pragma once

#include <cstdint>

namespace nzl::storage {

enum class table : std::uint8_t;

struct env_options;
struct commit_info;
class environment;
class read_txn;
class write_batch;

namespace internal {
struct env_state;
} // namespace internal

} // namespace nzl::storage
