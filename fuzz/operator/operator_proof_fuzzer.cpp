// Feeds arbitrary proofs to operator_verifier::verify and arbitrary PEM text
// to claimed_subject. The first byte's bits choose a real operator
// certificate of the fuzzer's own CA, the exact time, or a whole genuine
// proof, so that the signature and nonce checks behind the chain check are
// reached too; the CA and key are made in memory at start.
#include "actors/operator/operator_signer.hpp"
#include "actors/operator/operator_verifier.hpp"
#include "tests/unit/operator/test_pki.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

using namespace nzl::actors::operator_shell;
namespace pki = nzl::test::pki;

constexpr std::int64_t now_ms = 1'800'000'000'000;

struct fixture {
  std::unique_ptr<operator_verifier> verifier;
  std::string operator_pem;
  std::unique_ptr<operator_signer> signer;
};

fixture make_fixture() {
  auto ca_key = pki::make_key(pki::key_kind::ec);
  pki::cert_spec ca_spec{"CN=fuzz-ca", now_ms / 1000 - 3600, now_ms / 1000 + 3600, true, "", ""};
  auto ca = pki::make_cert(ca_spec, ca_key.get(), nullptr, ca_key.get());
  auto op_key = pki::make_key(pki::key_kind::ec);
  pki::cert_spec op_spec{"CN=fuzzer,O=ops",           now_ms / 1000 - 3600,
                         now_ms / 1000 + 3600,        false,
                         "critical,digitalSignature", "clientAuth"};
  auto op = pki::make_cert(op_spec, op_key.get(), ca.get(), ca_key.get());

  char path[] = "/tmp/nzl-fuzz-ca-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0)
    std::abort();
  ::close(fd);
  std::ofstream{path} << pki::pem(ca.get());
  verifier_options options;
  options.ca_file = path;
  options.max_nonces = 256; // reach the full-window path quickly
  auto created = operator_verifier::create(options, [] { return now_ms; });
  std::remove(path);
  if (!created)
    std::abort();
  auto signer = operator_signer::from_pem(pki::pem(op.get()), pki::pem(op_key.get()));
  if (!signer)
    std::abort();
  return fixture{std::move(*created), pki::pem(op.get()),
                 std::make_unique<operator_signer>(std::move(*signer))};
}

// Splits the input at 0xFF bytes: the fields of one proof.
std::vector<std::string> fields(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0xFF && out.size() < 8)
      out.emplace_back();
    else
      out.back().push_back(static_cast<char>(data[i]));
  }
  out.resize(8);
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fixture f = make_fixture();
  if (size == 0)
    return 0;
  auto parts = fields(data + 1, size - 1);
  (void)operator_verifier::claimed_subject(parts[0]);

  command_proof proof;
  proof.certificate = (data[0] & 1) ? f.operator_pem : parts[0];
  std::int64_t skew = 0;
  for (char c : parts[1].substr(0, 8))
    skew = skew * 31 + static_cast<unsigned char>(c);
  proof.timestamp_ms = now_ms + (data[0] & 2 ? 0 : skew);
  proof.nonce = parts[2];
  proof.signature = parts[3];
  std::vector<std::string> words(parts.begin() + 5, parts.end());
  if (data[0] & 4) {
    // A genuine proof (fresh nonce, real signature), so that the nonce
    // window fills and its refusal path runs too.
    auto signed_proof = f.signer->sign(parts[4], words, now_ms);
    if (signed_proof)
      proof = std::move(*signed_proof);
  }
  (void)f.verifier->verify(parts[4], words, proof);
  return 0;
}
