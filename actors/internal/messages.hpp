#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "actors/internal/job.hpp"

// Process-local only: a job carries a callback and must never cross the
// network (the cluster issue registers its own wire types).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::internal::job_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::internal::job_weak_ptr)

namespace nzl::actors::internal {

using run_atom = caf::atom_constant<caf::atom("run")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;

} // namespace nzl::actors::internal
