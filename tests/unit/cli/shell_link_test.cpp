// The shell's CAF link in process over loopback: against a node's operator
// endpoint (the reply names the identity the node ran the command as), and
// against a node of operator protocol 1, which cannot decode this shell's
// command: the shell says so at once instead of waiting for its timeout.
#include "actors/operator/operator_server.hpp"
#include "actors/operator/wire.hpp"
#include "apps/cloudagent/shell/operator_link.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <gtest/gtest.h>

namespace nzl::cli::shell {
namespace {

namespace op = actors::operator_shell;

link_options loopback(std::uint16_t port) {
  link_options o;
  o.host = "127.0.0.1";
  o.port = port;
  o.timeout = std::chrono::seconds(10);
  o.identity = "local:1000";
  return o;
}

TEST(CliShellLinkTest, TheReplyNamesTheIdentityTheNodeRanTheCommandAs) {
  op::operator_hooks hooks;
  hooks.status = [] {
    return nlohmann::json{{"region", "r1"}};
  };
  op::operator_server server{op::server_options{}, std::move(hooks)};
  auto port = server.start();
  ASSERT_TRUE(port) << port.err().detail;
  auto link = operator_link::connect(loopback(*port));
  ASSERT_TRUE(link) << link.err().message;
  auto answer = (*link)->call({"status"});
  ASSERT_TRUE(answer) << answer.err().message;
  EXPECT_EQ(answer->status, 0);
  EXPECT_EQ(answer->body.value("region", ""), "r1");
  EXPECT_EQ(answer->identity, "local:1000");
  server.stop();
}

// A node of protocol 1: only the old message types, as such a node
// registered them.
class old_node_config : public caf::actor_system_config {
public:
  old_node_config() {
    load<caf::io::middleman>();
    add_message_type<op::command_v1_msg>("nzl_op_command");
    add_message_type<op::reply_v1_msg>("nzl_op_reply");
    set("scheduler.max-threads", static_cast<std::size_t>(1));
    set("logger.verbosity", caf::atom("quiet"));
    set("middleman.app-identifiers", std::vector<std::string>{op::app_identifier});
    set("middleman.workers", static_cast<std::size_t>(1));
  }
};

TEST(CliShellLinkTest, ANodeOfAnOlderProtocolIsNamedAsSuchAtOnce) {
  old_node_config cfg;
  caf::actor_system sys{cfg};
  // (An argument: CAF 0.17's spawn of a function without one binds a null
  // reference, which UBSan reports.)
  auto actor = sys.spawn(
      [](caf::event_based_actor*, int) -> caf::behavior {
        return {[](op::command_v1_msg&) {
        }};
      },
      0);
  auto port = sys.middleman().publish(actor, 0, "127.0.0.1", true);
  ASSERT_TRUE(port) << sys.render(port.error());
  auto o = loopback(*port);
  // The shell must not need its timeout to say so.
  o.timeout = std::chrono::seconds(60);
  auto link = operator_link::connect(o);
  ASSERT_TRUE(link) << link.err().message;
  auto answer = (*link)->call({"status"});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.err().code, exit_code::node_error);
  EXPECT_NE(answer.err().message.find("older operator protocol"), std::string::npos)
      << answer.err().message;
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace nzl::cli::shell
