// Group commit: a write request is parked with its response promise and, if
// no flush is scheduled, the writer sends itself a flush message. That
// message queues behind every write already in the mailbox, so by the time
// it runs, all of them are parked and go into one transaction. While that
// commit blocks in fdatasync, new writes queue in the mailbox and form the
// next group. A caller is answered only after the commit that holds its
// batch returned: a crash before then loses the batch, and its caller was
// never told it was durable.
#include "actors/storage_writer.hpp"

#include "actors/internal/mailbox_size.hpp"
#include "actors/internal/messages.hpp"
#include "core/log.hpp"
#include "storage/environment.hpp"
#include "storage/write_batch.hpp"

#include <caf/all.hpp>

#include <vector>

namespace nzl::actors {

namespace {

using namespace internal;

// Bounds one transaction; a larger group is split over several commits.
constexpr std::size_t max_group_bytes = 16u << 20;

struct writer_state {
  std::shared_ptr<storage::environment> env;
  std::vector<storage::write_batch> batches;
  std::vector<caf::response_promise> waiting;
  bool flush_scheduled = false;
  static inline const char* name = "storage-writer";
};

void flush(caf::stateful_actor<writer_state>* self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  std::size_t begin = 0;
  while (begin < st.batches.size()) {
    std::size_t end = begin;
    std::size_t bytes = 0;
    while (end < st.batches.size() &&
           (end == begin || bytes + st.batches[end].byte_size() <= max_group_bytes))
      bytes += st.batches[end++].byte_size();
    auto done = st.env->commit(
        std::span<const storage::write_batch>{st.batches.data() + begin, end - begin});
    for (std::size_t i = begin; i < end; ++i) {
      if (done)
        st.waiting[i].deliver(ok_atom::value);
      else
        st.waiting[i].deliver(caf::make_error(caf::sec::runtime_error, done.err().detail));
    }
    if (!done)
      log::emit(log::level::error, "storage_commit_failed", R"("error":{})",
                log::quote(done.err().detail));
    begin = end;
  }
  st.batches.clear();
  st.waiting.clear();
}

caf::behavior storage_writer(caf::stateful_actor<writer_state>* self,
                             std::shared_ptr<storage::environment> env) {
  self->state.env = std::move(env);
  return {
      // `cloudagent shell actors`: the size is read on this actor's own
      // thread, the only one CAF 0.17 lets read it.
      [self](nzl::actors::internal::mailbox_atom) -> std::uint64_t {
        return internal::mailbox_size(self);
      },
      [=](write_atom, const batch_ptr& batch) -> caf::result<ok_atom> {
        auto& st = self->state;
        st.batches.push_back(std::move(*batch));
        st.waiting.push_back(self->make_response_promise());
        if (!st.flush_scheduled) {
          st.flush_scheduled = true;
          self->send(self, flush_atom::value);
        }
        return st.waiting.back();
      },
      [=](flush_atom) { flush(self); },
  };
}

} // namespace

caf::actor spawn_storage_writer(caf::actor_system& sys, std::shared_ptr<storage::environment> env) {
  return sys.spawn<caf::detached>(storage_writer, std::move(env));
}

} // namespace nzl::actors
