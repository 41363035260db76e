#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nzl::actors {

/// One actor as `cloudagent shell actors` shows it.
struct actor_probe {
  std::string name; ///< "region_node", "queue:default", "analytics", "cluster_link", ...
  /// Round trip of a message through its mailbox now (the actor answers it
  /// after every message queued before it); nullopt: no answer in time, or
  /// the actor is gone.
  std::optional<std::int64_t> wait_us;
  /// Messages in its mailbox when it answered (read on its own thread);
  /// nullopt with wait_us, or when the owner cannot say.
  std::optional<std::uint64_t> mailbox;
};

/// Receives the probes of one owner's actors, exactly once.
using probe_done = std::function<void(std::vector<actor_probe>)>;

/// Probes an owner's actors (node_runtime, analytics_hub, cluster_service
/// each offer one); never blocks.
using actor_prober = std::function<void(probe_done done)>;

/// A probe message for an actor that runs it on its own thread: `run()`
/// there answers with the time since construction; a probe destroyed unrun
/// (the actor stopped, the message was dropped) answers with no wait. So
/// `done` is called exactly once either way. Owners that cannot spawn a
/// probing actor in their actor system (the analytics hub's single-thread
/// system would then wait for it at shutdown) send this instead.
class mailbox_probe {
public:
  mailbox_probe(std::string name, probe_done done)
      : name_(std::move(name)), done_(std::move(done)), start_(std::chrono::steady_clock::now()) {}
  ~mailbox_probe() {
    if (done_)
      done_({{std::move(name_), std::nullopt, std::nullopt}});
  }
  mailbox_probe(const mailbox_probe&) = delete;
  mailbox_probe& operator=(const mailbox_probe&) = delete;

  /// On the probed actor's thread, with its mailbox size there.
  void run(std::uint64_t mailbox) {
    auto done = std::move(done_);
    done_ = nullptr;
    done({{std::move(name_),
           std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start_)
               .count(),
           mailbox}});
  }

private:
  std::string name_;
  probe_done done_;
  std::chrono::steady_clock::time_point start_;
};

} // namespace nzl::actors
