// The operator shell against real nodes (issue 10): every command through
// `cloudagent shell --node HOST:PORT -c CMD --json`, the audit record of each,
// an interactive session under a pseudo-terminal (TAB completion, history
// with the up arrow), a node that dies under an open shell, and the node's
// refusal to publish the endpoint off loopback without TLS. Every wait is a
// bounded poll; no timing is asserted.
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/ws_client.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <poll.h>
#include <pty.h>
#include <regex>
#include <sys/wait.h>
#include <unistd.h>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct cli_run {
  int exit_code = -1;
  std::string out; ///< stdout
  std::string err; ///< stderr
};

// Runs `cloudagent shell --node <endpoint> -c <command> [--json]`.
cli_run shell_c(const std::string& endpoint, const std::string& command, bool json_out = true) {
  temp_dir dir;
  const auto err_path = dir.path() / "stderr";
  // The command is single-quoted for /bin/sh; no test command has a quote.
  std::string line = std::string{NZL_CLOUDAGENT} + " shell --node " + endpoint +
                     " --timeout-ms 10000 -c '" + command + "'" + (json_out ? " --json" : "") +
                     " 2>" + err_path.string();
  cli_run r;
  FILE* pipe = ::popen(line.c_str(), "r");
  if (pipe == nullptr)
    return r;
  char buf[1024];
  while (std::fgets(buf, sizeof buf, pipe))
    r.out += buf;
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e{err_path};
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  return r;
}

json parsed(const cli_run& r) {
  return json::parse(r.out, nullptr, false);
}

// The operator endpoint of node `i`, from its "operator_listening" line.
std::string operator_endpoint(node_process& node) {
  std::string address;
  eventually(
      [&] {
        auto events = node.log_events("operator_listening");
        if (events.empty())
          return false;
        address = events.front().value("address", "");
        return !address.empty();
      },
      20s);
  return address;
}

json operator_on_loopback() {
  return json{{"operator", {{"host", "127.0.0.1"}, {"port", 0}}}};
}

// The node's audit records of shell commands, waited for until there are at
// least `at_least` (the audit is written behind the reply).
json shell_audit_records(std::uint16_t http_port, std::size_t at_least) {
  http_client h{http_port};
  json records = json::array();
  (void)eventually(
      [&] {
        auto r = h.request("GET", "/v3/admin/audit?limit=1000");
        if (!r || r->status != 200)
          return false;
        records = json::array();
        const json body = r->json();
        for (const auto& rec : body.value("records", json::array()))
          if (rec.value("method", "") == "SHELL")
            records.push_back(rec);
        return records.size() >= at_least;
      },
      20s);
  return records;
}

// A node with an operator endpoint on loopback: alone (one region), or the
// first of a two-region cluster for the commands that drain and fail over.
class ShellFixture : public ::testing::Test {
protected:
  explicit ShellFixture(bool two_regions)
      : cluster_(two_regions ? std::vector<std::string>{"us-east", "eu-west"}
                             : std::vector<std::string>{"us-east"},
                 two_regions ? json{{"routing",
                                     {{"default", "us-east"}, {"countries", {{"FR", "eu-west"}}}}}}
                             : json::object(),
                 {operator_on_loopback(), json::object()}) {}

  void SetUp() override {
    for (std::size_t i = 0; i < cluster_.size(); ++i)
      ASSERT_TRUE(cluster_.node(i).start());
    endpoint_ = operator_endpoint(cluster_.node(0));
    ASSERT_FALSE(endpoint_.empty()) << cluster_.node(0).log_text();
  }

  cluster_process cluster_;
  std::string endpoint_;
};

class ShellTest : public ShellFixture {
protected:
  ShellTest() : ShellFixture(false) {}
};

class ShellClusterTest : public ShellFixture {
protected:
  ShellClusterTest() : ShellFixture(true) {}
};

