// The operator endpoint's protocol versions, in process over loopback: a
// shell of protocol 1 is told to upgrade in a reply it can decode (and the
// command is audited, not run); a protocol 2 command without TLS runs under
// the shell's local identity, which the reply returns.
#include "actors/operator/operator_server.hpp"
#include "actors/operator/wire.hpp"
#include "tests/unit/operator/endpoint_fixture.hpp"

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
    op_test::configure_operator_client(*this);
  }
};

class OperatorServerVersionTest : public op_test::EndpointFixture {
protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(start_server(server_options{})); }

  caf::actor connect(caf::actor_system& sys, caf::scoped_actor& self) {
    return connect_through(sys.middleman().actor_handle(), sys, self);
  }
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
