#pragma once

#include <cstddef>

namespace caf {
class scheduled_actor;
}

namespace nzl::actors::internal {

/// The number of messages waiting in `self`'s mailbox. Call it only on the
/// actor's own thread (from one of its handlers): CAF 0.17's mailbox().size()
/// moves newly arrived messages into the actor's cached queue as it counts.
///
/// Every read of a mailbox size goes through here. The reason is that CAF
/// 0.17's queue code downcasts its list sentinel to a mailbox_element when
/// that queue is empty; -fsanitize=vptr reports this and ends the process.
/// This file is built without that one check (see actors/CMakeLists.txt).
[[nodiscard]] std::size_t mailbox_size(caf::scheduled_actor* self) noexcept;

} // namespace nzl::actors::internal
