#include "core/problem.hpp"
#include "core/result.hpp"

#include <gtest/gtest.h>

namespace nzl {
namespace {

TEST(ProblemTest, HasEveryRfc9457MemberAndOurs) {
  auto doc =
      make_problem(fail(errc::invalid_field, "field 'type' is required", {{"field", "type"}}),
                   "req-1", "/v3/tasks");
  EXPECT_EQ(doc["type"], "urn:noizylab:problem:invalid-field");
  EXPECT_EQ(doc["title"], "Invalid field");
  EXPECT_EQ(doc["status"], 400);
  EXPECT_EQ(doc["detail"], "field 'type' is required");
  EXPECT_EQ(doc["code"], "invalid_field");
  EXPECT_EQ(doc["request_id"], "req-1");
  EXPECT_EQ(doc["instance"], "/v3/tasks");
  EXPECT_EQ(doc["field"], "type");
  EXPECT_EQ(doc["retryable"], false);
}

TEST(ProblemTest, ExtensionsNeverOverrideStandardMembers) {
  auto doc = make_problem(fail(errc::not_found, "x", {{"status", 200}, {"type", "evil"}}), "r");
  EXPECT_EQ(doc["status"], 404);
  EXPECT_EQ(doc["type"], "urn:noizylab:problem:not-found");
}

TEST(ProblemTest, EmptyDetailFallsBackToTitle) {
  auto doc = make_problem(error{errc::internal, "", nlohmann::json::object()}, "r");
  EXPECT_EQ(doc["detail"], "Internal error");
}

TEST(ProblemTest, StatusCodesMatchTheContract) {
  EXPECT_EQ(problem_type_of(errc::invalid_json).status, 400);
  EXPECT_EQ(problem_type_of(errc::unsupported_media_type).status, 415);
  EXPECT_EQ(problem_type_of(errc::payload_too_large).status, 413);
  EXPECT_EQ(problem_type_of(errc::header_too_large).status, 431);
  EXPECT_EQ(problem_type_of(errc::method_not_allowed).status, 405);
  EXPECT_EQ(problem_type_of(errc::gone).status, 410);
  EXPECT_EQ(problem_type_of(errc::unknown_task_type).status, 422);
  EXPECT_EQ(problem_type_of(errc::overloaded).status, 503);
  EXPECT_EQ(problem_type_of(errc::task_timeout).status, 504);
}

TEST(ProblemTest, RetryableOnlyForTransientCodes) {
  EXPECT_EQ(advice_for(errc::overloaded), advice::retry_later);
  EXPECT_EQ(advice_for(errc::unavailable), advice::retry_later);
  EXPECT_EQ(advice_for(errc::invalid_json), advice::fix_request);
  EXPECT_EQ(advice_for(errc::internal), advice::report);
  EXPECT_EQ(make_problem(fail(errc::overloaded, "x"), "r")["retryable"], true);
}

} // namespace
} // namespace nzl
