// Key replication between two security stores over an in-process pair of
// peer links (the real stores, runtimes and LMDB; no cluster, no sockets):
// keys and revocations converge, and malformed or hostile peer messages are
// refused without stopping the store.
#include "actors/node_runtime.hpp"
#include "actors/security_store.hpp"
#include "cluster/peer_messaging.hpp"
#include "plugins/handler_registry.hpp"
#include "security/api_key.hpp"
#include "security/key_record.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace nzl::actors {
namespace {

using nlohmann::json;

// One end of an in-process link: what it sends is handed at once to the
// other end's handler for the topic, on the sender's thread.
class fake_peers final : public nzl::cluster::peer_messaging {
public:
  explicit fake_peers(std::string name) : name_(std::move(name)) {}
  void link(fake_peers* other) { other_ = other; }

  void on_message(std::string topic, message_handler handler) override {
    std::lock_guard guard{mutex_};
    handlers_[topic] = std::move(handler);
  }
  void on_question(std::string, question_handler) override {}
  result<bool> send(std::string_view, std::string_view topic, std::string payload) override {
    return broadcast(topic, std::move(payload));
  }
  result<bool> broadcast(std::string_view topic, std::string payload) override {
    if (other_)
      other_->deliver(name_, topic, payload);
    return true;
  }
  void gather(std::string_view, std::string, std::chrono::milliseconds,
              gather_handler done) override {
    done({});
  }
  std::string self_node() const override { return name_; }
  std::vector<std::string> nodes() const override { return {name_, other_->name_}; }
  std::vector<std::string> live_nodes() const override { return nodes(); }

  void deliver(const std::string& from, std::string_view topic, std::string_view payload) {
    message_handler h;
    {
      std::lock_guard guard{mutex_};
      auto it = handlers_.find(std::string{topic});
      if (it == handlers_.end())
        return;
      h = it->second;
    }
    h(from, payload);
  }

private:
  std::string name_;
  fake_peers* other_ = nullptr;
  std::mutex mutex_;
  std::map<std::string, message_handler> handlers_;
};

constexpr std::string_view test_node_key =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// A runtime with its security store on a fresh data directory.
struct node {
  explicit node(const std::string& name)
      : dir(std::filesystem::temp_directory_path() /
            ("nzl-keyrep-" + name + "-" + std::to_string(::getpid()))),
        peers(name) {
    std::filesystem::remove_all(dir);
    auto registry = std::make_shared<plugins::handler_registry>();
    plugins::add_builtin_handlers(*registry);
    runtime_options opts;
    opts.region = name;
    opts.data_dir = dir;
    opts.sync_writes = false;
    runtime = std::make_unique<node_runtime>(opts, registry);
    EXPECT_TRUE(runtime->start());
    auto s = runtime->open_security(*security::node_key::from_text(test_node_key), {});
    EXPECT_TRUE(s) << (s ? "" : s.err().detail);
    if (s)
      store = std::move(*s);
  }
  ~node() {
    if (store)
      store->close();
    store.reset();
    runtime->stop();
    runtime.reset();
    std::filesystem::remove_all(dir);
  }

  json create(const std::string& name) {
    std::promise<result<json>> p;
    net::key_spec spec;
    spec.name = name;
    store->create_key(spec, [&p](result<json> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r) << (r ? "" : r.err().detail);
    return r ? *r : json();
  }

  json revoke(const std::string& id) {
    std::promise<result<json>> p;
    store->revoke_key(id, [&p](result<json> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    return r ? *r : json();
  }

  // The key's entry on this node once `ok` holds for it (bounded poll).
  template <class Condition> bool eventually_key(const std::string& key, Condition ok) {
    const auto digest = security::hash_key(key);
    for (int i = 0; i < 1000; ++i) {
      if (ok(store->find_key(digest)))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::filesystem::path dir;
  fake_peers peers;
  std::unique_ptr<node_runtime> runtime;
  std::unique_ptr<security_store> store;
};

class SecurityKeyReplicationTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(a_.store && b_.store);
    a_.peers.link(&b_.peers);
    b_.peers.link(&a_.peers);
    a_.store->replicate_over(a_.peers);
    b_.store->replicate_over(b_.peers);
  }
  node a_{"a"};
  node b_{"b"};
};

TEST_F(SecurityKeyReplicationTest, AKeyAndItsRevocationReachThePeer) {
  auto created = a_.create("shared");
  const std::string key = created["key"];
  ASSERT_TRUE(b_.eventually_key(key, [](const auto& e) { return e != nullptr; }));
  EXPECT_EQ(b_.store->find_key(security::hash_key(key))->id, created["id"]);

  b_.revoke(created["id"]);
  EXPECT_TRUE(
      a_.eventually_key(key, [](const auto& e) { return e != nullptr && e->revoked_at_ms != 0; }));
}

TEST_F(SecurityKeyReplicationTest, MalformedPeerMessagesAreRefusedAndTheStoreGoesOn) {
  for (const char* payload :
       {"", "[1]", "null", R"({"v":"1","keys":[]})", R"({"v":1,"keys":[{"id":5}]})",
        R"({"v":1,"keys":[{"v":1,"id":[]}]})", R"({"v":1,"keys":"x"})", R"({"v":{},"keys":[]})"})
    b_.peers.deliver("a", "keys.records", payload);
  for (const char* payload : {"", R"({"v":1,"buckets":[1,2]})", R"({"v":null,"buckets":[]})"})
    b_.peers.deliver("a", "keys.digest", payload);
  for (const char* payload :
       {"", R"({"v":1,"nonces":[[1,2,3],["k_0123456789abcdef"],"x"]})", R"({"v":[],"nonces":[]})"})
    b_.peers.deliver("a", "keys.nonces", payload);
  // The keeper still runs key changes.
  auto created = b_.create("after-garbage");
  EXPECT_TRUE(created.contains("key")) << created.dump();
}

TEST_F(SecurityKeyReplicationTest, AnotherKeyUnderAKnownIdIsRefused) {
  auto created = a_.create("original");
  const std::string key = created["key"];
  ASSERT_TRUE(b_.eventually_key(key, [](const auto& e) { return e != nullptr; }));

  // A record with the same id but another key's hash.
  security::key_record forged;
  forged.id = created["id"];
  forged.name = "forged";
  forged.prefix = "nzk_forgedfo";
  forged.key_hash = security::hash_key("nzk_forgedforgedforgedforgedforged");
  forged.scopes.add(security::scope::admin);
  forged.tier = "default";
  forged.created_at_ms = 1; // would sort first in a merge
  json msg{{"v", 1}, {"keys", json::array({forged.to_storage_json()})}};
  b_.peers.deliver("a", "keys.records", msg.dump());
  // The store went on (a later change is applied) and neither key moved.
  auto marker = a_.create("marker");
  ASSERT_TRUE(b_.eventually_key(marker["key"], [](const auto& e) { return e != nullptr; }));
  EXPECT_EQ(b_.store->find_key(forged.key_hash), nullptr);
  auto original = b_.store->find_key(security::hash_key(key));
  ASSERT_NE(original, nullptr);
  EXPECT_EQ(original->name, "original");
}

} // namespace
} // namespace nzl::actors