TEST_F(ShellTest, StatusActorsAndConfig) {
  auto status = shell_c(endpoint_, "status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto s = parsed(status);
  EXPECT_EQ(s.value("region", ""), "us-east") << status.out;
  EXPECT_EQ(s.value("ready", false), true) << status.out;

  auto actors = shell_c(endpoint_, "actors");
  ASSERT_EQ(actors.exit_code, 0) << actors.err;
  EXPECT_TRUE(parsed(actors)["actors"].is_array()) << actors.out;
  EXPECT_NE(actors.out.find("operator"), std::string::npos);

  auto show = shell_c(endpoint_, "config show");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(parsed(show)["regions"].size(), 1u) << show.out;

  auto reload = shell_c(endpoint_, "config reload");
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_EQ(parsed(reload)["valid"], true) << reload.out;

  auto level = shell_c(endpoint_, "log-level debug");
  ASSERT_EQ(level.exit_code, 0) << level.err;
  EXPECT_EQ(parsed(level)["log_level"], "debug");
  EXPECT_EQ(shell_c(endpoint_, "log-level loud").exit_code, 1);

  // A table without --json.
  auto table = shell_c(endpoint_, "actors", false);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("NAME", 0), 0u) << table.out;
}

TEST_F(ShellTest, QueuesAndTasks) {
  http_client c{cluster_.http_port(0)};
  auto queued = c.post("/v3/tasks", R"({"type":"echo","payload":{"x":1},"options":{"async":true}})",
                       {{"CF-IPCountry", "US"}});
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->status, 202u) << queued->body;
  const std::string id = queued->json()["id"];

  auto queues = shell_c(endpoint_, "queues");
  ASSERT_EQ(queues.exit_code, 0) << queues.err;
  EXPECT_EQ(parsed(queues)["queues"][0]["name"], "default") << queues.out;
  auto queue = shell_c(endpoint_, "queue default");
  EXPECT_EQ(queue.exit_code, 0) << queue.err;
  EXPECT_EQ(shell_c(endpoint_, "queue nope").exit_code, 1);

  EXPECT_TRUE(eventually(
      [&] {
        auto t = shell_c(endpoint_, "task " + id);
        return t.exit_code == 0 && parsed(t).value("status", "") == "completed";
      },
      30s))
      << shell_c(endpoint_, "task " + id).out;
  // A finished task can be neither cancelled nor retried: the node says so.
  auto cancel = shell_c(endpoint_, "cancel " + id);
  EXPECT_NE(cancel.exit_code, 2) << cancel.err;
  auto retry = shell_c(endpoint_, "retry " + id);
  EXPECT_EQ(retry.exit_code, 1) << retry.out;
  EXPECT_FALSE(retry.err.empty());
  EXPECT_EQ(shell_c(endpoint_, "task").exit_code, 2);
}

TEST_F(ShellClusterTest, SessionsDrainFailoverAndKeys) {
  auto sessions = shell_c(endpoint_, "sessions");
  ASSERT_EQ(sessions.exit_code, 0) << sessions.err;
  EXPECT_EQ(parsed(sessions)["count"], 0) << sessions.out;
  {
    ws_client ws;
    ASSERT_TRUE(ws.connect(cluster_.http_port(0)));
    json listed;
    EXPECT_TRUE(eventually(
        [&] {
          listed = parsed(shell_c(endpoint_, "sessions"));
          return listed.value("count", 0) == 1;
        },
        20s))
        << listed;
    ASSERT_EQ(listed["sessions"].size(), 1u) << listed;
    EXPECT_EQ(listed["sessions"][0]["attached"], true) << listed;
    EXPECT_FALSE(listed["sessions"][0].value("id", "").empty()) << listed;
  }

  auto drain = shell_c(endpoint_, "drain eu-west");
  ASSERT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_EQ(parsed(drain)["drained"], true) << drain.out;
  auto undrain = shell_c(endpoint_, "undrain");
  ASSERT_EQ(undrain.exit_code, 0) << undrain.err;
  EXPECT_EQ(parsed(undrain)["drained"], false) << undrain.out;

  // Drains of the other region travel over the cluster link.
  EXPECT_TRUE(eventually(
      [&] { return shell_c(endpoint_, "failover eu-west us-east").exit_code == 0; }, 20s));
  EXPECT_TRUE(
      eventually([&] { return shell_c(endpoint_, "failback eu-west").exit_code == 0; }, 20s));
  EXPECT_EQ(shell_c(endpoint_, "failover mars").exit_code, 1);

  auto created = shell_c(endpoint_, "keys create shell-made tasks:read");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string key_id = parsed(created).value("id", "");
  ASSERT_FALSE(key_id.empty()) << created.out;
  auto list = shell_c(endpoint_, "keys list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(key_id), std::string::npos);
  auto revoked = shell_c(endpoint_, "keys revoke " + key_id);
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_EQ(shell_c(endpoint_, "keys create").exit_code, 2);
  EXPECT_EQ(shell_c(endpoint_, "keys create x root").exit_code, 1);

  // Usage errors are found before or by the node, with exit 2.
  EXPECT_EQ(shell_c(endpoint_, "frobnicate").exit_code, 2);
  auto help = shell_c(endpoint_, "help queue", false);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("queue NAME"), std::string::npos) << help.out;
}

