#pragma once
// What the in-process operator endpoint tests share: a shell-like client
// configuration, and an operator_server whose hooks record what ran and
// what was audited. CAF inside: include only from those tests.

#include "actors/operator/operator_server.hpp"
#include "actors/operator/wire.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace nzl::actors::operator_shell::op_test {

/// Sets what a shell's actor system sets (its messages, one thread, the
/// operator's application identifier); the caller loads the middleman or
/// the openssl manager.
inline void configure_operator_client(caf::actor_system_config& cfg) {
  register_messages(cfg);
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(1));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("middleman.app-identifiers", std::vector<std::string>{app_identifier});
  cfg.set("middleman.workers", static_cast<std::size_t>(1));
}

struct audited {
  std::string identity;
  std::string line;
  int status;
};

/// An operator_server on loopback whose `status` hook counts its runs and
/// whose audit hook records every line.
class EndpointFixture : public ::testing::Test {
protected:
  /// Use with ASSERT_NO_FATAL_FAILURE.
  void start_server(server_options o) {
    operator_hooks hooks;
    hooks.status = [this] {
      std::lock_guard guard{mutex_};
      ++ran_;
      return nlohmann::json{{"region", "r1"}};
    };
    hooks.audit = [this](const std::string& who, const std::string& line, int status) {
      std::lock_guard guard{mutex_};
      audit_.push_back({who, line, status});
    };
    server_ = std::make_unique<operator_server>(std::move(o), std::move(hooks));
    auto port = server_->start();
    ASSERT_TRUE(port) << port.err().detail;
    port_ = *port;
  }

  void TearDown() override {
    if (server_)
      server_->stop();
  }

  /// The node's operator actor, reached as a shell reaches it through
  /// `manager` (the middleman's or the openssl manager's actor handle).
  caf::actor connect_through(const caf::io::middleman_actor& manager, caf::actor_system& sys,
                             caf::scoped_actor& self) const {
    caf::actor node;
    self->request(manager, caf::timespan{std::chrono::seconds(10)}, caf::connect_atom::value,
                  std::string{"127.0.0.1"}, port_)
        .receive([&](const caf::node_id&, caf::strong_actor_ptr& p,
                     const std::set<std::string>&) { node = caf::actor_cast<caf::actor>(p); },
                 [&](caf::error& e) { ADD_FAILURE() << sys.render(e); });
    return node;
  }

  std::mutex mutex_; // guards ran_ and audit_ (the hooks run on the server's thread)
  int ran_ = 0;
  std::vector<audited> audit_;
  std::unique_ptr<operator_server> server_;
  std::uint16_t port_ = 0;
};

} // namespace nzl::actors::operator_shell::op_test
