// The operator endpoint's protocol versions, in process over loopback: a
// shell of protocol 1 is told to upgrade in a reply it can decode (and the
// command is audited, not run); a protocol 2 command without TLS runs under
// the shell's local identity, which the reply returns.
#include "actors/operator/operator_server.hpp"
#include "actors/operator/wire.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <gtest/gtest.h>

#include <mutex>
#include <set>

namespace nzl::actors::operator_shell {
namespace {

using namespace std::chrono_literals;

class client_config : public caf::actor_system_config {
public:
  client_config() {
    load<caf::io::middleman>();
    register_messages(*this);
    set("scheduler.max-threads", static_cast<std::size_t>(1));
    set("logger.verbosity", caf::atom("quiet"));
    set("middleman.app-identifiers", std::vector<std::string>{app_identifier});
    set("middleman.workers", static_cast<std::size_t>(1));
  }
};

struct audited {
  std::string identity;
  std::string line;
  int status;
};

class OperatorServerVersionTest : public ::testing::Test {
protected:
  void SetUp() override {
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
    server_options o;
    server_ = std::make_unique<operator_server>(o, std::move(hooks));
    auto port = server_->start();
    ASSERT_TRUE(port) << port.err().detail;
    port_ = *port;
  }

  void TearDown() override {
    if (server_)
      server_->stop();
  }

  // The node's operator actor, reached as a shell reaches it.
  caf::actor connect(caf::actor_system& sys, caf::scoped_actor& self) {
    caf::actor node;
    self->request(sys.middleman().actor_handle(), caf::timespan{10s}, caf::connect_atom::value,
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

TEST_F(OperatorServerVersionTest, AnOldShellIsToldToUpgradeInAReplyItCanDecode) {
  client_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto node = connect(sys, self);
  ASSERT_TRUE(node);
  self->send(node, command_v1_msg{1, 7, {"status"}, "local:1"});
  std::optional<reply_v1_msg> reply;
  self->receive([&](reply_v1_msg& r) { reply = std::move(r); },
                caf::after(std::chrono::seconds(10)) >> [] {});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->id, 7u);
  EXPECT_EQ(reply->status, 2);
  EXPECT_NE(reply->error.find("upgrade your shell"), std::string::npos) << reply->error;
  std::lock_guard guard{mutex_};
  EXPECT_EQ(ran_, 0);
  ASSERT_EQ(audit_.size(), 1u);
  EXPECT_EQ(audit_[0].identity, "local:1");
  EXPECT_EQ(audit_[0].line, "status");
  EXPECT_EQ(audit_[0].status, 2);
}

TEST_F(OperatorServerVersionTest, WithoutTlsACommandRunsUnderTheLocalIdentity) {
  client_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto node = connect(sys, self);
  ASSERT_TRUE(node);
  command_msg m;
  m.id = 9;
  m.words = {"status"};
  m.identity = "local:1000";
  self->send(node, std::move(m));
  std::optional<reply_msg> reply;
  self->receive([&](reply_msg& r) { reply = std::move(r); },
                caf::after(std::chrono::seconds(10)) >> [] {});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 0) << reply->error;
  EXPECT_EQ(reply->identity, "local:1000");
  std::lock_guard guard{mutex_};
  EXPECT_EQ(ran_, 1);
  ASSERT_EQ(audit_.size(), 1u);
  EXPECT_EQ(audit_[0].identity, "local:1000");
}

} // namespace
} // namespace nzl::actors::operator_shell