TEST_F(ShellTest, QueuesListsEveryQueueOfTheNode) {
  // Queues are named by the tasks (options.queue); the manifest's `queues`
  // section sets what they share. Two queues: "default" and "emails".
  http_client c{cluster_.http_port(0)};
  for (const char* queue : {"default", "emails"}) {
    auto queued = c.post("/v3/tasks",
                         json{{"type", "echo"},
                              {"payload", {{"x", 1}}},
                              {"options", {{"async", true}, {"queue", queue}}}}
                             .dump(),
                         {{"CF-IPCountry", "US"}});
    ASSERT_TRUE(queued);
    ASSERT_EQ(queued->status, 202u) << queued->body;
  }
  auto queues = shell_c(endpoint_, "queues");
  ASSERT_EQ(queues.exit_code, 0) << queues.err;
  auto rows = parsed(queues)["queues"];
  ASSERT_EQ(rows.size(), 2u) << queues.out;
  EXPECT_EQ(rows[0]["name"], "default") << queues.out;
  EXPECT_EQ(rows[1]["name"], "emails") << queues.out;
  EXPECT_FALSE(rows[1].contains("error")) << queues.out;
  EXPECT_EQ(shell_c(endpoint_, "queue emails").exit_code, 0);
}

TEST_F(ShellTest, ActorsProbesTheRuntimeActors) {
  http_client c{cluster_.http_port(0)};
  auto queued = c.post("/v3/tasks", R"({"type":"echo","payload":{"x":1},"options":{"async":true}})",
                       {{"CF-IPCountry", "US"}});
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->status, 202u) << queued->body;

  auto actors = shell_c(endpoint_, "actors");
  ASSERT_EQ(actors.exit_code, 0) << actors.err;
  const auto answer = parsed(actors);
  json by_name = json::object();
  for (const auto& row : answer["actors"])
    by_name[row.value("name", "?")] = row;
  // An idle node answers every probe well within its timeout: each row of
  // the runtime has a measured wait (its value is not asserted).
  for (const char* name : {"region_node", "storage_writer", "queue:default", "analytics"}) {
    ASSERT_TRUE(by_name.contains(name)) << name << " in " << actors.out;
    EXPECT_TRUE(by_name[name]["wait_us"].is_number_integer()) << by_name[name];
    EXPECT_TRUE(by_name[name]["mailbox"].is_number_unsigned()) << by_name[name];
  }
  EXPECT_TRUE(by_name["operator"]["mailbox"].is_number_integer()) << actors.out;
  EXPECT_TRUE(by_name["executors"]["wait_us"].is_null()) << actors.out;
}

// The cluster link actor answers a probe on its own thread, with its
// mailbox size; the node still
// stops cleanly afterwards (node_process checks the exit), which a probe
// actor spawned into another actor system once prevented.
TEST_F(ShellClusterTest, ActorsProbesTheClusterLinkAndTheAnalytics) {
  auto actors = shell_c(endpoint_, "actors");
  ASSERT_EQ(actors.exit_code, 0) << actors.err;
  const auto answer = parsed(actors);
  json by_name = json::object();
  for (const auto& row : answer["actors"])
    by_name[row.value("name", "?")] = row;
  for (const char* name : {"cluster_link", "analytics", "region_node"}) {
    ASSERT_TRUE(by_name.contains(name)) << name << " in " << actors.out;
    EXPECT_TRUE(by_name[name]["wait_us"].is_number_integer()) << by_name[name];
    EXPECT_TRUE(by_name[name]["mailbox"].is_number_unsigned()) << by_name[name];
  }
}

