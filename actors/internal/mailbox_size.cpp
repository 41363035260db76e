#include "actors/internal/mailbox_size.hpp"

#include <caf/scheduled_actor.hpp>

namespace nzl::actors::internal {

std::size_t mailbox_size(caf::scheduled_actor* self) noexcept {
  return self->mailbox().size();
}

} // namespace nzl::actors::internal
