// The operator identity as plain classes (docs/shell.md "Identity"): the
// shell's signer and the node's verifier with an injected clock, keys and
// certificates made in memory (tests/unit/operator/test_pki.hpp), and the
// node's refusal path (refused, audited as unverified).
#include "actors/operator/command_proof.hpp"
#include "actors/operator/operator_commands.hpp"
#include "actors/operator/operator_signer.hpp"
#include "actors/operator/operator_verifier.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/operator/test_pki.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <optional>

namespace nzl::actors::operator_shell {
namespace {

namespace pki = test::pki;
using words_t = std::vector<std::string>;

constexpr std::string_view node_a = "0123456789ABCDEF0123456789ABCDEF01234567#4242";
constexpr std::string_view node_b = "0123456789ABCDEF0123456789ABCDEF01234567#4243";

// One CA, its keys and an operator per key type, made once for the suite
// (RSA key generation is slow under the sanitizers).
struct authority {
  pki::key_ptr key;
  pki::cert_ptr cert;
};

class OperatorIdentityTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    start_s_ = static_cast<std::int64_t>(std::time(nullptr));
    cluster_ = new authority{make_ca("CN=cluster-ca,O=noizylab")};
    foreign_ = new authority{make_ca("CN=other-ca")};
    rsa_ = pki::make_key(pki::key_kind::rsa).release();
    ec_ = pki::make_key(pki::key_kind::ec).release();
    ed_ = pki::make_key(pki::key_kind::ed25519).release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete foreign_;
    EVP_PKEY_free(rsa_);
    EVP_PKEY_free(ec_);
    EVP_PKEY_free(ed_);
  }

  static authority make_ca(const std::string& subject) {
    authority a;
    a.key = pki::make_key(pki::key_kind::ec);
    pki::cert_spec spec;
    spec.subject = subject;
    spec.not_before = start_s_ - 3600;
    spec.not_after = start_s_ + 30 * 86400;
    spec.ca = true;
    a.cert = pki::make_cert(spec, a.key.get(), nullptr, a.key.get());
    return a;
  }

  // An operator certificate for `key`, valid from an hour ago for a day
  // unless `spec` says otherwise.
  static std::string issue(EVP_PKEY* key, const authority& by, pki::cert_spec spec = {}) {
    if (spec.not_before == 0)
      spec.not_before = start_s_ - 3600;
    if (spec.not_after == 0)
      spec.not_after = start_s_ + 86400;
    return pki::pem(pki::make_cert(spec, key, by.cert.get(), by.key.get()).get());
  }

  static operator_signer signer(const std::string& cert_pem, EVP_PKEY* key) {
    auto s = operator_signer::from_pem(cert_pem, pki::pem(key));
    EXPECT_TRUE(s) << (s ? "" : s.err().detail);
    return std::move(*s);
  }

  std::unique_ptr<operator_verifier> make_verifier(verifier_options o = {}) {
    o.ca_file = dir_.write("ca.pem", pki::pem(cluster_->cert.get())).string();
    auto v = operator_verifier::create(std::move(o), [this] { return now_ms_; });
    EXPECT_TRUE(v) << (v ? "" : v.err().detail);
    return v ? std::move(*v) : nullptr;
  }

  command_proof sign(const operator_signer& s, const words_t& words,
                     std::string_view target = node_a) {
    auto p = s.sign(target, words, now_ms_);
    EXPECT_TRUE(p);
    return p ? std::move(*p) : command_proof{};
  }

  // The verifier's refusal text; "" if it accepted.
  static std::string refusal(const result<std::string>& r) {
    return r ? std::string{} : r.err().detail;
  }

  static inline std::int64_t start_s_ = 0;
  static inline authority* cluster_ = nullptr;
  static inline authority* foreign_ = nullptr;
  static inline EVP_PKEY* rsa_ = nullptr;
  static inline EVP_PKEY* ec_ = nullptr;
  static inline EVP_PKEY* ed_ = nullptr;

  test::temp_dir dir_;
  std::int64_t now_ms_ = start_s_ * 1000;
};

