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
//   certificate against the cluster CA, but CAF 0.17.6 does not expose the
//   peer certificate; so the shell also signs every command with its
//   certificate's key (command_proof) and the actor's operator_verifier
//   checks the chain, the signature, the timestamp and the nonce. The
//   identity is then the certificate subject; a command whose proof fails
//   is refused (status 3) and audited as "unverified:<claimed subject>".
// - Protocol 1 commands (an old shell) are answered "upgrade your shell".
// - The middleman's heartbeat is on: a shell that vanishes is dropped.
#include "actors/operator/operator_server.hpp"

#include "actors/internal/mailbox_size.hpp"
#include "actors/operator/operator_verifier.hpp"
#include "actors/operator/wire.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <algorithm>
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

// What the audit names a refused operator by: the subject the certificate
// claims, marked as not proven.
std::string unverified(const command_proof& proof) {
  auto subject = operator_verifier::claimed_subject(proof.certificate);
  return "unverified:" + (subject.empty() ? std::string{"?"} : subject);
}

bool within_bounds(const std::vector<std::string>& words) {
  if (words.size() > max_command_words)
    return false;
  return std::all_of(words.begin(), words.end(),
                     [](const std::string& w) { return w.size() <= max_word_bytes; });
}

std::string body_text(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `verifier` is null without TLS; the actor is its only user.
caf::behavior operator_actor(caf::event_based_actor* self,
                             std::shared_ptr<const operator_commands> commands,
                             std::shared_ptr<operator_verifier> verifier,
                             std::shared_ptr<std::atomic<std::size_t>> mailbox) {
  // What a shell signs as the target: this node's operator system, as the
  // shell's connect reports it (a proof for another node never verifies).
  const std::string target = caf::to_string(self->home_system().node());
  return {
      [=](command_msg& cmd) {
        // The mailbox is only read on the actor's own thread; others see
        // this copy (taken before the command runs, so `actors` shows it).
        mailbox->store(nzl::actors::internal::mailbox_size(self), std::memory_order_relaxed);
        // The reply goes to the sender as a plain message, from whatever
        // thread the hook answers on.
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        if (!sender)
          return;
        auto reply_to = [sender, id = cmd.id](std::string identity) {
          return [sender, id, identity = std::move(identity)](command_reply r) {
            caf::anon_send(
                sender, reply_msg{id, r.status, body_text(r.body), std::move(r.error), identity});
          };
        };
        if (cmd.version != protocol_version) {
          caf::anon_send(sender, reply_msg{cmd.id,
                                           2,
                                           "{}",
                                           "this node speaks operator protocol " +
                                               std::to_string(protocol_version) + ", not " +
                                               std::to_string(cmd.version),
                                           {}});
          return;
        }
        std::string identity;
        if (verifier) {
          // Bounded before the proof is checked: the signed bytes are built
          // from the words.
          if (!within_bounds(cmd.words)) {
            identity = unverified(cmd.proof);
            commands->refuse(identity, cmd.words, 2,
                             "a command has at most " + std::to_string(max_command_words) +
                                 " words of at most " + std::to_string(max_word_bytes) + " bytes",
                             reply_to(identity));
            return;
          }
          auto verified = verifier->verify(target, cmd.words, cmd.proof);
          if (!verified) {
            identity = unverified(cmd.proof);
            log::emit(log::level::warn, "operator_refused", R"("identity":{},"reason":{})",
                      log::quote(identity), log::quote(verified.err().detail));
            const int status = verified.err().code == errc::unauthenticated ? 3 : 1;
            commands->refuse(identity, cmd.words, status, verified.err().detail,
                             reply_to(identity));
            return;
          }
          identity = std::move(*verified);
        } else {
          std::string claimed = cmd.identity.substr(0, 128);
          identity = claimed.rfind("local:", 0) == 0 ? claimed : "local:?";
        }
        commands->run(identity, std::move(cmd.words), reply_to(identity));
      },
      [=](command_v1_msg& cmd) {
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        if (!sender)
          return;
        // An old shell: it can decode only protocol 1's reply.
        std::string identity = cmd.identity.substr(0, 128);
        if (verifier)
          identity = "unverified:" + identity;
        else if (identity.rfind("local:", 0) != 0)
          identity = "local:?";
        commands->refuse(identity, cmd.words, 2,
                         "this node speaks operator protocol " + std::to_string(protocol_version) +
                             ", not " + std::to_string(cmd.version) +
                             ": upgrade your shell (cloudagent)",
                         [sender, id = cmd.id](command_reply r) {
                           caf::anon_send(sender, reply_v1_msg{id, r.status, body_text(r.body),
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
  std::shared_ptr<operator_verifier> verifier;
  if (o.tls()) {
    // The CA store is loaded once, here; a CA file that changes needs a
    // restart (as the TLS link's does).
    verifier_options vo;
    vo.ca_file = o.ca_file;
    auto made = operator_verifier::create(std::move(vo), [] { return unix_ms_now(); });
    if (!made)
      return std::move(made).err();
    verifier = std::move(*made);
  }
  caf::actor a = d.system.spawn(operator_actor, d.commands, std::move(verifier), d.mailbox);
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
