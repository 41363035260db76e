#include "security/sealed_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace nzl::security {
namespace {

node_key key_a() {
  return *node_key::from_text("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
}
node_key key_b() {
  return *node_key::from_text("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
}

class SecuritySealedFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nzl-sealed-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string contents() const {
    std::ifstream in{file()};
    return {std::istreambuf_iterator<char>{in}, {}};
  }
  std::filesystem::path file() const { return dir_ / "webhook-secret"; }
  result<sealed_secret> load(const node_key& key, std::string_view aad = "webhook-secret") {
    return load_or_create_sealed_secret(
        file(), key, aad, [this] { return "whsec_new" + std::to_string(++made_); },
        [](std::string_view s) { return s.starts_with("whsec_"); });
  }

  std::filesystem::path dir_;
  int made_ = 0;
};

TEST_F(SecuritySealedFileTest, CreatesASealedPrivateFileOnceAndOpensItAfter) {
  auto first = load(key_a());
  ASSERT_TRUE(first) << first.err().detail;
  EXPECT_EQ(first->origin, sealed_file_origin::created);
  EXPECT_EQ(first->secret, "whsec_new1");
  // Sealed: the secret is not in the file, the prefix is.
  EXPECT_EQ(contents().find("whsec_"), std::string::npos);
  EXPECT_EQ(contents().rfind(sealed_file_prefix, 0), 0u);
  struct stat st {};
  ASSERT_EQ(::stat(file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto again = load(key_a());
  ASSERT_TRUE(again) << again.err().detail;
  EXPECT_EQ(again->origin, sealed_file_origin::opened);
  EXPECT_EQ(again->secret, "whsec_new1");
  EXPECT_EQ(made_, 1);
  auto read = read_sealed_secret(file(), key_a(), "webhook-secret");
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, "whsec_new1");
}

TEST_F(SecuritySealedFileTest, APlainSecretFromBeforeIsSealedInPlace) {
  {
    std::ofstream out{file()};
    out << "whsec_old\n";
  }
  auto loaded = load(key_a());
  ASSERT_TRUE(loaded) << loaded.err().detail;
  EXPECT_EQ(loaded->origin, sealed_file_origin::sealed);
  EXPECT_EQ(loaded->secret, "whsec_old");
  EXPECT_EQ(contents().find("whsec_old"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "webhook-secret.tmp"));
  auto again = load(key_a());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->secret, "whsec_old");
  EXPECT_EQ(again->origin, sealed_file_origin::opened);
}

TEST_F(SecuritySealedFileTest, AnotherKeyOrPurposeOrDamageIsRefusedAndTheFileKept) {
  ASSERT_TRUE(load(key_a()));
  const auto before = contents();
  auto other_key = load(key_b());
  ASSERT_FALSE(other_key);
  EXPECT_NE(other_key.err().detail.find("webhook-secret"), std::string::npos);
  EXPECT_FALSE(load(key_a(), "another-purpose"));
  EXPECT_EQ(contents(), before); // never overwritten

  auto damaged = before;
  damaged[sealed_file_prefix.size() + 3] =
      damaged[sealed_file_prefix.size() + 3] == 'a' ? 'b' : 'a';
  {
    std::ofstream out{file(), std::ios::trunc};
    out << damaged;
  }
  EXPECT_FALSE(load(key_a()));
  {
    std::ofstream out{file(), std::ios::trunc};
    out << "sealed:v1:zz\n";
  }
  EXPECT_FALSE(load(key_a()));
  {
    std::ofstream out{file(), std::ios::trunc};
    out << "not a secret\n";
  }
  EXPECT_FALSE(load(key_a()));
  EXPECT_EQ(made_, 1);
}

TEST_F(SecuritySealedFileTest, ReadingNeverCreatesOrSeals) {
  EXPECT_FALSE(read_sealed_secret(file(), key_a(), "webhook-secret"));
  EXPECT_FALSE(std::filesystem::exists(file()));
  {
    std::ofstream out{file()};
    out << "whsec_plain\n";
  }
  EXPECT_FALSE(read_sealed_secret(file(), key_a(), "webhook-secret"));
  EXPECT_EQ(contents(), "whsec_plain\n");
}

} // namespace
} // namespace nzl::security
