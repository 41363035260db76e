// The operator shell's pure parts: the node's command dispatch over fake
// hooks (answers, usage errors, audit), the shell's word splitting, help,
// endpoint parsing and rendering.
#include "actors/operator/operator_commands.hpp"
#include "apps/cloudagent/shell/operator_link.hpp"
#include "apps/cloudagent/shell/render.hpp"
#include "apps/cloudagent/shell/repl.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace nzl::cli::shell {
namespace {

using nlohmann::json;
namespace op = actors::operator_shell;

struct audited {
  std::string identity;
  std::string line;
  int status;
};

class CliShellCommandsTest : public ::testing::Test {
protected:
  CliShellCommandsTest() {
    hooks_.status = [] {
      return json{{"region", "r1"}};
    };
    hooks_.region = "r1";
    hooks_.queue_names = [] {
      return std::vector<std::string>{"a", "b"};
    };
    hooks_.queue_stats = [](std::string name, op::json_done done) {
      if (name == "b")
        return done(fail(errc::not_found, "no queue named 'b'"));
      done(json{{"depth", 3}});
    };
    hooks_.failover = [this](std::string from, std::string to, op::json_done done) {
      failover_ = from + ">" + to;
      done(json{{"drained", true}});
    };
    hooks_.keys_create = [this](json spec, op::json_done done) {
      spec_ = spec;
      done(json{{"id", "k_1"}});
    };
    hooks_.audit = [this](const std::string& who, const std::string& line, int status) {
      audit_.push_back({who, line, status});
    };
  }

  op::command_reply run(std::vector<std::string> words) {
    op::operator_commands commands{hooks_};
    std::optional<op::command_reply> reply;
    commands.run("local:7", std::move(words), [&](op::command_reply r) { reply = std::move(r); });
    EXPECT_TRUE(reply.has_value());
    return reply.value_or(op::command_reply{});
  }

  op::operator_hooks hooks_;
  std::string failover_;
  json spec_;
  std::vector<audited> audit_;
};

TEST_F(CliShellCommandsTest, AnswersAndAuditsEachCommand) {
  auto s = run({"status"});
  EXPECT_EQ(s.status, 0);
  EXPECT_EQ(s.body["region"], "r1");
  ASSERT_EQ(audit_.size(), 1u);
  EXPECT_EQ(audit_[0].identity, "local:7");
  EXPECT_EQ(audit_[0].line, "status");
  EXPECT_EQ(audit_[0].status, 0);
}

TEST_F(CliShellCommandsTest, QueuesGathersEveryQueueInOrder) {
  auto r = run({"queues"});
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(r.body["queues"].size(), 2u);
  EXPECT_EQ(r.body["queues"][0], (json{{"name", "a"}, {"depth", 3}}));
  EXPECT_EQ(r.body["queues"][1]["name"], "b");
  EXPECT_NE(r.body["queues"][1]["error"].get<std::string>().find("no queue"), std::string::npos);
  EXPECT_EQ(run({"queue", "b"}).status, 1);
}

TEST_F(CliShellCommandsTest, DrainActsOnThisRegionAndKeysCreateTakesScopes) {
  EXPECT_EQ(run({"drain"}).status, 0);
  EXPECT_EQ(failover_, "r1>");
  EXPECT_EQ(run({"failover", "x", "y"}).status, 0);
  EXPECT_EQ(failover_, "x>y");
  EXPECT_EQ(run({"keys", "create", "ci", "tasks:read", "admin"}).status, 0);
  EXPECT_EQ(spec_, (json{{"name", "ci"}, {"scopes", {"tasks:read", "admin"}}}));
}

TEST_F(CliShellCommandsTest, ActorsAnswersWhenTheProbeDoes) {
  // The node's probe answers later, on another thread: the command answers
  // then, once, and is audited then.
  op::json_done pending;
  hooks_.actors = [&pending](op::json_done done) {
    pending = std::move(done);
  };
  op::operator_commands commands{hooks_};
  std::optional<op::command_reply> reply;
  commands.run("local:7", {"actors"}, [&](op::command_reply r) { reply = std::move(r); });
  EXPECT_FALSE(reply.has_value());
  EXPECT_TRUE(audit_.empty());
  ASSERT_TRUE(pending);
  pending(json{{"actors", {{{"name", "region_node"}, {"wait_us", 12}}}}});
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 0);
  EXPECT_EQ(reply->body["actors"][0]["wait_us"], 12);
  ASSERT_EQ(audit_.size(), 1u);
  EXPECT_EQ(audit_[0].line, "actors");
}

