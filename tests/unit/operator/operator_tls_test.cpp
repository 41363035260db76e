// The operator endpoint with cluster TLS, in process over loopback: a shell
// with a certificate of the cluster CA signs its commands and is audited
// under its subject; the exact same message sent again (a replay by anyone
// who could inject it into the link) is refused and audited as unverified;
// so are an unsigned command and one signed for another node. Keys and
// certificates are made in memory and written to a temp dir.
#include "actors/operator/operator_server.hpp"
#include "actors/operator/operator_signer.hpp"
#include "actors/operator/wire.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/operator/endpoint_fixture.hpp"
#include "tests/unit/operator/test_pki.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <gtest/gtest.h>

#include <ctime>
#include <mutex>
#include <set>

namespace nzl::actors::operator_shell {
namespace {

namespace pki = test::pki;
using namespace std::chrono_literals;

class tls_client_config : public caf::actor_system_config {
public:
  tls_client_config(const std::string& cert, const std::string& key, const std::string& ca) {
    load<caf::io::middleman>();
    load<caf::openssl::manager>();
    openssl_certificate = cert;
    openssl_key = key;
    openssl_cafile = ca;
    op_test::configure_operator_client(*this);
  }
};

class OperatorTlsEndpointTest : public op_test::EndpointFixture {
protected:
  void SetUp() override {
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    auto ca_key = pki::make_key(pki::key_kind::ec);
    pki::cert_spec spec;
    spec.subject = "CN=cluster-ca";
    spec.not_before = now - 3600;
    spec.not_after = now + 86400;
    spec.ca = true;
    auto ca = pki::make_cert(spec, ca_key.get(), nullptr, ca_key.get());
    spec.ca = false;
    for (const char* name : {"node", "alice"}) {
      auto key = pki::make_key(pki::key_kind::ec);
      spec.subject = std::string{name} == "alice" ? "CN=alice,O=ops" : "CN=node";
      auto cert = pki::make_cert(spec, key.get(), ca.get(), ca_key.get());
      dir_.write(std::string{name} + ".pem", pki::pem(cert.get()));
      dir_.write(std::string{name} + ".key", pki::pem(key.get()));
    }
    dir_.write("ca.pem", pki::pem(ca.get()));

    server_options o;
    o.cert_file = at("node.pem");
    o.key_file = at("node.key");
    o.ca_file = at("ca.pem");
    ASSERT_NO_FATAL_FAILURE(start_server(std::move(o)));
  }

  std::string at(const std::string& name) const { return (dir_.path() / name).string(); }

  caf::actor connect(caf::actor_system& sys, caf::scoped_actor& self) {
    return connect_through(sys.openssl_manager().actor_handle(), sys, self);
  }

  static std::optional<reply_msg> exchange(caf::scoped_actor& self, const caf::actor& node,
                                           command_msg m) {
    const auto id = m.id;
    self->send(node, std::move(m));
    std::optional<reply_msg> reply;
    while (!reply) {
      bool timed_out = false;
      self->receive(
          [&](reply_msg& r) {
            if (r.id == id)
              reply = std::move(r);
          },
          caf::after(std::chrono::seconds(10)) >> [&] { timed_out = true; });
      if (timed_out)
        break;
    }
    return reply;
  }

  test::temp_dir dir_;
};

TEST_F(OperatorTlsEndpointTest, ASignedCommandRunsUnderTheSubjectAndItsReplayIsRefused) {
  tls_client_config cfg{at("alice.pem"), at("alice.key"), at("ca.pem")};
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto node = connect(sys, self);
  ASSERT_TRUE(node);
  auto signer = operator_signer::from_files(at("alice.pem"), at("alice.key"));
  ASSERT_TRUE(signer) << signer.err().detail;
  command_msg m;
  m.id = 1;
  m.words = {"status"};
  m.identity = "local:0";
  auto proof = signer->sign(caf::to_string(node.node()), m.words,
                            static_cast<std::int64_t>(std::time(nullptr)) * 1000);
  ASSERT_TRUE(proof);
  m.proof = std::move(*proof);
  auto replay = m;
  replay.id = 2;

  auto first = exchange(self, node, std::move(m));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 0) << first->error;
  EXPECT_EQ(first->identity, "CN=alice,O=ops");
  auto second = exchange(self, node, std::move(replay));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 3);
  EXPECT_NE(second->error.find("replayed command"), std::string::npos) << second->error;
  EXPECT_EQ(second->identity, "unverified:CN=alice,O=ops");

  std::lock_guard guard{mutex_};
  EXPECT_EQ(ran_, 1);
  ASSERT_EQ(audit_.size(), 2u);
  EXPECT_EQ(audit_[0].identity, "CN=alice,O=ops");
  EXPECT_EQ(audit_[0].status, 0);
  EXPECT_EQ(audit_[1].identity, "unverified:CN=alice,O=ops");
  EXPECT_EQ(audit_[1].line, "status");
  EXPECT_EQ(audit_[1].status, 3);
}

TEST_F(OperatorTlsEndpointTest, UnsignedOversizedAndMisaddressedCommandsAreRefused) {
  tls_client_config cfg{at("alice.pem"), at("alice.key"), at("ca.pem")};
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto node = connect(sys, self);
  ASSERT_TRUE(node);
  auto signer = operator_signer::from_files(at("alice.pem"), at("alice.key"));
  ASSERT_TRUE(signer) << signer.err().detail;
  const auto now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;

  command_msg unsigned_cmd;
  unsigned_cmd.id = 1;
  unsigned_cmd.words = {"status"};
  unsigned_cmd.identity = "local:0";
  auto r1 = exchange(self, node, unsigned_cmd);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 3);
  EXPECT_NE(r1->error.find("only signed commands"), std::string::npos) << r1->error;

  command_msg big;
  big.id = 2;
  big.words.assign(max_command_words + 1, "status");
  big.proof = *signer->sign(caf::to_string(node.node()), big.words, now_ms);
  auto r2 = exchange(self, node, big);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 2);

  command_msg elsewhere;
  elsewhere.id = 3;
  elsewhere.words = {"status"};
  elsewhere.proof = *signer->sign("another-node#1", elsewhere.words, now_ms);
  auto r3 = exchange(self, node, elsewhere);
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->status, 3);
  EXPECT_EQ(r3->error, "signature does not verify");

  std::lock_guard guard{mutex_};
  EXPECT_EQ(ran_, 0);
  ASSERT_EQ(audit_.size(), 3u);
  for (const auto& a : audit_)
    EXPECT_EQ(a.identity.rfind("unverified:", 0), 0u) << a.identity;
}

} // namespace
} // namespace nzl::actors::operator_shell
