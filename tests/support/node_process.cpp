// Starting and stopping node processes for integration tests. The model: the
// test process is the node's parent and the only one that signals or reaps
// it, by PID. The child writes to a file (never a pipe that could fill and
// block it); the parent learns the bound port from the "listening" log line,
// then waits for GET /ready. Every wait is bounded polling of a condition
// (the log's content, waitpid), never a sleep standing in for a state.
#include "tests/support/node_process.hpp"

#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nzl::test {

namespace fs = std::filesystem;
using namespace std::chrono;
using nlohmann::json;

namespace {

constexpr auto term_grace = seconds(5);
constexpr std::size_t tail_lines = 40;

// Forks and execs argv[0] with `argv`, stdin from /dev/null, stdout and
// stderr to `log` (truncated), in directory `cwd`. The child dies with the
// parent (PR_SET_PDEATHSIG), so a test killed by its ctest timeout leaves no
// node behind. Returns the PID, or -1 with `error` set.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, const fs::path& cwd,
            std::string& error, unsigned max_open_files = 0,
            const std::vector<std::pair<std::string, std::string>>& extra_env = {}) {
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The inherited environment with `extra_env` set over it (an empty value
  // removes the variable).
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string_view entry{*e};
    auto name = entry.substr(0, entry.find('='));
    bool overridden = std::any_of(extra_env.begin(), extra_env.end(),
                                  [&](const auto& kv) { return kv.first == name; });
    if (!overridden)
      env_text.emplace_back(entry);
  }
  for (const auto& [name, value] : extra_env)
    if (!value.empty())
      env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_text)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string cwd_text = cwd.string();
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    error = "cannot open " + log.string() + ": " + std::strerror(errno);
    return -1;
  }
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(127);
    if (in >= 0)
      ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    // Sockets of the test's clients must not leak into the node.
    if (::close_range(3, ~0U, 0) != 0)
      for (int fd = 3; fd < 65536; ++fd)
        ::close(fd);
    if (::chdir(cwd_text.c_str()) != 0)
      ::_exit(126);
    if (max_open_files > 0) {
      rlimit limit{max_open_files, max_open_files};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(out);
  if (in >= 0)
    ::close(in);
  if (pid < 0) {
    error = std::string{"fork: "} + std::strerror(fork_errno);
    return -1;
  }
  return pid;
}

// waitpid without blocking; the decoded status once the child exited.
std::optional<int> try_reap(pid_t pid) {
  int status = 0;
  pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == 0)
    return std::nullopt;
  if (r < 0)
    return -SIGKILL; // not our child any more (cannot happen): treat as gone
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

std::optional<int> reap_within(pid_t pid, milliseconds timeout) {
  std::optional<int> status;
  eventually([&] { return (status = try_reap(pid)).has_value(); }, timeout);
  return status;
}

int reap_blocking(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string tail_of(const std::string& text, std::size_t lines) {
  std::size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n')
    --pos;
  for (std::size_t n = 0; n < lines && pos > 0; ++n) {
    auto nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      pos = 0;
      break;
    }
    pos = nl;
  }
  return text.substr(pos == 0 ? 0 : pos + 1);
}

std::string describe_status(int status) {
  return status >= 0 ? "exit code " + std::to_string(status)
                     : "signal " + std::to_string(-status) + " (" + strsignal(-status) + ")";
}

// The port of "http":"127.0.0.1:PORT" in the node's "listening" line.
std::optional<std::uint16_t> listening_port(const std::string& log) {
  std::istringstream lines{log};
  std::string line;
  while (std::getline(lines, line)) {
    auto doc = json::parse(line, nullptr, false);
    if (!doc.is_object() || doc.value("event", "") != "listening")
      continue;
    auto http = doc.value("http", "");
    auto colon = http.rfind(':');
    if (colon == std::string::npos)
      return std::nullopt;
    int port = std::atoi(http.c_str() + colon + 1);
    if (port <= 0 || port > 65535)
      return std::nullopt;
    return static_cast<std::uint16_t>(port);
  }
  return std::nullopt;
}

} // namespace

fs::path node_binary() {
  const char* build = std::getenv("NZL_BUILD_DIR");
  return fs::path{build && *build ? build : "."} / "apps" / "noizylab-node";
}