TEST_F(ShellTest, ConfigReloadAppliesTheTiersAndNamesWhatNeedsARestart) {
  const auto path = cluster_.node(0).dir() / "manifest.json";
  json manifest;
  {
    std::ifstream in{path};
    manifest = json::parse(in, nullptr, false);
  }
  ASSERT_TRUE(manifest.is_object()) << path;
  manifest["security"]["rate_limit_tiers"]["default"]["quota"] = 5;
  manifest["queues"]["max_backlog"] = 77;
  {
    std::ofstream out{path, std::ios::trunc};
    out << manifest.dump(2);
  }
  auto reload = shell_c(endpoint_, "config reload");
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  auto r = parsed(reload);
  EXPECT_EQ(r["valid"], true) << reload.out;
  EXPECT_EQ(r["changed"], json({"queues", "security"})) << reload.out;
  // The rate-limit tiers apply live; the queue limit needs a restart.
  EXPECT_EQ(r["applied"], json({"security.rate_limit_tiers.default.quota"})) << reload.out;
  EXPECT_EQ(r["restart_needed"], json({"queues.max_backlog"})) << reload.out;
  ASSERT_EQ(r["fields"].size(), 2u) << reload.out;
  EXPECT_EQ(r["fields"][0]["action"], "needs restart") << reload.out;
  EXPECT_EQ(r["fields"][1]["action"], "applied") << reload.out;
  // The next request is limited by the new quota, and says so.
  http_client c{cluster_.http_port(0)};
  auto after = c.request("GET", "/v3/cluster");
  ASSERT_TRUE(after) << c.error();
  EXPECT_NE(after->header("RateLimit-Policy").find("q=5;"), std::string::npos)
      << after->header("RateLimit-Policy");

  // An invalid manifest is refused and nothing changes.
  manifest["queues"]["max_backlog"] = -1;
  {
    std::ofstream out{path, std::ios::trunc};
    out << manifest.dump(2);
  }
  auto bad = shell_c(endpoint_, "config reload");
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.err.find("does not validate"), std::string::npos) << bad.err;
}

TEST_F(ShellTest, KickClosesTheSessionWith1008AndItCannotBeResumed) {
  ws_client ws;
  ASSERT_TRUE(ws.connect(cluster_.http_port(0)));
  auto welcome = ws.recv_type("welcome");
  ASSERT_TRUE(welcome);
  const std::string id = (*welcome).value("session", "");
  ASSERT_FALSE(id.empty()) << *welcome;

  auto listed = parsed(shell_c(endpoint_, "sessions"));
  ASSERT_EQ(listed["sessions"].size(), 1u) << listed;
  EXPECT_EQ(listed["sessions"][0]["id"], id) << listed;

  auto kicked = shell_c(endpoint_, "kick " + id);
  ASSERT_EQ(kicked.exit_code, 0) << kicked.err;
  EXPECT_EQ(parsed(kicked)["kicked"], id) << kicked.out;
  EXPECT_EQ(ws.wait_close(), 1008u);

  // The same key cannot resume it: no resume window after a kick.
  ws_client again;
  ASSERT_TRUE(again.connect(cluster_.http_port(0)));
  ASSERT_TRUE(again.recv_type("welcome"));
  ASSERT_TRUE(again.send(json{{"type", "resume"}, {"id", 1}, {"session", id}, {"last_seq", 0}}));
  auto refused = again.recv_type("error");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused).value("code", ""), "session_not_found") << *refused;

  // Kicked once only; an unknown session is refused by the node.
  EXPECT_EQ(shell_c(endpoint_, "kick " + id).exit_code, 1);
  EXPECT_EQ(shell_c(endpoint_, "kick nope").exit_code, 1);
}

TEST_F(ShellTest, EveryCommandIsAudited) {
  ASSERT_EQ(shell_c(endpoint_, "status").exit_code, 0);
  ASSERT_EQ(shell_c(endpoint_, "queue nope").exit_code, 1);
  json records = shell_audit_records(cluster_.http_port(0), 2);
  ASSERT_GE(records.size(), 2u);
  bool status_seen = false;
  bool queue_seen = false;
  const std::string me = "local:" + std::to_string(::getuid());
  for (const auto& rec : records) {
    EXPECT_EQ(rec.value("key_id", ""), me) << rec;
    status_seen = status_seen || rec.value("path", "") == "status";
    queue_seen = queue_seen || rec.value("path", "") == "queue nope";
  }
  EXPECT_TRUE(status_seen) << records;
  EXPECT_TRUE(queue_seen) << records;
}