TEST_F(OperatorIdentityTest, AcceptsAnRsaCertificateOfTheClusterCaAndNamesItsSubject) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  auto s = signer(issue(rsa_, *cluster_), rsa_);
  EXPECT_EQ(s.subject(), "CN=alice,O=ops");
  auto r = v->verify(node_a, words_t{"status"}, sign(s, {"status"}));
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(*r, "CN=alice,O=ops");
}

TEST_F(OperatorIdentityTest, AcceptsEcAndEd25519Certificates) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  pki::cert_spec bob;
  bob.subject = "CN=bob,OU=night shift,O=ops";
  bob.key_usage = "critical,digitalSignature";
  bob.extended_key_usage = "clientAuth";
  auto ec = signer(issue(ec_, *cluster_, bob), ec_);
  auto r = v->verify(node_a, words_t{"queue", "default"}, sign(ec, {"queue", "default"}));
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(*r, "CN=bob,OU=night shift,O=ops");

  pki::cert_spec carol;
  carol.subject = "CN=carol";
  auto ed = signer(issue(ed_, *cluster_, carol), ed_);
  auto r2 = v->verify(node_a, words_t{"drain"}, sign(ed, {"drain"}));
  ASSERT_TRUE(r2) << r2.err().detail;
  EXPECT_EQ(*r2, "CN=carol");
}

TEST_F(OperatorIdentityTest, AcceptsAChainThroughAnIntermediateCa) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  authority intermediate;
  intermediate.key = pki::make_key(pki::key_kind::ec);
  pki::cert_spec spec;
  spec.subject = "CN=ops-ca,O=noizylab";
  spec.not_before = start_s_ - 3600;
  spec.not_after = start_s_ + 86400;
  spec.ca = true;
  intermediate.cert =
      pki::make_cert(spec, intermediate.key.get(), cluster_->cert.get(), cluster_->key.get());
  auto chain = issue(ec_, intermediate) + pki::pem(intermediate.cert.get());
  auto r = v->verify(node_a, words_t{"status"}, sign(signer(chain, ec_), {"status"}));
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(*r, "CN=alice,O=ops");
  // Without the intermediate the chain does not reach the cluster CA.
  auto alone =
      v->verify(node_a, words_t{"status"}, sign(signer(issue(ec_, intermediate), ec_), {"status"}));
  EXPECT_NE(refusal(alone).find("not issued by the cluster CA"), std::string::npos)
      << refusal(alone);
}

TEST_F(OperatorIdentityTest, RefusesACertificateOfAForeignCa) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  auto s = signer(issue(ec_, *foreign_), ec_);
  auto r = v->verify(node_a, words_t{"status"}, sign(s, {"status"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::unauthenticated);
  EXPECT_NE(refusal(r).find("operator certificate not issued by the cluster CA"), std::string::npos)
      << refusal(r);
  EXPECT_EQ(v->cached_certificates(), 0u);
  EXPECT_EQ(v->remembered_nonces(), 0u);
}

TEST_F(OperatorIdentityTest, RefusesAnExpiredOrNotYetValidCertificate) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  pki::cert_spec expired;
  expired.not_before = start_s_ - 2 * 86400;
  expired.not_after = start_s_ - 86400;
  auto r = v->verify(node_a, words_t{"status"},
                     sign(signer(issue(ec_, *cluster_, expired), ec_), {"status"}));
  EXPECT_NE(refusal(r).find("outside its validity"), std::string::npos) << refusal(r);

  pki::cert_spec future;
  future.not_before = start_s_ + 86400;
  future.not_after = start_s_ + 2 * 86400;
  auto r2 = v->verify(node_a, words_t{"status"},
                      sign(signer(issue(ec_, *cluster_, future), ec_), {"status"}));
  EXPECT_NE(refusal(r2).find("outside its validity"), std::string::npos) << refusal(r2);
}

TEST_F(OperatorIdentityTest, RefusesACertificateNotMeantForSigningOrForClients) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  pki::cert_spec no_signing;
  no_signing.key_usage = "critical,keyAgreement";
  auto r = v->verify(node_a, words_t{"status"},
                     sign(signer(issue(ec_, *cluster_, no_signing), ec_), {"status"}));
  EXPECT_NE(refusal(r).find("does not allow digital signatures"), std::string::npos) << refusal(r);

  pki::cert_spec server_only;
  server_only.extended_key_usage = "serverAuth";
  auto r2 = v->verify(node_a, words_t{"status"},
                      sign(signer(issue(ec_, *cluster_, server_only), ec_), {"status"}));
  EXPECT_NE(refusal(r2).find("not for client authentication"), std::string::npos) << refusal(r2);
}

