#pragma once

#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nzl::test {

/// How to start a node for a test.
struct node_options {
  std::string region = "test-region";
  /// The region's `limits` object of the manifest (see manifest.schema.json);
  /// the node's own defaults hold for every limit not named here.
  nlohmann::json limits = nlohmann::json::object();
  unsigned io_threads = 2;
  unsigned executor_threads = 2;
  std::string log_level = "info"; ///< debug or info: start() reads the "listening" line
  /// Extra top-level manifest sections ("queues", "webhooks", "egress", ...),
  /// each written as given; empty: the node's defaults.
  nlohmann::json manifest_sections = nlohmann::json::object();
  /// RLIMIT_NOFILE of the node process (0: inherit), to test running out of
  /// descriptors.
  unsigned max_open_files = 0;
  /// Environment variables set for the node besides the inherited ones.
  /// Defaults give it the test node key and bootstrap the test admin key
  /// (see http_client.hpp); a test may override or clear ("") them.
  std::vector<std::pair<std::string, std::string>> env;
  /// What GET /ready answers once the node runs: 200, or 403 for a test
  /// whose IP rules refuse the loopback client.
  unsigned ready_status = 200;
  /// Bound on start-up: the "listening" log line, then GET /ready == ready_status.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(20);
};

/// The manifest a node_process starts with: one region named
/// `options.region`, HTTP and cluster on 127.0.0.1 port 0, `options.limits`,
/// and the top-level sections of `options.manifest_sections`.
[[nodiscard]] nlohmann::json test_manifest(const node_options& options);

/// The path of the node binary: "$NZL_BUILD_DIR/apps/noizylab-node" (ctest
/// sets NZL_BUILD_DIR for every test).
[[nodiscard]] std::filesystem::path node_binary();

/// One `noizylab-node` child process, started with a generated manifest in
/// its own temp dir (HTTP and cluster port 0, data dir inside the temp dir),
/// its stdout and stderr going to `node.log` there. The destructor always
/// stops it (SIGTERM, then SIGKILL after a bounded wait) and reaps it; when
/// the current test failed it prints the tail of the node's log. If the test
/// process dies, the kernel kills the node (PR_SET_PDEATHSIG).
///
/// Not thread-safe; use it from the test's main thread.
class node_process {
public:
  explicit node_process(node_options options = {});
  ~node_process();
  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;

  /// Starts the node and waits (bounded) for its "listening" line and for
  /// GET /ready to answer 200. On failure the message says why and holds the
  /// log's tail: `ASSERT_TRUE(node.start())`.
  [[nodiscard]] ::testing::AssertionResult start();

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  /// The node's `--data-dir` (inside dir(); the same across restart()).
  [[nodiscard]] std::filesystem::path data_dir() const { return dir_.path() / "data"; }
  [[nodiscard]] const node_options& options() const noexcept { return options_; }

  /// Sends `sig` to the node (only while it has not been reaped).
  void send_signal(int sig);

  /// Waits (polling, bounded) for the node to exit and reaps it. Returns its
  /// exit code, or -N when signal N killed it; nullopt if it was still running
  /// after `timeout`. Once reaped, later calls return the same status.
  [[nodiscard]] std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  /// Crashes the node: SIGKILL (no drain, no exit handlers), then reaps it.
  /// True when it was running and is now gone.
  bool kill_hard();

  /// Starts the node again, with the same manifest and data directory, once
  /// the previous run has exited (kill_hard, or wait_exit after a signal).
  /// The previous run's log is kept as node.log.<run> (and checked for
  /// sanitizer reports); the port is a new one. As start(): bounded, and
  /// `ASSERT_TRUE(node.restart())`.
  [[nodiscard]] ::testing::AssertionResult restart();

  /// Everything the node wrote to stdout and stderr so far (this run).
  [[nodiscard]] std::string log_text() const;

  /// The JSON log lines whose "event" is `event`, in order.
  [[nodiscard]] std::vector<nlohmann::json> log_events(const std::string& event) const;

private:
  [[nodiscard]] std::string log_tail(std::size_t lines) const;
  void stop();
  void check_sanitizer_reports(const std::string& log) const;

  node_options options_;
  temp_dir dir_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::uint16_t port_ = 0;
  unsigned runs_ = 0; ///< finished runs before the current one (restart)
};

/// The outcome of a node run to completion (for command-line tests).
struct cli_outcome {
  std::optional<int> exit_status; ///< as node_process::wait_exit; nullopt: killed after the bound
  std::string output;             ///< stdout and stderr, interleaved
};

/// Runs the node binary with `args` (the working directory is a fresh temp
/// dir) until it exits or `timeout` passes (then it is killed).
[[nodiscard]] cli_outcome
run_node_cli(const std::vector<std::string>& args,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// The node's webhook secret as an operator gets it: `noizylab-node
/// --print-webhook-secret` on its manifest and data directory (the first
/// line of the output). Fails the test when the command does.
[[nodiscard]] std::string print_webhook_secret(const node_process& node);

} // namespace nzl::test
