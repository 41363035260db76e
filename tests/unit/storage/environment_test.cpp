#include "storage/environment.hpp"
#include "tests/unit/storage/temp_dir.hpp"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <atomic>
#include <csignal>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace nzl::storage {
namespace {

namespace fs = std::filesystem;

class EnvironmentTest : public ::testing::Test {
protected:
  env_options options() const { return env_options{.dir = data_, .sync = false}; }

  std::unique_ptr<environment> open_ok(const env_options& opts) {
    auto env = environment::open(opts);
    EXPECT_TRUE(env) << env.err().detail;
    return env ? std::move(env).value() : nullptr;
  }

  static std::optional<std::string> get(const environment& env, table t, std::string_view key) {
    auto txn = env.begin_read();
    EXPECT_TRUE(txn) << txn.err().detail;
    auto v = txn->get(t, key);
    EXPECT_TRUE(v) << v.err().detail;
    return v ? *v : std::nullopt;
  }

  // Opening must fail with errc::internal and a detail naming the directory
  // and containing `expected`.
  void expect_refused(const env_options& opts, std::string_view expected) {
    auto env = environment::open(opts);
    ASSERT_FALSE(env);
    EXPECT_EQ(env.err().code, errc::internal);
    EXPECT_NE(env.err().detail.find(opts.dir.string()), std::string::npos) << env.err().detail;
    EXPECT_NE(env.err().detail.find(expected), std::string::npos) << env.err().detail;
  }

  void set_schema_version(std::string_view value) {
    auto env = open_ok(options());
    ASSERT_TRUE(env);
    write_batch b;
    b.put(table::meta, schema_version_key, value);
    ASSERT_TRUE(env->commit(b));
  }

  testing::temp_dir tmp_;
  fs::path data_ = tmp_.path() / "node" / "data";
};

TEST_F(EnvironmentTest, CreatesTheDirectoryAndWritesTheSchemaVersion) {
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  EXPECT_TRUE(fs::is_directory(data_));
  EXPECT_TRUE(fs::exists(data_ / "data.mdb"));
  EXPECT_EQ(env->dir(), data_);
  EXPECT_EQ(get(*env, table::meta, schema_version_key), std::to_string(current_schema_version));
  EXPECT_EQ(env->commits(), 0u);
  EXPECT_EQ(env->map_size(), env_options{}.initial_map_bytes);
}

TEST_F(EnvironmentTest, ReopenKeepsData) {
  {
    auto env = open_ok(env_options{.dir = data_, .sync = true});
    ASSERT_TRUE(env);
    write_batch b;
    b.put(table::tasks, "t1", "queued");
    b.put(table::idempotency, "client/key", "first answer");
    ASSERT_TRUE(env->commit(b));
    EXPECT_EQ(env->commits(), 1u);
  }
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  EXPECT_EQ(get(*env, table::tasks, "t1"), "queued");
  EXPECT_EQ(get(*env, table::idempotency, "client/key"), "first answer");
  EXPECT_EQ(get(*env, table::meta, schema_version_key), std::to_string(current_schema_version));
}

TEST_F(EnvironmentTest, GroupCommitAppliesAllBatchesInOneCommitInOrder) {
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  std::vector<write_batch> group(3);
  group[0].put(table::tasks, "a", "1");
  group[0].put(table::tasks, "shared", "from batch 0");
  group[1].put(table::queue_index, "q/a", "a");
  group[2].put(table::tasks, "shared", "from batch 2");
  group[2].erase(table::tasks, "a");
  auto r = env->commit(group);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->operations, 5u);
  EXPECT_EQ(r->map_growths, 0u);
  EXPECT_EQ(env->commits(), 1u);
  EXPECT_EQ(get(*env, table::tasks, "a"), std::nullopt);
  EXPECT_EQ(get(*env, table::tasks, "shared"), "from batch 2");
  EXPECT_EQ(get(*env, table::queue_index, "q/a"), "a");
}

