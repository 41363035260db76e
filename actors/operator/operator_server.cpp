// The operator endpoint (issue 10). Model:
// - A separate actor system (1 scheduler thread, 1 middleman worker), like
//   the cluster link and the analytics actor, so an operator can never slow
//   the task path and the task path can never lock the operator out.
// - One actor, published on regions[].operator. It takes a command_msg and
//   hands the words to operator_commands; the hooks answer from any thread
//   and the reply_msg goes to the sender as a plain message. Nothing in the
//   actor blocks.
// - Without TLS the endpoint exists on loopback only (start() refuses other
//   hosts): the identity then is what the client says ("local:<uid>"), the
//   trust of the machine. With cluster TLS caf::openssl checks the client's
//   certificate against the cluster CA; CAF 0.17.6 does not expose the peer
//   certificate, so the identity is "tls:" + the client's claimed name.
// - The middleman's heartbeat is on: a shell that vanishes is dropped.
#include "actors/operator/operator_server.hpp"

#include "actors/operator/wire.hpp"
#include "core/log.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <arpa/inet.h>
#include <atomic>
#include <filesystem>
#include <mutex>

namespace nzl::actors::operator_shell {

namespace {

class operator_config : public caf::actor_system_config {
public:
  explicit operator_config(const server_options& o) {
    load<caf::io::middleman>();
    if (o.tls()) {
      load<caf::openssl::manager>();
      openssl_certificate = o.cert_file;
      openssl_key = o.key_file;
      openssl_cafile = o.ca_file;
    }
    register_messages(*this);
    set("scheduler.max-threads", static_cast<std::size_t>(1));
    set("scheduler.policy", caf::atom("sharing"));
    set("logger.verbosity", caf::atom("quiet"));
    set("middleman.app-identifiers", std::vector<std::string>{app_identifier});
    set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds(1)});
    set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(5)});
    set("middleman.workers", static_cast<std::size_t>(1));
  }
};

caf::behavior operator_actor(caf::event_based_actor* self,
                             std::shared_ptr<const operator_commands> commands, bool tls,
                             std::shared_ptr<std::atomic<std::size_t>> mailbox) {
  return {
      [=](command_msg& cmd) {
        // The mailbox is only read on the actor's own thread; others see
        // this copy (taken before the command runs, so `actors` shows it).
        mailbox->store(self->mailbox().size(), std::memory_order_relaxed);
        // The reply goes to the sender as a plain message, from whatever
        // thread the hook answers on.
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        if (!sender)
          return;
        if (cmd.version != protocol_version) {
          caf::anon_send(sender, reply_msg{cmd.id, 2, "{}",
                                           "this node speaks operator protocol " +
                                               std::to_string(protocol_version) + ", not " +
                                               std::to_string(cmd.version)});
          return;
        }
        std::string claimed = cmd.identity.substr(0, 128);
        std::string identity;
        if (tls)
          identity = "tls:" + (claimed.empty() ? std::string{"?"} : claimed);
        else
          identity = claimed.rfind("local:", 0) == 0 ? claimed : "local:?";
        commands->run(identity, std::move(cmd.words), [sender, id = cmd.id](command_reply r) {
          caf::anon_send(sender, reply_msg{id, r.status,
                                           r.body.dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace),
                                           std::move(r.error)});
        });
      },
  };
}

} // namespace

bool is_loopback_host(const std::string& host) noexcept {
  if (host == "localhost")
    return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1)
    return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1)
    return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

struct operator_server::impl {
  impl(server_options o, operator_hooks h)
      : options(std::move(o)), commands(std::make_shared<const operator_commands>(std::move(h))),
        cfg(options), system(cfg) {}

  server_options options;
  std::shared_ptr<const operator_commands> commands;
  operator_config cfg;
  caf::actor_system system;
  std::mutex mutex; // guards actor (start vs stop)
  caf::actor actor;
  std::shared_ptr<std::atomic<std::size_t>> mailbox = std::make_shared<std::atomic<std::size_t>>(0);
};

operator_server::operator_server(server_options options, operator_hooks hooks)
    : impl_(std::make_unique<impl>(std::move(options), std::move(hooks))) {}

operator_server::~operator_server() {
  stop();
}

result<std::uint16_t> operator_server::start() {
  auto& d = *impl_;
  const auto& o = d.options;
  if (!o.tls() && !is_loopback_host(o.host))
    return fail(errc::invalid_field,
                "regions[].operator: the operator endpoint on " + o.host +
                    " needs cluster TLS (cluster.tls); without it only a loopback address is "
                    "allowed");
  if (o.tls())
    for (const auto* f : {&o.cert_file, &o.key_file, &o.ca_file}) {
      std::error_code ec;
      if (f->empty() || !std::filesystem::is_regular_file(*f, ec))
        return fail(errc::invalid_field, "operator TLS: missing or unreadable file '" + *f + "'");
    }
  caf::actor a = d.system.spawn(operator_actor, d.commands, o.tls(), d.mailbox);
  auto published = o.tls() ? caf::openssl::publish(a, o.port, o.host.c_str(), true)
                           : d.system.middleman().publish(a, o.port, o.host.c_str(), true);
  if (!published) {
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    return fail(errc::invalid_field, "operator: cannot listen on " + o.host + ":" +
                                         std::to_string(o.port) + ": " +
                                         d.system.render(published.error()));
  }
  {
    std::lock_guard guard{d.mutex};
    d.actor = a;
  }
  log::emit(log::level::info, "operator_listening", R"("address":"{}:{}","tls":{})", o.host,
            *published, o.tls() ? "true" : "false");
  return *published;
}

void operator_server::stop() {
  auto& d = *impl_;
  caf::actor a;
  {
    std::lock_guard guard{d.mutex};
    std::swap(a, d.actor);
  }
  if (a)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

std::size_t operator_server::mailbox_size() const noexcept {
  return impl_->mailbox->load(std::memory_order_relaxed);
}

} // namespace nzl::actors::operator_shell
