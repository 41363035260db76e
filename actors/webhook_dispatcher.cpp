// Webhook deliveries. A delivery is (task record, attempt number); the actor
// sends the POST through the outbound client (which enforces the egress
// rules), and the client's completion comes back as a message, so all state
// stays in this actor. A 2xx answer ends the delivery; anything else is
// retried after retry_base_ms * 2^(attempt-1) until max_attempts. Every
// attempt (time, status or error, latency) is appended to the task's
// webhook_attempts and persisted by its queue actor. Deliveries in flight at
// a crash are not resumed (at-most max_attempts, possibly fewer).
#include "actors/webhook_dispatcher.hpp"

#include "actors/internal/mailbox_size.hpp"
#include "actors/internal/messages.hpp"
#include "actors/internal/queue_messages.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "net/outbound/http_client.hpp"
#include "net/outbound/webhook_signature.hpp"

#include <caf/all.hpp>

namespace nzl::actors {

namespace {

using namespace internal;
using nlohmann::json;

using sent_atom = caf::atom_constant<caf::atom("sent")>;
using outbound_result_ptr = std::shared_ptr<result<net::outbound::outbound_response>>;

struct delivery {
  record_ptr record;
  caf::actor queue;
  std::uint32_t attempt = 0;
};
using delivery_ptr = std::shared_ptr<delivery>;

} // namespace
} // namespace nzl::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::delivery_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nzl::actors::outbound_result_ptr)

namespace nzl::actors {

namespace {

struct dispatcher_state {
  webhook_config config;
  static inline const char* name = "webhooks";
};

using self_ptr = caf::stateful_actor<dispatcher_state>*;

void attempt(self_ptr self, delivery_ptr d) {
  auto& cfg = self->state.config;
  ++d->attempt;
  const auto& r = *d->record;
  auto body = json{{"type", "task." + std::string{to_string(r.status)}},
                   {"timestamp", rfc3339(unix_ms_now())},
                   {"data", r.to_api_json()}}
                  .dump(-1, ' ', false, json::error_handler_t::replace);
  auto msg_id = "msg_" + r.id;
  auto ts = unix_ms_now() / 1000;
  net::outbound::outbound_request req;
  req.method = "POST";
  req.url = r.webhook;
  req.timeout_ms = cfg.timeout_ms;
  req.max_response_bytes = 4096;
  req.headers = {{"Content-Type", "application/json"},
                 {"webhook-id", msg_id},
                 {"webhook-timestamp", std::to_string(ts)},
                 {"webhook-signature", net::outbound::webhook::sign(cfg.secret, msg_id, ts, body)}};
  req.body = std::move(body);
  auto me = caf::actor_cast<caf::actor>(self);
  cfg.client->send(std::move(req), [me, d](result<net::outbound::outbound_response> res) {
    caf::anon_send(me, sent_atom::value, d,
                   std::make_shared<result<net::outbound::outbound_response>>(std::move(res)));
  });
}

caf::behavior dispatcher(self_ptr self, webhook_config config) {
  self->state.config = std::move(config);
  return {
      // `cloudagent shell actors`: the size is read on this actor's own
      // thread, the only one CAF 0.17 lets read it.
      [self](nzl::actors::internal::mailbox_atom) -> std::uint64_t {
        return internal::mailbox_size(self);
      },
      [=](deliver_atom, const record_ptr& record, const caf::actor& queue) {
        auto d = std::make_shared<delivery>();
        d->record = std::make_shared<task_record>(*record);
        d->queue = queue;
        attempt(self, std::move(d));
      },
      [=](sent_atom, const delivery_ptr& d, const outbound_result_ptr& res) {
        auto& cfg = self->state.config;
        json entry{{"attempt", d->attempt}, {"at", rfc3339(unix_ms_now())}};
        bool ok = false;
        if (*res) {
          const auto& answer = res->value();
          entry["status"] = answer.status;
          entry["latency_ms"] = answer.latency_ms;
          ok = answer.status >= 200 && answer.status < 300;
        } else {
          entry["error"] =
              json{{"code", to_string(res->err().code)}, {"detail", res->err().detail}};
        }
        bool last = ok || d->attempt >= cfg.max_attempts;
        self->send(d->queue, attempt_atom::value, d->record->id, d->record->finished_ms,
                   std::move(entry), last);
        if (ok)
          return;
        if (last) {
          log::emit(log::level::warn, "webhook_gave_up", R"("task":{},"attempts":{})",
                    log::quote(d->record->id), d->attempt);
          return;
        }
        auto delay = cfg.retry_base_ms << std::min<std::uint32_t>(d->attempt - 1, 16);
        self->delayed_send(self, std::chrono::milliseconds(delay), deliver_atom::value, d);
      },
      [=](deliver_atom, const delivery_ptr& d) { attempt(self, d); },
  };
}

} // namespace

caf::actor spawn_webhook_dispatcher(caf::actor_system& sys, webhook_config config) {
  return sys.spawn(dispatcher, std::move(config));
}

} // namespace nzl::actors
