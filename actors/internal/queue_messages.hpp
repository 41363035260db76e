#pragma once

#include "actors/queue/queue_config.hpp"
#include "actors/queue/task_record.hpp"
#include "core/task.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <memory>

namespace nzl::actors::internal {

using record_ptr = std::shared_ptr<task_record>;
using outcome_ptr = std::shared_ptr<task_outcome>;

using enqueue_atom = caf::atom_constant<caf::atom("enqueue")>;
using recover_atom = caf::atom_constant<caf::atom("recover")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using finished_atom = caf::atom_constant<caf::atom("finished")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;
using attempt_atom = caf::atom_constant<caf::atom("attempt")>;

} // namespace nzl::actors::internal

// Process-local only (callbacks and shared records never cross the network).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::internal::record_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::internal::outcome_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::json_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nlohmann::json)
