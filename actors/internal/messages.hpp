#pragma once

#include "actors/internal/job.hpp"
#include "storage/write_batch.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

namespace nzl::actors::internal {
using batch_ptr = std::shared_ptr<storage::write_batch>;
} // namespace nzl::actors::internal

// Process-local only: a job carries a callback and must never cross the
// network (the cluster issue registers its own wire types).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::internal::job_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::internal::job_weak_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::internal::batch_ptr)

namespace nzl::actors::internal {

using run_atom = caf::atom_constant<caf::atom("run")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using ok_atom = caf::atom_constant<caf::atom("ok")>;
/// Asks an actor of the runtime for its mailbox size (answered as a
/// std::uint64_t, read on its own thread).
using mailbox_atom = caf::atom_constant<caf::atom("nzl_mbox")>;

} // namespace nzl::actors::internal