json test_manifest(const node_options& options) {
  json region = {{"name", options.region},
                 {"http", {{"host", "127.0.0.1"}, {"port", 0}}},
                 {"cluster", {{"host", "127.0.0.1"}, {"port", 0}}},
                 {"io_threads", options.io_threads},
                 {"executor_threads", options.executor_threads}};
  if (!options.limits.empty())
    region["limits"] = options.limits;
  json manifest{{"version", 1}, {"cluster", {{"name", "it"}}}, {"regions", json::array({region})}};
  // Tests measure the node, not the default rate limit (1000/min): a tier
  // that never refuses, unless a test brings its own security section.
  manifest["security"] =
      json{{"rate_limit_tiers", {{"default", {{"quota", 1000000}, {"window_s", 1}}}}}};
  for (const auto& [section, value] : options.manifest_sections.items())
    manifest[section] = value;
  return manifest;
}

node_process::node_process(node_options options)
    : options_(std::move(options)), log_path_(dir_.path() / "node.log") {}

node_process::~node_process() {
  stop();
}

::testing::AssertionResult node_process::start() {
  if (pid_ > 0)
    return ::testing::AssertionFailure() << "node_process::start called twice";
  const auto binary = node_binary();
  if (!fs::exists(binary))
    return ::testing::AssertionFailure()
           << "no node binary at " << binary << " (ctest sets NZL_BUILD_DIR; set it by hand "
           << "when running the test executable directly)";
  const auto manifest = dir_.write("manifest.json", test_manifest(options_).dump(2));
  const std::vector<std::string> argv{binary.string(),
                                      "--manifest",
                                      manifest.string(),
                                      "--region",
                                      options_.region,
                                      "--data-dir",
                                      (dir_.path() / "data").string(),
                                      "--log-level",
                                      options_.log_level};
  std::string error;
  std::vector<std::pair<std::string, std::string>> env{
      {"NZL_NODE_KEY", std::string{test_node_key}},
      {"NZL_NODE_KEY_FILE", ""},
      {"NZL_BOOTSTRAP_ADMIN_KEY", std::string{test_admin_key}}};
  for (const auto& [name, value] : options_.env) {
    auto it =
        std::find_if(env.begin(), env.end(), [&](const auto& kv) { return kv.first == name; });
    if (it != env.end())
      it->second = value;
    else
      env.emplace_back(name, value);
  }
  pid_ = spawn(argv, log_path_, dir_.path(), error, options_.max_open_files, env);
  if (pid_ < 0)
    return ::testing::AssertionFailure() << "cannot start the node: " << error;

  const auto deadline = steady_clock::now() + options_.start_timeout;
  std::optional<std::uint16_t> port;
  eventually(
      [&] {
        if ((port = listening_port(log_text())))
          return true;
        exit_status_ = try_reap(pid_);
        return exit_status_.has_value();
      },
      options_.start_timeout);
  if (exit_status_)
    return ::testing::AssertionFailure()
           << "the node exited with " << describe_status(*exit_status_)
           << " before listening; its log:\n"
           << log_tail(tail_lines);
  if (!port)
    return ::testing::AssertionFailure()
           << "no \"listening\" log line within " << options_.start_timeout.count()
           << " ms; the node's log:\n"
           << log_tail(tail_lines);
  port_ = *port;

  unsigned last_status = 0;
  std::string last_error;
  bool ready = eventually(
      [&] {
        http_client client{port_, seconds(2)};
        auto reply = client.request("GET", "/ready");
        last_status = reply ? reply->status : 0;
        last_error = reply ? "" : client.error();
        return last_status == options_.ready_status;
      },
      duration_cast<milliseconds>(deadline - steady_clock::now()));
  if (!ready)
    return ::testing::AssertionFailure()
           << "GET /ready did not answer 200 in time (last: "
           << (last_status ? std::to_string(last_status) : last_error) << "); the node's log:\n"
           << log_tail(tail_lines);
  return ::testing::AssertionSuccess();
}

void node_process::send_signal(int sig) {
  if (pid_ > 0 && !exit_status_)
    ::kill(pid_, sig);
}