TEST_F(EnvironmentTest, GroupWithABadKeyAppliesNothing) {
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  std::vector<write_batch> group(2);
  group[0].put(table::tasks, "good", "v");
  group[1].put(table::tasks, "also-good", "v");
  group[1].put(table::tasks, std::string(max_key_bytes + 1, 'k'), "v");
  auto r = env->commit(group);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::invalid_field);
  EXPECT_EQ(r.err().extensions.value("batch", -1), 1);
  EXPECT_EQ(r.err().extensions.value("operation", -1), 1);
  EXPECT_EQ(env->commits(), 0u);
  EXPECT_EQ(get(*env, table::tasks, "good"), std::nullopt);

  write_batch empty_key;
  empty_key.put(table::tasks, "", "v");
  EXPECT_EQ(env->commit(empty_key).err().code, errc::invalid_field);

  write_batch longest;
  longest.put(table::tasks, std::string(max_key_bytes, 'k'), "v");
  EXPECT_TRUE(env->commit(longest));
}

TEST_F(EnvironmentTest, EmptyGroupCommitsNothing) {
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  std::vector<write_batch> group(2);
  auto r = env->commit(group);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->operations, 0u);
  EXPECT_EQ(env->commits(), 0u);
  EXPECT_TRUE(env->commit(std::span<const write_batch>{}));
}

TEST_F(EnvironmentTest, MapGrowsWhenFullAndKeepsEveryWrite) {
  auto opts = options();
  opts.initial_map_bytes = 64 << 10;
  auto env = open_ok(opts);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->map_size(), 64u << 10);

  // 4 MiB in commits of 256 KiB, then one commit of 2 MiB that needs
  // several doublings at once.
  const std::string value(4096, 'v');
  for (int c = 0; c < 16; ++c) {
    write_batch b;
    for (int i = 0; i < 64; ++i)
      b.put(table::tasks, "small/" + std::to_string(c * 64 + i), value);
    auto r = env->commit(b);
    ASSERT_TRUE(r) << r.err().detail;
  }
  std::vector<write_batch> group(8);
  for (int g = 0; g < 8; ++g)
    for (int i = 0; i < 64; ++i)
      group[g].put(table::tasks, "big/" + std::to_string(g * 64 + i), value);
  auto r = env->commit(group);
  ASSERT_TRUE(r) << r.err().detail;
  EXPECT_EQ(r->map_bytes, env->map_size());
  EXPECT_GE(env->map_size(), std::size_t{6} << 20);
  EXPECT_GE(env->map_growths(), 7u);
  EXPECT_EQ(env->commits(), 17u);

  auto check = [&](const environment& e) {
    auto txn = e.begin_read();
    ASSERT_TRUE(txn);
    EXPECT_EQ(txn->count(table::tasks).value(), 1024u + 512u);
    EXPECT_EQ(txn->get(table::tasks, "small/0").value(), value);
    EXPECT_EQ(txn->get(table::tasks, "big/511").value(), value);
  };
  check(*env);
  auto grown = env->map_size();
  env.reset();
  auto again = open_ok(opts);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->map_size(), grown);
  check(*again);
}

TEST_F(EnvironmentTest, FullMapAtTheLimitFailsRetryablyAndChangesNothing) {
  auto opts = options();
  opts.initial_map_bytes = 64 << 10;
  opts.max_map_bytes = 256 << 10;
  auto env = open_ok(opts);
  ASSERT_TRUE(env);
  write_batch big;
  for (int i = 0; i < 100; ++i)
    big.put(table::tasks, "k" + std::to_string(i), std::string(8192, 'v'));
  auto r = env->commit(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.err().code, errc::unavailable);
  EXPECT_NE(r.err().detail.find("max_map_bytes"), std::string::npos) << r.err().detail;
  EXPECT_EQ(env->map_size(), 256u << 10);
  EXPECT_EQ(get(*env, table::tasks, "k0"), std::nullopt);

  write_batch small;
  small.put(table::tasks, "small", "still works");
  ASSERT_TRUE(env->commit(small));
  EXPECT_EQ(get(*env, table::tasks, "small"), "still works");
}