// A cloudagent shell on a pseudo-terminal.
class pty_shell {
public:
  pty_shell(const std::string& endpoint, const std::string& home) {
    pid_ = ::forkpty(&fd_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      ::setenv("HOME", home.c_str(), 1);
      ::setenv("TERM", "xterm", 1);
      ::execl(NZL_CLOUDAGENT, NZL_CLOUDAGENT, "shell", "--node", endpoint.c_str(), nullptr);
      ::_exit(127);
    }
  }
  ~pty_shell() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0)
      ::close(fd_);
  }
  bool started() const { return pid_ > 0 && fd_ >= 0; }
  void type(const std::string& keys) { (void)!::write(fd_, keys.data(), keys.size()); }
  // Reads until `text` appears in everything read so far (bounded).
  bool wait_for(const std::string& text, std::size_t occurrences = 1) {
    return eventually(
        [&] {
          pollfd p{fd_, POLLIN, 0};
          while (::poll(&p, 1, 50) > 0) {
            char buf[4096];
            auto n = ::read(fd_, buf, sizeof buf);
            if (n <= 0)
              break;
            screen_.append(buf, static_cast<std::size_t>(n));
          }
          std::size_t count = 0;
          for (auto at = screen_.find(text); at != std::string::npos;
               at = screen_.find(text, at + 1))
            ++count;
          return count >= occurrences;
        },
        20s);
  }
  // The exit code once it ended (bounded), -1 otherwise.
  int wait_exit() {
    int code = -1;
    eventually(
        [&] {
          pollfd p{fd_, POLLIN, 0};
          while (::poll(&p, 1, 20) > 0) {
            char buf[4096];
            auto n = ::read(fd_, buf, sizeof buf);
            if (n <= 0)
              break;
            screen_.append(buf, static_cast<std::size_t>(n));
          }
          int status = 0;
          if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped_ = true;
            code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            return true;
          }
          return false;
        },
        20s);
    return code;
  }
  const std::string& screen() const { return screen_; }

private:
  int fd_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string screen_;
};

TEST_F(ShellClusterTest, InteractiveCompletionAndHistory) {
  temp_dir home;
  pty_shell sh{endpoint_, home.path().string()};
  ASSERT_TRUE(sh.started());
  ASSERT_TRUE(sh.wait_for("> ")) << sh.screen();
  // "sta" + TAB completes to "status" (libedit redraws only the rest of
  // the word); Enter runs it.
  sh.type("sta\t");
  ASSERT_TRUE(sh.wait_for("tus")) << sh.screen();
  sh.type("\r");
  ASSERT_TRUE(sh.wait_for("region:")) << sh.screen();
  // Up arrow brings "status" back; Enter runs it again.
  sh.type("\x1b[A\r");
  ASSERT_TRUE(sh.wait_for("region:", 2)) << sh.screen();
  // Region names complete after failback: "eu-" + TAB runs on eu-west.
  sh.type("failback eu-\t\r");
  ASSERT_TRUE(sh.wait_for("drained:")) << sh.screen();
  // Keys are aligned to the longest one, so the padding is not fixed.
  EXPECT_TRUE(std::regex_search(sh.screen(), std::regex{"region: +eu-west"})) << sh.screen();
  sh.type("quit\r");
  EXPECT_EQ(sh.wait_exit(), 0) << sh.screen();
  std::ifstream history{home.path() / ".cloudagent_history"};
  std::string text{std::istreambuf_iterator<char>(history), {}};
  EXPECT_NE(text.find("status"), std::string::npos) << text;
}

TEST_F(ShellTest, NodeDeathEndsTheSessionWithAClearMessage) {
  temp_dir home;
  pty_shell sh{endpoint_, home.path().string()};
  ASSERT_TRUE(sh.started());
  ASSERT_TRUE(sh.wait_for("> ")) << sh.screen();
  ASSERT_TRUE(cluster_.node(0).kill_hard());
  sh.type("status\r");
  EXPECT_EQ(sh.wait_exit(), 3) << sh.screen();
  EXPECT_TRUE(sh.screen().find("went away") != std::string::npos ||
              sh.screen().find("is gone") != std::string::npos)
      << sh.screen();
  // And a new shell cannot connect: exit 3 with the address.
  auto r = shell_c(endpoint_, "status");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(endpoint_), std::string::npos) << r.err;
}

