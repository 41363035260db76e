#pragma once

#include "storage/fwd.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace nzl::actors {

/// Spawns the one writer of the node's LMDB environment: a detached actor
/// (own thread, since a commit blocks on fdatasync) that takes
/// `(write_atom, std::shared_ptr<storage::write_batch>)` requests and answers
/// each with `ok_atom` once its batch is durable, or with an error. Batches
/// that arrive while a commit runs are committed together in the next one
/// (group commit), so N concurrent writers cost one flush, not N.
[[nodiscard]] caf::actor spawn_storage_writer(caf::actor_system& sys,
                                              std::shared_ptr<storage::environment> env);

} // namespace nzl::actors
