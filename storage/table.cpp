#include "storage/table.hpp"

namespace nzl::storage {

std::string_view to_string(table t) noexcept {
  switch (t) {
  case table::meta:
    return "meta";
  case table::tasks:
    return "tasks";
  case table::queue_index:
    return "queue_index";
  case table::idempotency:
    return "idempotency";
  case table::webhooks:
    return "webhooks";
  case table::api_keys:
    return "api_keys";
  case table::nonces:
    return "nonces";
  case table::audit:
    return "audit";
  case table::gateway:
    return "gateway";
  }
  return "unknown";
}

} // namespace nzl::storage
