// The shell's CAF client. A client process may block its main thread, so
// the connect and each command wait in a scoped_actor with a deadline (the
// middleman's connect_atom with a timeout instead of the blocking
// remote_actor). The node's reply is a plain message, so the shell waits for
// it and for the node's down message together: a node that dies ends the
// command at once with a clear message instead of waiting for the timeout.
// With TLS every command carries a proof: the operator's certificate and a
// signature by its key over the command, the node it goes to (the node id
// the connect reports), the time and a fresh nonce (command_proof.hpp).
#include "apps/cloudagent/shell/operator_link.hpp"

#include "actors/operator/operator_signer.hpp"
#include "actors/operator/wire.hpp"
#include "core/time.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <optional>
#include <set>

namespace nzl::cli::shell {

namespace {

namespace op = actors::operator_shell;

class link_config : public caf::actor_system_config {
public:
  explicit link_config(const link_options& o) {
    load<caf::io::middleman>();
    if (!o.cert_file.empty()) {
      load<caf::openssl::manager>();
      openssl_certificate = o.cert_file;
      openssl_key = o.key_file;
      openssl_cafile = o.ca_file;
    }
    op::register_messages(*this);
    set("scheduler.max-threads", static_cast<std::size_t>(1));
    set("scheduler.policy", caf::atom("sharing"));
    set("logger.verbosity", caf::atom("quiet"));
    set("middleman.app-identifiers", std::vector<std::string>{op::app_identifier});
    set("middleman.workers", static_cast<std::size_t>(1));
  }
};

std::string where(const link_options& o) {
  return o.host + ":" + std::to_string(o.port);
}

} // namespace

struct operator_link::impl {
  explicit impl(link_options o) : options(std::move(o)), cfg(options), system(cfg), self(system) {}

  link_options options;
  link_config cfg;
  caf::actor_system system;
  caf::scoped_actor self;
  caf::actor node;
  std::string target;                        // the node's id, as the proofs name it
  std::optional<op::operator_signer> signer; // with TLS
  bool gone = false;
  std::uint64_t next_id = 1;
};

outcome<link_options> parse_endpoint(const std::string& text) {
  const auto bad = [&] {
    return usage_error("--node must be HOST:PORT of the node's operator endpoint "
                       "(regions[].operator in the manifest), not '" +
                       text + "'");
  };
  if (text.find("://") != std::string::npos || text.size() > 260)
    return bad();
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad();
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon)
      return bad();
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos)
    return bad();
  auto n = std::stoul(port);
  if (n == 0 || n > 65535)
    return bad();
  link_options o;
  o.host = host;
  o.port = static_cast<std::uint16_t>(n);
  return o;
}

operator_link::operator_link(std::unique_ptr<impl> d) : impl_(std::move(d)) {}

operator_link::~operator_link() = default;

outcome<std::unique_ptr<operator_link>> operator_link::connect(link_options options) {
  const bool tls = !options.cert_file.empty();
  std::optional<op::operator_signer> signer;
  if (tls) {
    // Loaded before connecting: a wrong key file is the operator's to fix.
    auto loaded = op::operator_signer::from_files(options.cert_file, options.key_file);
    if (!loaded)
      return usage_error(loaded.err().detail);
    signer = std::move(*loaded);
  }
  auto d = std::make_unique<impl>(std::move(options));
  d->signer = std::move(signer);
  auto& o = d->options;
  auto mm = tls ? d->system.openssl_manager().actor_handle() : d->system.middleman().actor_handle();
  outcome<done> connected = failure{exit_code::unreachable, where(o) + ": no answer"};
  d->self->request(mm, caf::timespan{o.timeout}, caf::connect_atom::value, o.host, o.port)
      .receive(
          [&](const caf::node_id&, caf::strong_actor_ptr& p, const std::set<std::string>&) {
            if (!p) {
              connected = failure{exit_code::unreachable,
                                  where(o) + ": no operator endpoint published there"};
              return;
            }
            d->node = caf::actor_cast<caf::actor>(p);
            connected = done{};
          },
          [&](caf::error& e) {
            connected = failure{exit_code::unreachable, "cannot reach the operator endpoint " +
                                                            where(o) + ": " + d->system.render(e)};
          });
  if (!connected)
    return std::move(connected).err();
  d->target = caf::to_string(d->node.node());
  d->self->monitor(d->node);
  return std::unique_ptr<operator_link>(new operator_link(std::move(d)));
}

outcome<command_answer> operator_link::call(const std::vector<std::string>& words) {
  auto& d = *impl_;
  if (d.gone)
    return failure{exit_code::unreachable, "the node at " + where(d.options) + " is gone"};
  op::command_msg m;
  m.id = d.next_id++;
  m.words = words;
  m.identity = d.options.identity;
  if (d.signer) {
    auto proof = d.signer->sign(d.target, words, unix_ms_now());
    if (!proof)
      return failure{exit_code::usage, "cannot sign the command: " + proof.err().detail};
    m.proof = std::move(*proof);
  }
  const auto id = m.id;
  d.self->send(d.node, std::move(m));
  const auto deadline = std::chrono::steady_clock::now() + d.options.timeout;
  std::optional<outcome<command_answer>> out;
  while (!out) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      d.gone = true;
      out = failure{exit_code::unreachable, "the node at " + where(d.options) +
                                                " did not answer within " +
                                                std::to_string(d.options.timeout.count()) + " ms"};
      break;
    }
    d.self->receive(
        [&](op::reply_msg& r) {
          if (r.id != id)
            return; // a late answer to an earlier command
          command_answer a;
          a.status = r.status;
          a.error = std::move(r.error);
          a.identity = std::move(r.identity);
          a.body = nlohmann::json::parse(r.body, nullptr, false);
          if (a.body.is_discarded())
            a.body = nlohmann::json::object();
          out = std::move(a);
        },
        [&](caf::error& e) {
          // A node of protocol 1 cannot decode this shell's command type:
          // CAF answers it with unexpected_message.
          if (e == caf::sec::unexpected_message)
            out = failure{exit_code::node_error,
                          "the node at " + where(d.options) +
                              " does not understand this shell: it speaks an older operator "
                              "protocol than " +
                              std::to_string(op::protocol_version) + " (upgrade the node)"};
          else
            out = failure{exit_code::unreachable,
                          "the node at " + where(d.options) + ": " + d.system.render(e)};
        },
        [&](caf::down_msg& dm) {
          d.gone = true;
          out = failure{exit_code::unreachable, "the node at " + where(d.options) + " went away (" +
                                                    d.system.render(dm.reason) + ")"};
        },
        caf::after(std::chrono::duration_cast<std::chrono::milliseconds>(left)) >> [&] {});
  }
  return std::move(*out);
}

} // namespace nzl::cli::shell
