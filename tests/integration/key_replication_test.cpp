// Keys in a cluster (docs/security.md, "Keys in a cluster"): a key created,
// revoked or rotated through one node takes effect on every node; a node
// that was down when a key changed catches up from the digests once it is
// back; a signed request accepted by one node is refused as a replay by
// another. Three real nodes on loopback; every wait is a bounded poll.
#include "security/signing.hpp"
#include "tests/support/cluster_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/poll.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <ctime>

namespace nzl::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string echo_task = R"({"type":"echo","payload":{"k":1}})";

class KeyReplicationTest : public ::testing::Test {
protected:
  void SetUp() override {
    cluster_ = std::make_unique<cluster_process>(std::vector<std::string>{"r1", "r2", "r3"});
    for (std::size_t i = 0; i < cluster_->size(); ++i)
      ASSERT_TRUE(cluster_->node(i).start()) << i;
  }

  json create_key(std::size_t node, json spec) {
    http_client c{cluster_->http_port(node)};
    auto r = c.post("/v3/admin/keys", spec.dump());
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : c.error());
    return r ? r->json() : json();
  }

  // The status of an echo task sent to `node` with `key`.
  int status_with(std::size_t node, const std::string& key) {
    http_client c{cluster_->http_port(node), 5s};
    c.set_api_key(key);
    auto r = c.post("/v3/tasks", echo_task);
    return r ? r->status : 0;
  }

  bool eventually_status(std::size_t node, const std::string& key, int status) {
    return eventually([&] { return status_with(node, key) == status; }, 20s);
  }

  std::optional<http_reply> send_signed(std::size_t node, const json& key,
                                        const std::string& nonce) {
    http_client c{cluster_->http_port(node), 5s};
    c.set_api_key(key["key"]);
    auto t = std::to_string(static_cast<std::int64_t>(std::time(nullptr)));
    auto sig = security::sign(key["signing_secret"].get<std::string>(),
                              security::canonical_string(t, nonce, "POST", "/v3/tasks", echo_task));
    return c.post("/v3/tasks", echo_task,
                  {{"X-Timestamp", t}, {"X-Nonce", nonce}, {"X-Signature", sig}});
  }

  std::unique_ptr<cluster_process> cluster_;
};

TEST_F(KeyReplicationTest, AKeyCreatedOnOneNodeWorksOnEveryNodeUntilItIsRevoked) {
  auto key = create_key(0, {{"name", "everywhere"}, {"scopes", {"tasks:write"}}});
  const std::string text = key["key"];
  EXPECT_TRUE(eventually_status(1, text, 200)) << cluster_->node(1).log_text();
  EXPECT_TRUE(eventually_status(2, text, 200)) << cluster_->node(2).log_text();

  // The other nodes list it with the same id and scopes.
  http_client c{cluster_->http_port(2)};
  auto list = c.request("GET", "/v3/admin/keys");
  ASSERT_TRUE(list && list->status == 200);
  bool listed = false;
  const auto doc = list->json();
  for (const auto& k : doc["keys"])
    listed = listed || (k["id"] == key["id"] && k["scopes"] == json{"tasks:write"});
  EXPECT_TRUE(listed) << list->body;

  http_client admin{cluster_->http_port(1)};
  auto revoked = admin.request("DELETE", "/v3/admin/keys/" + key["id"].get<std::string>());
  ASSERT_TRUE(revoked && revoked->status == 200) << (revoked ? revoked->body : admin.error());
  EXPECT_TRUE(eventually_status(0, text, 401));
  EXPECT_TRUE(eventually_status(2, text, 401));
}

TEST_F(KeyReplicationTest, ANodeThatWasDownWhenKeysChangedCatchesUp) {
  auto kept = create_key(0, {{"name", "kept"}});
  ASSERT_TRUE(eventually_status(2, kept["key"], 200));
  cluster_->node(2).send_signal(SIGTERM);
  ASSERT_TRUE(cluster_->node(2).wait_exit(20s).has_value());

  auto fresh = create_key(0, {{"name", "while-down"}});
  http_client admin{cluster_->http_port(1)};
  auto revoked = admin.request("DELETE", "/v3/admin/keys/" + kept["id"].get<std::string>());
  ASSERT_TRUE(revoked && revoked->status == 200);

  ASSERT_TRUE(cluster_->node(2).restart());
  EXPECT_TRUE(eventually_status(2, fresh["key"], 200)) << cluster_->node(2).log_text();
  EXPECT_TRUE(eventually_status(2, kept["key"], 401));
}

TEST_F(KeyReplicationTest, ASignedRequestAcceptedByOneNodeIsAReplayOnAnother) {
  auto signer = create_key(0, {{"name", "signer"}, {"signature_required", true}});
  ASSERT_TRUE(eventually(
      [&] {
        auto r = send_signed(1, signer, "warmup-" + std::to_string(std::rand()) + "-nonce");
        return r && r->status == 200;
      },
      20s))
      << cluster_->node(1).log_text();

  const std::string nonce = "replayed-across-nodes-1";
  auto first = send_signed(0, signer, nonce);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  // Node 0 pushes the nonces it accepted before any later key change, over
  // the same ordered link: once that change is visible on node 1, so is the
  // nonce.
  auto marker = create_key(0, {{"name", "marker"}});
  ASSERT_TRUE(eventually_status(1, marker["key"], 200));

  auto replay = send_signed(1, signer, nonce);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 401) << replay->body;
  EXPECT_EQ(replay->json().value("reason", ""), "nonce_replayed") << replay->body;
}

} // namespace
} // namespace nzl::test
