#include "actors/internal/mailbox_size.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

namespace nzl::actors::internal {
namespace {

// Answers "fill" by sending itself `noise` messages first, then says how many
// messages wait. (Spawned with an argument: CAF 0.17 binds a null reference
// when a function actor takes none, which UBSan reports.)
caf::behavior counter_actor(caf::event_based_actor* self, int noise) {
  return {
      [self, noise](const std::string& what) -> std::size_t {
        if (what == "fill") {
          for (int i = 0; i < noise; ++i)
            self->send(self, std::string{"noise"});
        }
        return mailbox_size(self);
      },
  };
}

// The case that made a node die under UBSan in CI: messages arrive while the
// actor handles the only one it had fetched, so its cached queue is empty and
// reading the size moves them over (CAF 0.17 then downcasts the queue's
// sentinel, which -fsanitize=vptr reports).
TEST(MailboxSizeTest, CountsMessagesThatArrivedWhileTheActorWasBusy) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{cfg};
  caf::scoped_actor client{sys};
  auto counter = sys.spawn(counter_actor, 3);
  std::size_t seen = 99;
  client->request(counter, caf::infinite, std::string{"fill"})
      .receive([&](std::size_t n) { seen = n; }, [&](caf::error& e) { FAIL() << to_string(e); });
  EXPECT_EQ(seen, 3u);
  client->send_exit(counter, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace nzl::actors::internal
