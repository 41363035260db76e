// Runs the official JSON Schema Test Suite
// (https://github.com/json-schema-org/JSON-Schema-Test-Suite) against the
// validator: one test per file of each draft, so a failure names the file and
// each draft can be run alone (`--gtest_filter='Draft2020_12/*'`).
//
// The suite is looked up, per draft, in the folder named by the environment
// variable NZL_JSON_SCHEMA_SUITE, then NZL_JSON_SCHEMA_SUITE_DIR (a CMake cache
// variable, by default ../shared/json-schema-test-suite next to the
// repository), then /usr/share/json-schema-test-suite (Debian's package, drafts
// 4, 6 and 7 only). A draft found nowhere is skipped with a message. The
// suite's remotes/ are served to the validator as known schemas under
// http://localhost:1234/: nothing is fetched.
//
// Required files must pass every case. Optional files (formats, bignum, ...)
// are run with format assertion on and report their pass counts without
// failing; docs/json-validator.md lists the cases that fail and why.
// `Counts/<draft>` prints the per-draft totals.

#include "plugins/schema/validator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace nzl::schema {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

#ifndef NZL_JSON_SCHEMA_SUITE_DIR
#define NZL_JSON_SCHEMA_SUITE_DIR ""
#endif

struct draft_dir {
  const char* name; // folder under tests/
  const char* test_name;
  draft d;
};

constexpr draft_dir drafts[] = {
    {"draft4", "Draft4", draft::draft4},
    {"draft6", "Draft6", draft::draft6},
    {"draft7", "Draft7", draft::draft7},
    {"draft2019-09", "Draft2019_09", draft::draft2019_09},
    {"draft2020-12", "Draft2020_12", draft::draft2020_12},
};

std::vector<fs::path> suite_roots() {
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("NZL_JSON_SCHEMA_SUITE"); env != nullptr && *env != '\0')
    roots.emplace_back(env);
  if (*NZL_JSON_SCHEMA_SUITE_DIR != '\0')
    roots.emplace_back(NZL_JSON_SCHEMA_SUITE_DIR);
  roots.emplace_back("/usr/share/json-schema-test-suite");
  return roots;
}

/// The first suite root that has tests for `draft_name`.
std::optional<fs::path> root_for(const std::string& draft_name) {
  std::error_code ec;
  for (const auto& r : suite_roots())
    if (fs::is_directory(r / "tests" / draft_name, ec))
      return r;
  return std::nullopt;
}

std::optional<json> read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in)
    return std::nullopt;
  auto j = json::parse(in, nullptr, false);
  if (j.is_discarded())
    return std::nullopt;
  return j;
}

/// The suite's remotes/, keyed by the URI the tests use for them.
std::shared_ptr<const schema_set> remotes_of(const fs::path& root) {
  auto set = std::make_shared<schema_set>();
  std::error_code ec;
  const auto dir = root / "remotes";
  if (!fs::is_directory(dir, ec))
    return set;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || !it->is_regular_file() || it->path().extension() != ".json")
      continue;
    if (auto j = read_json(it->path()))
      set->emplace("http://localhost:1234/" + fs::relative(it->path(), dir).generic_string(),
                   std::move(*j));
  }
  return set;
}

struct suite_file {
  std::string draft_name;
  draft d = draft::draft2020_12;
  fs::path root;    // empty: the draft is missing
  std::string file; // relative to tests/<draft>/
  bool optional = false;
};

std::vector<suite_file> files_of(const draft_dir& dd) {
  std::vector<suite_file> out;
  auto root = root_for(dd.name);
  if (!root) {
    out.push_back(suite_file{dd.name, dd.d, {}, "missing", false});
    return out;
  }
  const auto base = *root / "tests" / dd.name;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(base, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || !it->is_regular_file() || it->path().extension() != ".json")
      continue;
    auto rel = fs::relative(it->path(), base).generic_string();
    out.push_back(suite_file{dd.name, dd.d, *root, rel, rel.starts_with("optional/")});
  }
  std::sort(out.begin(), out.end(),
            [](const suite_file& a, const suite_file& b) { return a.file < b.file; });
  return out;
}

struct tally {
  int passed = 0;
  int total = 0;
  std::vector<std::string> failures;
};