std::optional<int> node_process::wait_exit(milliseconds timeout) {
  if (pid_ <= 0 || exit_status_)
    return exit_status_;
  exit_status_ = reap_within(pid_, timeout);
  return exit_status_;
}

bool node_process::kill_hard() {
  if (pid_ <= 0 || exit_status_)
    return false;
  ::kill(pid_, SIGKILL);
  exit_status_ = reap_blocking(pid_);
  return true;
}

::testing::AssertionResult node_process::restart() {
  if (pid_ <= 0)
    return ::testing::AssertionFailure() << "node_process::restart before start";
  if (!exit_status_)
    return ::testing::AssertionFailure()
           << "node_process::restart: the node (pid " << pid_ << ") is still running";
  const auto old_log = log_text();
  check_sanitizer_reports(old_log);
  ++runs_;
  std::error_code ignored;
  fs::rename(log_path_, dir_.path() / ("node.log." + std::to_string(runs_)), ignored);
  pid_ = -1;
  exit_status_.reset();
  port_ = 0;
  return start();
}

std::string node_process::log_text() const {
  return read_file(log_path_);
}

std::vector<json> node_process::log_events(const std::string& event) const {
  std::vector<json> out;
  std::istringstream lines{log_text()};
  std::string line;
  while (std::getline(lines, line)) {
    auto doc = json::parse(line, nullptr, false);
    if (doc.is_object() && doc.value("event", "") == event)
      out.push_back(std::move(doc));
  }
  return out;
}

std::string node_process::log_tail(std::size_t lines) const {
  return tail_of(log_text(), lines);
}

void node_process::stop() {
  if (pid_ > 0 && !exit_status_) {
    // SIGTERM first, so that a sanitizer build still runs its exit checks
    // (LeakSanitizer); SIGKILL when the node does not stop in time.
    ::kill(pid_, SIGTERM);
    exit_status_ = reap_within(pid_, term_grace);
    if (exit_status_ && *exit_status_ != 0)
      ADD_FAILURE() << "the node exited with " << describe_status(*exit_status_)
                    << " after SIGTERM (expected exit code 0)";
    if (!exit_status_) {
      ADD_FAILURE() << "the node (pid " << pid_ << ") did not exit within "
                    << duration_cast<milliseconds>(term_grace).count()
                    << " ms of SIGTERM; killing it";
      ::kill(pid_, SIGKILL);
      exit_status_ = reap_blocking(pid_);
    }
  }
  if (pid_ <= 0)
    return;
  const auto log = log_text();
  check_sanitizer_reports(log);
  if (current_test_failed())
    std::cerr << "[ support  ] the node (pid " << pid_ << ", " << describe_status(*exit_status_)
              << ") logged, last " << tail_lines << " lines of " << log_path_.string() << ":\n"
              << tail_of(log, tail_lines) << '\n';
}

void node_process::check_sanitizer_reports(const std::string& log) const {
  for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"})
    if (log.find(report) != std::string::npos)
      ADD_FAILURE() << "the node's log holds a sanitizer report (\"" << report
                    << "\"); see its log in " << dir_.path().string();
}

cli_outcome run_node_cli(const std::vector<std::string>& args, milliseconds timeout) {
  temp_dir dir;
  std::vector<std::string> argv{node_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto log = dir.path() / "output.txt";
  std::string error;
  cli_outcome outcome;
  pid_t pid = spawn(argv, log, dir.path(), error, 0,
                    {{"NZL_NODE_KEY", std::string{test_node_key}}, {"NZL_NODE_KEY_FILE", ""}});
  if (pid < 0) {
    outcome.output = "cannot start the node: " + error;
    return outcome;
  }
  outcome.exit_status = reap_within(pid, timeout);
  if (!outcome.exit_status) {
    ::kill(pid, SIGKILL);
    reap_blocking(pid);
  }
  outcome.output = read_file(log);
  return outcome;
}

std::string print_webhook_secret(const node_process& node) {
  auto out = run_node_cli({"--manifest", (node.data_dir().parent_path() / "manifest.json").string(),
                           "--region", node.options().region, "--data-dir",
                           node.data_dir().string(), "--print-webhook-secret"});
  EXPECT_EQ(out.exit_status, 0) << out.output;
  return out.output.substr(0, out.output.find('\n'));
}

} // namespace nzl::test