TEST_F(OperatorIdentityTest, RefusesASignatureByAnotherKey) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  // Mallory signs with her own key and sends Alice's certificate, which the
  // node has cached since Alice's last command.
  auto alice = issue(ec_, *cluster_);
  ASSERT_TRUE(v->verify(node_a, words_t{"status"}, sign(signer(alice, ec_), {"status"})));
  ASSERT_EQ(v->cached_certificates(), 1u);
  pki::cert_spec mallory_spec;
  mallory_spec.subject = "CN=mallory";
  auto mallory = signer(issue(rsa_, *cluster_, mallory_spec), rsa_);
  auto proof = sign(mallory, {"status"});
  proof.certificate = alice;
  auto r = v->verify(node_a, words_t{"status"}, proof);
  EXPECT_EQ(refusal(r), "signature does not verify");
  EXPECT_EQ(operator_verifier::claimed_subject(proof.certificate), "CN=alice,O=ops");
  // And the signer refuses a key that is not its certificate's.
  auto mismatched = operator_signer::from_pem(alice, pki::pem(rsa_));
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.err().detail.find("not the certificate's key"), std::string::npos);
}

TEST_F(OperatorIdentityTest, RefusesATamperedCommandOrAnotherTarget) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  auto s = signer(issue(ec_, *cluster_), ec_);
  auto proof = sign(s, {"queue", "default"});
  EXPECT_EQ(refusal(v->verify(node_a, words_t{"queue", "other"}, proof)),
            "signature does not verify");
  EXPECT_EQ(refusal(v->verify(node_a, words_t{"queue", "default", "x"}, proof)),
            "signature does not verify");
  EXPECT_EQ(refusal(v->verify(node_b, words_t{"queue", "default"}, proof)),
            "signature does not verify");
  auto later = proof;
  later.timestamp_ms += 1;
  EXPECT_EQ(refusal(v->verify(node_a, words_t{"queue", "default"}, later)),
            "signature does not verify");
  auto flipped = proof;
  flipped.signature[flipped.signature.size() / 2] ^= 0x01;
  EXPECT_EQ(refusal(v->verify(node_a, words_t{"queue", "default"}, flipped)),
            "signature does not verify");
  // None of these used up the nonce: the genuine command still runs.
  EXPECT_TRUE(v->verify(node_a, words_t{"queue", "default"}, proof));
}

TEST_F(OperatorIdentityTest, RefusesAStaleTimestampEitherWay) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  auto s = signer(issue(ec_, *cluster_), ec_);
  const auto base = now_ms_;
  auto edge = sign(s, {"status"});
  now_ms_ = base + 60'000; // exactly the window: still fresh
  EXPECT_TRUE(v->verify(node_a, words_t{"status"}, edge));

  now_ms_ = base;
  auto old = sign(s, {"status"});
  now_ms_ = base + 61'000;
  EXPECT_NE(refusal(v->verify(node_a, words_t{"status"}, old)).find("stale timestamp"),
            std::string::npos);
  now_ms_ = base - 61'000; // the shell's clock runs ahead
  EXPECT_NE(refusal(v->verify(node_a, words_t{"status"}, old)).find("stale timestamp"),
            std::string::npos);
}

TEST_F(OperatorIdentityTest, RefusesAReplayedCommand) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  auto s = signer(issue(ec_, *cluster_), ec_);
  auto proof = sign(s, {"cancel", "t_1"});
  ASSERT_TRUE(v->verify(node_a, words_t{"cancel", "t_1"}, proof));
  now_ms_ += 30'000;
  auto again = v->verify(node_a, words_t{"cancel", "t_1"}, proof);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.err().code, errc::unauthenticated);
  EXPECT_NE(refusal(again).find("replayed command"), std::string::npos) << refusal(again);
  // Once the window has passed, the timestamp refuses it.
  now_ms_ += 31'000;
  EXPECT_NE(refusal(v->verify(node_a, words_t{"cancel", "t_1"}, proof)).find("stale timestamp"),
            std::string::npos);
  // A fresh signature of the same command is a new command.
  EXPECT_TRUE(v->verify(node_a, words_t{"cancel", "t_1"}, sign(s, {"cancel", "t_1"})));
}