// Makes a CA in `dir` named `ca` and certificates signed by it (openssl
// command, EC P-256); false if openssl failed.
bool make_ca(const std::filesystem::path& dir, const std::string& ca,
             const std::vector<std::string>& names) {
  const auto d = dir.string() + "/";
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
  std::string script = "set -e; cd " + d + "; openssl req -x509" + ec + "-keyout " + ca +
                       ".key -out " + ca + ".pem -days 2 -subj /CN=" + ca + " 2>/dev/null; ";
  for (const auto& n : names)
    script += "openssl req" + ec + "-keyout " + n + ".key -out " + n + ".csr -subj /CN=" + n +
              " 2>/dev/null; openssl x509 -req -in " + n + ".csr -CA " + ca + ".pem -CAkey " + ca +
              ".key -CAcreateserial -out " + n + ".pem -days 2 2>/dev/null; ";
  return std::system(("/bin/sh -c '" + script + "'").c_str()) == 0;
}

// One node with cluster TLS (its certificate node.pem/node.key, issued by a
// CA made in `certs_`) and its operator endpoint on loopback.
class ShellTlsTest : public ::testing::Test {
protected:
  std::string at(const std::string& file) const { return (certs_.path() / file).string(); }

  // Runs shell `commands` (openssl) in the certificate directory.
  bool in_certs(const std::string& commands) const {
    const std::string script = "set -e; cd " + certs_.path().string() + "; " + commands;
    return std::system(("/bin/sh -c '" + script + "'").c_str()) == 0;
  }

  // Use with ASSERT_NO_FATAL_FAILURE.
  void start_node(const std::string& ca) {
    node_ = std::make_unique<cluster_process>(std::vector<std::string>{"us-east"},
                                              json{{"tls",
                                                    {{"cert_file", at("node.pem")},
                                                     {"key_file", at("node.key")},
                                                     {"ca_file", at(ca + ".pem")}}}},
                                              std::vector<json>{operator_on_loopback()});
    ASSERT_TRUE(node_->node(0).start());
    endpoint_ = operator_endpoint(node_->node(0));
    ASSERT_FALSE(endpoint_.empty()) << node_->node(0).log_text();
  }

  // `shell -c command` with a certificate, its key and the CA it trusts.
  cli_run shell_with(const std::string& cert, const std::string& key, const std::string& ca,
                     const std::string& command) const {
    return shell_c(endpoint_ + " --cert " + at(cert) + " --cert-key " + at(key) + " --cacert " +
                       at(ca),
                   command);
  }

  // The first audit record of a shell command.
  json first_shell_audit() const {
    json records = shell_audit_records(node_->http_port(0), 1);
    return records.empty() ? json::object() : records.front();
  }

  temp_dir certs_;
  std::unique_ptr<cluster_process> node_;
  std::string endpoint_;
};

TEST_F(ShellTlsTest, OnlyAShellWithACertificateOfTheClusterCaGetsIn) {
  ASSERT_TRUE(make_ca(certs_.path(), "cluster-ca", {"node", "operator"}));
  ASSERT_TRUE(make_ca(certs_.path(), "other-ca", {"intruder"}));
  ASSERT_NO_FATAL_FAILURE(start_node("cluster-ca"));

  auto ok = shell_with("operator.pem", "operator.key", "cluster-ca.pem", "status");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(parsed(ok).value("region", ""), "us-east") << ok.out;

  auto plain = shell_c(endpoint_, "status");
  EXPECT_EQ(plain.exit_code, 3) << plain.out;
  auto foreign = shell_with("intruder.pem", "intruder.key", "other-ca.pem", "status");
  EXPECT_EQ(foreign.exit_code, 3) << foreign.out;
  // A certificate of another CA, trusting the cluster CA: the node refuses.
  auto half = shell_with("intruder.pem", "intruder.key", "cluster-ca.pem", "status");
  EXPECT_EQ(half.exit_code, 3) << half.out;

  // The shell's command was audited under its certificate's subject (the
  // node checked the shell's signature, not a name the shell claimed).
  const json audited = first_shell_audit();
  EXPECT_EQ(audited.value("key_id", ""), "CN=operator") << audited.dump();
  EXPECT_EQ(audited.value("path", ""), "status") << audited.dump();
  EXPECT_EQ(audited.value("status", 0), 200) << audited.dump();
}