TEST_F(EnvironmentTest, ReadersOnOtherThreadsSurviveMapGrowth) {
  auto opts = options();
  opts.initial_map_bytes = 64 << 10;
  auto env = open_ok(opts);
  ASSERT_TRUE(env);
  write_batch first;
  first.put(table::tasks, "k", "v");
  ASSERT_TRUE(env->commit(first));

  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::atomic<int> failures{0};
  std::thread reader{[&] {
    while (!stop.load()) {
      auto txn = env->begin_read();
      if (!txn) {
        ++failures;
        break;
      }
      if (txn->get(table::tasks, "k").value() != "v")
        ++failures;
      std::size_t n = 0;
      auto scanned = txn->scan(table::tasks, "", [&](std::string_view, std::string_view v) {
        n += v.size();
        return true;
      });
      if (!scanned)
        ++failures;
      ++reads;
    }
  }};
  const std::string value(4096, 'v');
  for (int c = 0; c < 32; ++c) {
    write_batch b;
    for (int i = 0; i < 32; ++i)
      b.put(table::tasks, "x/" + std::to_string(c * 32 + i), value);
    auto r = env->commit(b);
    EXPECT_TRUE(r) << r.err().detail;
  }
  stop = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_GT(env->map_growths(), 0u);
}

TEST_F(EnvironmentTest, RefusesANewerSchemaVersion) {
  set_schema_version("3");
  expect_refused(options(), "was written by schema version 3; this node understands up to 2");
}

TEST_F(EnvironmentTest, UpgradesSchemaOneKeepingItsData) {
  {
    auto env = open_ok(options());
    ASSERT_TRUE(env);
    write_batch b;
    b.put(table::tasks, "t1", "queued");
    ASSERT_TRUE(env->commit(b));
  }
  set_schema_version("1");
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  EXPECT_EQ(get(*env, table::meta, schema_version_key), "2");
  EXPECT_EQ(get(*env, table::tasks, "t1"), "queued");
  write_batch b;
  b.put(table::api_keys, "k_1", "{}");
  ASSERT_TRUE(env->commit(b));
  EXPECT_EQ(get(*env, table::api_keys, "k_1"), "{}");
}

TEST_F(EnvironmentTest, RefusesAGarbledSchemaVersion) {
  int n = 0;
  for (std::string bad : {"", "abc", "1x", "01", "0", "-1", "99999999999999999999"}) {
    SCOPED_TRACE(bad);
    data_ = tmp_.path() / std::to_string(n++);
    set_schema_version(bad);
    expect_refused(options(), "unreadable schema version");
  }
}

TEST_F(EnvironmentTest, RefusesDataWithoutASchemaVersion) {
  {
    auto env = open_ok(options());
    ASSERT_TRUE(env);
    write_batch b;
    b.put(table::tasks, "t1", "queued");
    b.erase(table::meta, schema_version_key);
    ASSERT_TRUE(env->commit(b));
  }
  expect_refused(options(), "holds data but no schema version");
}

TEST_F(EnvironmentTest, AdoptsAnEmptyEnvironmentWithoutAVersion) {
  {
    auto env = open_ok(options());
    ASSERT_TRUE(env);
    write_batch b;
    b.erase(table::meta, schema_version_key);
    ASSERT_TRUE(env->commit(b));
  }
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  EXPECT_EQ(get(*env, table::meta, schema_version_key), std::to_string(current_schema_version));
}