TEST_F(OperatorIdentityTest, AFullNonceWindowRefusesRatherThanForgets) {
  verifier_options o;
  o.max_nonces = 2;
  auto v = make_verifier(o);
  ASSERT_NE(v, nullptr);
  auto s = signer(issue(ec_, *cluster_), ec_);
  auto first = sign(s, {"status"});
  ASSERT_TRUE(v->verify(node_a, words_t{"status"}, first));
  ASSERT_TRUE(v->verify(node_a, words_t{"status"}, sign(s, {"status"})));
  auto full = v->verify(node_a, words_t{"status"}, sign(s, {"status"}));
  ASSERT_FALSE(full);
  EXPECT_EQ(full.err().code, errc::overloaded);
  EXPECT_EQ(v->remembered_nonces(), 2u);
  EXPECT_NE(refusal(v->verify(node_a, words_t{"status"}, first)).find("replayed"),
            std::string::npos);
  // When the remembered ones leave the window there is room again.
  now_ms_ += 62'000;
  EXPECT_TRUE(v->verify(node_a, words_t{"status"}, sign(s, {"status"})));
  EXPECT_EQ(v->remembered_nonces(), 1u);
}

TEST_F(OperatorIdentityTest, TheCertificateCacheIsBoundedAndRechecksValidity) {
  verifier_options o;
  o.max_cached_certificates = 2;
  auto v = make_verifier(o);
  ASSERT_NE(v, nullptr);
  pki::cert_spec short_lived;
  short_lived.not_after = start_s_ + 90;
  std::vector<operator_signer> signers;
  for (const char* cn : {"CN=one", "CN=two", "CN=three"}) {
    short_lived.subject = cn;
    signers.push_back(signer(issue(ec_, *cluster_, short_lived), ec_));
  }
  for (const auto& s : signers) {
    auto r = v->verify(node_a, words_t{"status"}, sign(s, {"status"}));
    ASSERT_TRUE(r) << r.err().detail;
    EXPECT_EQ(*r, s.subject());
  }
  EXPECT_EQ(v->cached_certificates(), 2u);
  // A cached certificate is still refused once it expires.
  now_ms_ = (start_s_ + 120) * 1000;
  auto r = v->verify(node_a, words_t{"status"}, sign(signers[2], {"status"}));
  EXPECT_NE(refusal(r).find("outside its validity"), std::string::npos) << refusal(r);
  EXPECT_EQ(v->cached_certificates(), 1u);
}

TEST_F(OperatorIdentityTest, RefusesAMissingOrMalformedProof) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  auto none = v->verify(node_a, words_t{"status"}, command_proof{});
  EXPECT_NE(refusal(none).find("only signed commands"), std::string::npos) << refusal(none);
  auto s = signer(issue(ec_, *cluster_), ec_);
  auto bad_nonce = sign(s, {"status"});
  bad_nonce.nonce = "ABC";
  EXPECT_NE(refusal(v->verify(node_a, words_t{"status"}, bad_nonce)).find("malformed nonce"),
            std::string::npos);
  auto huge = sign(s, {"status"});
  huge.certificate.append(max_certificate_bytes, 'x');
  EXPECT_NE(refusal(v->verify(node_a, words_t{"status"}, huge)).find("larger than"),
            std::string::npos);
  auto garbage = sign(s, {"status"});
  garbage.certificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_FALSE(v->verify(node_a, words_t{"status"}, garbage));
  EXPECT_EQ(operator_verifier::claimed_subject(garbage.certificate), "");
}