// A certificate of the cluster CA gets through the TLS link, but one whose
// key usage does not allow signatures cannot prove a command: our check
// (not CAF's) refuses it, exit 1, and audits it as unverified with 401.
TEST_F(ShellTlsTest, TheNodeRefusesAndAuditsACommandItsCheckDoesNotAccept) {
  ASSERT_TRUE(make_ca(certs_.path(), "cluster-ca", {"node"}));
  // An operator certificate for key agreement only (EC): the TLS handshake
  // takes it, the node's signature check does not.
  ASSERT_TRUE(in_certs(
      "printf \"keyUsage=critical,keyAgreement\\n\" > nosign.ext; openssl req -newkey ec "
      "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout nosign.key -out nosign.csr -subj "
      "/CN=nosign 2>/dev/null; openssl x509 -req -in nosign.csr -CA cluster-ca.pem -CAkey "
      "cluster-ca.key -CAcreateserial -out nosign.pem -days 2 -extfile nosign.ext 2>/dev/null"));
  ASSERT_NO_FATAL_FAILURE(start_node("cluster-ca"));
  auto r = shell_with("nosign.pem", "nosign.key", "cluster-ca.pem", "status");
  if (r.exit_code == 3)
    GTEST_SKIP() << "the TLS link itself refused the certificate: " << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("does not allow digital signatures"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  const json audited = first_shell_audit();
  EXPECT_EQ(audited.value("key_id", ""), "unverified:CN=nosign") << audited.dump();
  EXPECT_EQ(audited.value("status", 0), 401) << audited.dump();
  EXPECT_NE(node_->node(0).log_text().find("operator_refused"), std::string::npos);
}

// An operator certificate issued with the commands of docs/operations.md
// ("Operator certificates"): RSA here, to cover the other key type end to
// end; the audit key is its RFC 2253 subject.
TEST_F(ShellTlsTest, AnOperatorCertificateIssuedAsDocumentedIsAuditedBySubject) {
  ASSERT_TRUE(make_ca(certs_.path(), "ca", {"node"}));
  ASSERT_TRUE(in_certs(
      "openssl req -newkey rsa:2048 -nodes -keyout alice.key -out alice.csr -subj "
      "/O=ops/CN=alice 2>/dev/null; printf \"keyUsage=critical,digitalSignature\\n"
      "extendedKeyUsage=clientAuth\\n\" > operator.ext; openssl x509 -req -in alice.csr -CA "
      "ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile operator.ext -out alice.crt "
      "2>/dev/null"));
  ASSERT_NO_FATAL_FAILURE(start_node("ca"));
  auto r = shell_with("alice.crt", "alice.key", "ca.pem", "actors");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A key that is not the certificate's is a usage error, found before
  // connecting.
  auto wrong = shell_with("alice.crt", "node.key", "ca.pem", "status");
  EXPECT_EQ(wrong.exit_code, 2) << wrong.err;
  EXPECT_NE(wrong.err.find("not the certificate's key"), std::string::npos) << wrong.err;

  const json audited = first_shell_audit();
  EXPECT_EQ(audited.value("key_id", ""), "CN=alice,O=ops") << audited.dump();
  EXPECT_EQ(audited.value("path", ""), "actors") << audited.dump();
}

TEST(ShellRefusalTest, NodeRefusesAnOperatorEndpointOffLoopbackWithoutTls) {
  cluster_process c({"us-east"}, json::object(),
                    {json{{"operator", {{"host", "0.0.0.0"}, {"port", 0}}}}});
  auto started = c.node(0).start();
  EXPECT_FALSE(started);
  EXPECT_EQ(c.node(0).wait_exit(20s), 2);
  EXPECT_NE(c.node(0).log_text().find("needs cluster TLS"), std::string::npos)
      << c.node(0).log_text();
}

} // namespace
} // namespace nzl::test