TEST_F(CliShellCommandsTest, KickAnswersWhatTheHubDid) {
  hooks_.kick = [](std::string id) -> result<json> {
    if (id != "s1")
      return fail(errc::not_found, "no WebSocket session '" + id + "' on this node");
    return json{{"kicked", id}};
  };
  auto kicked = run({"kick", "s1"});
  EXPECT_EQ(kicked.status, 0);
  EXPECT_EQ(kicked.body["kicked"], "s1");
  auto unknown = run({"kick", "s2"});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.error.find("no WebSocket session 's2'"), std::string::npos) << unknown.error;
  EXPECT_EQ(run({"kick"}).status, 2);
}

TEST_F(CliShellCommandsTest, UsageErrorsAndMissingHooks) {
  EXPECT_EQ(run({}).status, 2);
  EXPECT_EQ(run({"nope"}).status, 2);
  EXPECT_EQ(run({"queue"}).status, 2);
  EXPECT_EQ(run({"queue", "a", "b"}).status, 2);
  EXPECT_EQ(run({"task", "a\x01"}).status, 2);
  EXPECT_EQ(run(std::vector<std::string>(17, "status")).status, 2);
  EXPECT_EQ(run({"task", std::string(300, 'a')}).status, 2);
  auto none = run({"kick", "s1"}); // no WebSocket hook
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.error.find("no WebSocket"), std::string::npos) << none.error;
  // Every one of them was audited.
  EXPECT_EQ(audit_.size(), 8u);
  EXPECT_EQ(audit_.back().status, 1);
  EXPECT_EQ(audit_.front().status, 2);
}

TEST(CliShellTest, FindsTwoWordCommandsFirst) {
  std::size_t n = 0;
  std::vector<std::string> w{"config", "show"};
  const auto* c = op::find_command(w, n);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "config show");
  EXPECT_EQ(n, 2u);
  std::vector<std::string> q{"queue", "x"};
  EXPECT_EQ(op::find_command(q, n)->name, "queue");
  EXPECT_EQ(n, 1u);
  std::vector<std::string> bad{"config"};
  EXPECT_EQ(op::find_command(bad, n), nullptr);
}

TEST(CliShellTest, AGroupAloneListsItsSubcommands) {
  EXPECT_EQ(op::unknown_command_message(std::vector<std::string>{"config"}),
            "'config' needs one of: config show, config reload");
  EXPECT_EQ(op::unknown_command_message(std::vector<std::string>{"keys", "rotate"}),
            "'keys' needs one of: keys list, keys create NAME [SCOPE...], keys revoke ID");
  // "queue" and "queues" are commands of their own, not a group.
  EXPECT_EQ(op::unknown_command_message(std::vector<std::string>{"nope"}),
            "unknown command 'nope' (try 'help')");
  EXPECT_EQ(op::unknown_command_message(std::vector<std::string>{"conf"}),
            "unknown command 'conf' (try 'help')");
}

TEST(CliShellTest, SplitsWordsWithBounds) {
  auto w = split_words("  queue \t default  ");
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, (std::vector<std::string>{"queue", "default"}));
  EXPECT_FALSE(split_words(std::string(300, 'x')));
  std::string many;
  for (int i = 0; i < 17; ++i)
    many += "a ";
  EXPECT_FALSE(split_words(many));
}

TEST(CliShellTest, ParsesOnlyHostAndPort) {
  auto v4 = parse_endpoint("127.0.0.1:7000");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 7000);
  auto v6 = parse_endpoint("[::1]:7000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  for (const char* bad :
       {"http://127.0.0.1:8081", "127.0.0.1", "h:0", "h:70000", ":1", "h:x", "::1:5"})
    EXPECT_FALSE(parse_endpoint(bad)) << bad;
  EXPECT_EQ(parse_endpoint("x").err().code, exit_code::usage);
}

TEST(CliShellTest, HelpListsEveryCommandAndOne) {
  auto all = help_text({"help"});
  for (const auto& c : op::command_table())
    EXPECT_NE(all.find(std::string{c.name}), std::string::npos) << c.name;
  EXPECT_NE(help_text({"help", "keys", "create"}).find("NAME [SCOPE...]"), std::string::npos);
  EXPECT_NE(help_text({"help", "zzz"}).find("no command"), std::string::npos);
}

TEST(CliShellTest, RendersScalarsThenTheFirstTable) {
  json body{{"region", "r1"},
            {"ready", true},
            {"actors", {{{"name", "a"}, {"mailbox", 1}}, {{"name", "bb"}, {"count", 2}}}}};
  EXPECT_EQ(render_answer("actors", body), "ready:   yes\n"
                                           "region:  r1\n"
                                           "\n"
                                           "NAME  MAILBOX  COUNT\n"
                                           "a     1        -\n"
                                           "bb    -        2\n");
  EXPECT_EQ(render_answer("status", json{{"a", "\x1b[2J"}}), "a:  ?[2J\n");
  EXPECT_EQ(render_answer("config show", json{{"a", 1}}), "{\n  \"a\": 1\n}\n");
}

} // namespace
} // namespace nzl::cli::shell