TEST_F(OperatorIdentityTest, TheSignerSendsTheCertificatesOnlyNeverAKeyInTheSameFile) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  const auto cert = issue(ec_, *cluster_);
  const auto key = pki::pem(ec_);
  auto combined = operator_signer::from_pem(key + cert, key);
  ASSERT_TRUE(combined) << combined.err().detail;
  auto proof = sign(*combined, {"status"});
  EXPECT_EQ(proof.certificate.find("PRIVATE KEY"), std::string::npos) << proof.certificate;
  EXPECT_EQ(proof.certificate, cert);
  EXPECT_TRUE(v->verify(node_a, words_t{"status"}, proof));
}

TEST_F(OperatorIdentityTest, ASubjectTooLongForAnAuditKeyIsReplacedByTheFingerprint) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  pki::cert_spec spec;
  spec.subject = "CN=" + std::string(60, 'a') + ",OU=" + std::string(60, 'b') +
                 ",OU=" + std::string(60, 'c') + ",O=" + std::string(60, 'd') +
                 ",L=" + std::string(60, 'e');
  auto r = v->verify(node_a, words_t{"status"},
                     sign(signer(issue(ec_, *cluster_, spec), ec_), {"status"}));
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->rfind("SHA256:", 0), 0u) << *r;
  EXPECT_EQ(r->size(), 7u + 64u) << *r;
}

TEST_F(OperatorIdentityTest, RefusesAnUnreadableCaFile) {
  verifier_options o;
  o.ca_file = (dir_.path() / "missing.pem").string();
  auto v = operator_verifier::create(o, [] { return std::int64_t{0}; });
  ASSERT_FALSE(v);
  EXPECT_EQ(v.err().code, errc::invalid_field);
}

TEST_F(OperatorIdentityTest, CanonicalBytesAreUnambiguous) {
  const std::string n(32, 'a');
  EXPECT_NE(canonical_command("t", 1, n, words_t{"ab"}),
            canonical_command("t", 1, n, words_t{"a", "b"}));
  EXPECT_NE(canonical_command("t", 1, n, words_t{"a b"}),
            canonical_command("t", 1, n, words_t{"a", "b"}));
  EXPECT_NE(canonical_command("t1", 1, n, words_t{}), canonical_command("t", 11, n, words_t{}));
  EXPECT_EQ(canonical_command("t", 1, n, words_t{"x"}).rfind(proof_tag, 0), 0u);
  EXPECT_TRUE(well_formed_nonce(n));
  EXPECT_FALSE(well_formed_nonce(std::string(32, 'A')));
  EXPECT_FALSE(well_formed_nonce(std::string(31, 'a')));
}

// The node's refusal path as the operator actor takes it: the proof does
// not verify, the command does not run, the audit names the claimed
// subject as unverified with status 3.
TEST_F(OperatorIdentityTest, TheNodeRefusesAndAuditsAnUnverifiedOperator) {
  auto v = make_verifier();
  ASSERT_NE(v, nullptr);
  struct audited {
    std::string identity;
    std::string line;
    int status;
  };
  std::vector<audited> audit;
  bool ran = false;
  operator_hooks hooks;
  hooks.status = [&ran] {
    ran = true;
    return nlohmann::json::object();
  };
  hooks.audit = [&audit](const std::string& who, const std::string& line, int status) {
    audit.push_back({who, line, status});
  };
  operator_commands commands{hooks};
  pki::cert_spec intruder;
  intruder.subject = "CN=intruder";
  auto proof = sign(signer(issue(ec_, *foreign_, intruder), ec_), {"status"});
  auto r = v->verify(node_a, words_t{"status"}, proof);
  ASSERT_FALSE(r);
  std::optional<command_reply> reply;
  commands.refuse("unverified:" + operator_verifier::claimed_subject(proof.certificate),
                  words_t{"status"}, 3, r.err().detail,
                  [&](command_reply rep) { reply = std::move(rep); });
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 3);
  EXPECT_NE(reply->error.find("not issued by the cluster CA"), std::string::npos);
  EXPECT_FALSE(ran);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].identity, "unverified:CN=intruder");
  EXPECT_EQ(audit[0].line, "status");
  EXPECT_EQ(audit[0].status, 3);
  // Neither the signature nor the certificate appears in what is audited
  // or answered.
  EXPECT_EQ(reply->error.find(proof.signature), std::string::npos);
}

} // namespace
} // namespace nzl::actors::operator_shell
