#include "apps/cloudagent/outcome.hpp"

namespace nzl::cli {

failure usage_error(std::string message) {
  return failure{exit_code::usage, std::move(message)};
}

} // namespace nzl::cli