TEST_F(EnvironmentTest, RefusesAForeignLmdbEnvironment) {
  fs::create_directories(data_);
  MDB_env* raw = nullptr;
  ASSERT_EQ(mdb_env_create(&raw), 0);
  ASSERT_EQ(mdb_env_open(raw, data_.c_str(), 0, 0600), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(raw, nullptr, 0, &txn), 0);
  MDB_dbi dbi = 0;
  ASSERT_EQ(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
  std::string k = "someone-else", v = "data";
  MDB_val key{k.size(), k.data()};
  MDB_val val{v.size(), v.data()};
  ASSERT_EQ(mdb_put(txn, dbi, &key, &val, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(raw);
  auto before = testing::read_file(data_ / "data.mdb");

  expect_refused(options(), "holds data but no schema version");
  EXPECT_EQ(testing::read_file(data_ / "data.mdb"), before);
}

TEST_F(EnvironmentTest, RefusesACorruptDataFileAndLeavesItByteIdentical) {
  fs::create_directories(data_);
  std::string garbage;
  for (int i = 0; i < 3 * 4096; ++i)
    garbage += static_cast<char>((i * 131 + 7) % 251);
  testing::write_file(data_ / "data.mdb", garbage);

  expect_refused(options(), "not a valid LMDB file");
  EXPECT_EQ(testing::read_file(data_ / "data.mdb"), garbage);
  EXPECT_EQ(fs::file_size(data_ / "data.mdb"), garbage.size());
}

TEST_F(EnvironmentTest, RefusesAShortGarbageDataFile) {
  fs::create_directories(data_);
  testing::write_file(data_ / "data.mdb", "not lmdb");
  expect_refused(options(), "not a valid LMDB file");
  EXPECT_EQ(testing::read_file(data_ / "data.mdb"), "not lmdb");
}

TEST_F(EnvironmentTest, RefusesAFileInPlaceOfTheDirectory) {
  fs::create_directories(data_.parent_path());
  testing::write_file(data_, "I am a file");
  expect_refused(options(), "is not a directory");
  EXPECT_EQ(testing::read_file(data_), "I am a file");
}

TEST_F(EnvironmentTest, RefusesAPathBelowAFile) {
  fs::create_directories(tmp_.path());
  testing::write_file(tmp_.path() / "node", "a file");
  expect_refused(options(), "cannot");
  EXPECT_EQ(testing::read_file(tmp_.path() / "node"), "a file");
}

TEST_F(EnvironmentTest, RefusesADataFileThatIsADirectory) {
  fs::create_directories(data_ / "data.mdb");
  expect_refused(options(), "mdb_env_open");
  EXPECT_TRUE(fs::is_directory(data_ / "data.mdb"));
}

TEST_F(EnvironmentTest, CommittedDataSurvivesAKilledProcess) {
  // The child commits without sync and dies by SIGKILL before closing
  // anything: a crash of the process loses no commit that returned.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto env = environment::open(options());
    if (!env)
      ::_exit(2);
    for (int i = 0; i < 100; ++i) {
      write_batch b;
      b.put(table::tasks, "t" + std::to_string(i), "acknowledged");
      if (!(*env)->commit(b))
        ::_exit(3);
    }
    ::kill(::getpid(), SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  auto txn = env->begin_read();
  ASSERT_TRUE(txn);
  EXPECT_EQ(txn->count(table::tasks).value(), 100u);
  EXPECT_EQ(txn->get(table::tasks, "t99").value(), "acknowledged");
}

TEST_F(EnvironmentTest, RefusesADirectoryWithoutPermission) {
  if (::geteuid() == 0)
    GTEST_SKIP() << "root ignores file permissions";
  fs::create_directories(data_);
  fs::permissions(data_, fs::perms::owner_read | fs::perms::owner_exec);
  expect_refused(options(), "");
  EXPECT_FALSE(fs::exists(data_ / "data.mdb"));
}

TEST_F(EnvironmentTest, RefusesASecondEnvironmentOnTheSameDirectory) {
  auto first = open_ok(options());
  ASSERT_TRUE(first);
  expect_refused(options(), "is in use by another storage environment");
  first.reset();
  EXPECT_TRUE(open_ok(options()));
}

TEST_F(EnvironmentTest, RejectsNonsenseOptions) {
  auto opts = options();
  opts.initial_map_bytes = 0;
  EXPECT_EQ(environment::open(opts).err().code, errc::invalid_field);
  opts = options();
  opts.max_map_bytes = opts.initial_map_bytes / 2;
  EXPECT_EQ(environment::open(opts).err().code, errc::invalid_field);
  EXPECT_EQ(environment::open(env_options{}).err().code, errc::invalid_field);
  EXPECT_FALSE(fs::exists(data_));
}

TEST_F(EnvironmentTest, FlushSucceedsWithoutSync) {
  auto env = open_ok(options());
  ASSERT_TRUE(env);
  write_batch b;
  b.put(table::tasks, "k", "v");
  ASSERT_TRUE(env->commit(b));
  EXPECT_TRUE(env->flush());
}

} // namespace
} // namespace nzl::storage
