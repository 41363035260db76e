#pragma once

#include "net/plugin_service.hpp"
#include "plugins/loader/plugin_host.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace nzl::apps {

/// `GET /v3/plugins` and `POST /v3/admin/plugins/reload` over the node's
/// plugin host. A reload touches the file system and the dynamic linker, so
/// it runs on this object's own thread, never on an io thread; at most a few
/// reloads wait (more are refused as overloaded).
class node_plugins final : public net::plugin_service {
public:
  explicit node_plugins(std::shared_ptr<plugins::plugin_host> host);
  ~node_plugins() override;
  node_plugins(const node_plugins&) = delete;
  node_plugins& operator=(const node_plugins&) = delete;

  nlohmann::json describe() const override;
  void reload(json_handler done) override;

private:
  void work();

  std::shared_ptr<plugins::plugin_host> host_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<json_handler> waiting_;
  bool stopping_ = false;
  std::thread worker_;
};

} // namespace nzl::apps
