#include "plugins/schema/internal/compiler.hpp"

namespace nzl::schema::internal {

const json* builtin_schema(std::string_view) {
  return nullptr;
}

} // namespace nzl::schema::internal