/// Runs every case of one file.
tally run_file(const suite_file& f, const std::shared_ptr<const schema_set>& remotes) {
  tally t;
  auto doc = read_json(f.root / "tests" / f.draft_name / f.file);
  if (!doc || !doc->is_array()) {
    t.failures.push_back(f.file + ": not a suite file");
    return t;
  }
  compile_options o;
  o.default_draft = f.d;
  o.known_schemas = remotes;
  // Optional format files test format assertion; so does format-assertion.json
  // through its meta-schemas.
  o.assert_formats = f.file.starts_with("optional/format/");
  for (const auto& group : *doc) {
    const auto desc = group.value("description", std::string{});
    auto compiled = compile(group.at("schema"), o);
    for (const auto& tc : group.at("tests")) {
      ++t.total;
      const bool expected = tc.at("valid").get<bool>();
      const auto name = desc + " / " + tc.value("description", std::string{});
      if (!compiled) {
        t.failures.push_back(name + ": schema did not compile: " + compiled.err().detail);
        continue;
      }
      const bool fast = compiled->is_valid(tc.at("data"));
      const auto errors = compiled->validate(tc.at("data"));
      if (fast == expected && errors.empty() == expected) {
        ++t.passed;
      } else {
        t.failures.push_back(name + ": expected " + (expected ? "valid" : "invalid") +
                             ", is_valid said " + (fast ? "valid" : "invalid") +
                             ", validate gave " + std::to_string(errors.size()) + " error(s)");
      }
    }
  }
  return t;
}

std::shared_ptr<const schema_set> cached_remotes(const fs::path& root) {
  static std::map<fs::path, std::shared_ptr<const schema_set>> cache;
  auto& r = cache[root];
  if (!r)
    r = remotes_of(root);
  return r;
}

class OfficialSuiteTest : public testing::TestWithParam<suite_file> {};

TEST_P(OfficialSuiteTest, File) {
  const auto& f = GetParam();
  if (f.root.empty()) {
    std::cout << "JSON Schema Test Suite: no tests for " << f.draft_name
              << " found; skipping (set NZL_JSON_SCHEMA_SUITE)\n";
    GTEST_SKIP() << "no suite for " << f.draft_name;
  }
  auto t = run_file(f, cached_remotes(f.root));
  std::cout << f.draft_name << "/" << f.file << ": " << t.passed << "/" << t.total << " passed"
            << (f.optional ? " (optional)" : "") << "\n";
  for (const auto& failure : t.failures)
    std::cout << "  " << (f.optional ? "optional case fails: " : "FAIL: ") << failure << "\n";
  if (!f.optional) {
    EXPECT_EQ(t.passed, t.total) << "see the failures above";
  }
}

std::string param_name(const testing::TestParamInfo<suite_file>& info) {
  std::string n;
  for (char c : info.param.file.substr(0, info.param.file.size() -
                                              (info.param.file.ends_with(".json") ? 5 : 0)))
    n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Draft4, OfficialSuiteTest, testing::ValuesIn(files_of(drafts[0])),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Draft6, OfficialSuiteTest, testing::ValuesIn(files_of(drafts[1])),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Draft7, OfficialSuiteTest, testing::ValuesIn(files_of(drafts[2])),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Draft2019_09, OfficialSuiteTest, testing::ValuesIn(files_of(drafts[3])),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Draft2020_12, OfficialSuiteTest, testing::ValuesIn(files_of(drafts[4])),
                         param_name);

/// Per-draft totals, for docs/json-validator.md.
class OfficialSuiteCounts : public testing::TestWithParam<draft_dir> {};

TEST_P(OfficialSuiteCounts, Draft) {
  const auto& dd = GetParam();
  auto files = files_of(dd);
  if (files.size() == 1 && files[0].root.empty()) {
    std::cout << "JSON Schema Test Suite: no tests for " << dd.name << " found; skipping\n";
    GTEST_SKIP() << "no suite for " << dd.name;
  }
  tally required;
  tally optional;
  for (const auto& f : files) {
    auto t = run_file(f, cached_remotes(f.root));
    auto& into = f.optional ? optional : required;
    into.passed += t.passed;
    into.total += t.total;
  }
  std::cout << dd.name << ": required " << required.passed << "/" << required.total << ", optional "
            << optional.passed << "/" << optional.total << "\n";
  RecordProperty("required_passed", required.passed);
  RecordProperty("required_total", required.total);
  RecordProperty("optional_passed", optional.passed);
  RecordProperty("optional_total", optional.total);
  EXPECT_EQ(required.passed, required.total);
}

INSTANTIATE_TEST_SUITE_P(Counts, OfficialSuiteCounts, testing::ValuesIn(drafts),
                         [](const testing::TestParamInfo<draft_dir>& info) {
                           return std::string{info.param.test_name};
                         });

} // namespace
} // namespace nzl::schema
