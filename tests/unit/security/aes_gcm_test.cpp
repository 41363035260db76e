#include "security/aes_gcm.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace nzl::security {
namespace {

const std::string hex_key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

node_key test_key() {
  return *node_key::from_text(hex_key);
}

class SecurityAesGcmTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nzl-aes-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    ::unsetenv(env_name);
    std::filesystem::remove_all(dir_);
  }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  static constexpr const char* env_name = "NZL_TEST_NODE_KEY";
  std::filesystem::path dir_;
};

TEST_F(SecurityAesGcmTest, RoundTrip) {
  auto key = test_key();
  for (std::string plain : {std::string(), std::string("signing secret"), std::string(5000, 'x')}) {
    auto sealed = seal(key, plain, "k_0123456789abcdef");
    ASSERT_TRUE(sealed);
    EXPECT_EQ(sealed->size(), plain.size() + sealed_overhead);
    auto opened = open(key, *sealed, "k_0123456789abcdef");
    ASSERT_TRUE(opened) << opened.err().detail;
    EXPECT_EQ(*opened, plain);
  }
}

TEST_F(SecurityAesGcmTest, FreshNonceEachTime) {
  auto key = test_key();
  EXPECT_NE(*seal(key, "same", ""), *seal(key, "same", ""));
}

TEST_F(SecurityAesGcmTest, TamperingFails) {
  auto key = test_key();
  auto sealed = *seal(key, "signing secret", "aad");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto opened = open(key, bad, "aad");
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.err().code, errc::storage_failed);
  }
  EXPECT_FALSE(open(key, sealed, "other aad"));
  EXPECT_FALSE(open(key, sealed.substr(0, sealed.size() - 1), "aad"));
  EXPECT_FALSE(open(key, "short", "aad"));
  auto other = *node_key::from_text(std::string(64, 'f'));
  EXPECT_FALSE(open(other, sealed, "aad"));
}

TEST_F(SecurityAesGcmTest, KeyTextFormats) {
  EXPECT_TRUE(node_key::from_text(hex_key));
  EXPECT_TRUE(node_key::from_text("  " + hex_key + "\n"));
  // base64 of bytes 0..31
  EXPECT_TRUE(node_key::from_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
  EXPECT_FALSE(node_key::from_text(hex_key.substr(2)));
  EXPECT_FALSE(node_key::from_text(std::string(64, 'g')));
  EXPECT_FALSE(node_key::from_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="));
  EXPECT_FALSE(node_key::from_bytes("short"));
  // Both encodings give the same key.
  auto a = *node_key::from_text(hex_key);
  auto b = *node_key::from_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  EXPECT_EQ(*open(b, *seal(a, "x", ""), ""), "x");
}

TEST_F(SecurityAesGcmTest, EnvironmentVariableWins) {
  ::setenv(env_name, hex_key.c_str(), 1);
  auto key = load_node_key(path("missing.key"), env_name);
  ASSERT_TRUE(key) << key.err().detail;
  ::setenv(env_name, "nope", 1);
  auto bad = load_node_key("", env_name);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.err().detail.find(env_name), std::string::npos);
}

TEST_F(SecurityAesGcmTest, NothingConfiguredFails) {
  auto none = load_node_key("", env_name);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.err().code, errc::invalid_field);
}

TEST_F(SecurityAesGcmTest, CreateThenLoadKeyFile) {
  auto created = create_node_key_file(path("node.key"));
  ASSERT_TRUE(created) << created.err().detail;
  struct stat st {};
  ASSERT_EQ(::stat(path("node.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = load_node_key(path("node.key"), env_name);
  ASSERT_TRUE(loaded) << loaded.err().detail;
  EXPECT_EQ(*open(*loaded, *seal(*created, "secret", "id"), "id"), "secret");
  // O_EXCL: never overwrites a key.
  auto again = create_node_key_file(path("node.key"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.err().code, errc::storage_failed);
}

TEST_F(SecurityAesGcmTest, RefusesKeyFileReadableByOthers) {
  { std::ofstream(path("open.key")) << hex_key << "\n"; }
  ASSERT_EQ(::chmod(path("open.key").c_str(), 0644), 0);
  auto loaded = load_node_key(path("open.key"), env_name);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.err().code, errc::storage_failed);
  EXPECT_NE(loaded.err().detail.find(path("open.key")), std::string::npos);
  ASSERT_EQ(::chmod(path("open.key").c_str(), 0600), 0);
  EXPECT_TRUE(load_node_key(path("open.key"), env_name));
}

TEST_F(SecurityAesGcmTest, RefusesBadKeyFileContent) {
  { std::ofstream(path("bad.key")) << "not a key\n"; }
  ASSERT_EQ(::chmod(path("bad.key").c_str(), 0600), 0);
  auto loaded = load_node_key(path("bad.key"), env_name);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.err().code, errc::invalid_field);
  auto missing = load_node_key(path("none.key"), env_name);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.err().detail.find("none.key"), std::string::npos);
}

} // namespace
} // namespace nzl::security
