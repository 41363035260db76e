#include "net/router.hpp"

#include <gtest/gtest.h>

namespace nzl::net {
namespace {

TEST(RouterTest, MatchesEveryEndpoint) {
  EXPECT_EQ(match_route(http_method::post, "/v3/tasks").kind, route::tasks_run);
  EXPECT_EQ(match_route(http_method::post, "/v3/tasks/batch").kind, route::tasks_batch);
  EXPECT_EQ(match_route(http_method::post, "/api/delegate").kind, route::v2_delegate);
  EXPECT_EQ(match_route(http_method::get, "/health").kind, route::health);
  EXPECT_EQ(match_route(http_method::head, "/health").kind, route::health);
  EXPECT_EQ(match_route(http_method::get, "/ready").kind, route::ready);
}

TEST(RouterTest, AnythingUnderV1IsGoneWhateverTheMethod) {
  EXPECT_EQ(match_route(http_method::post, "/api/v1/delegate").kind, route::v1_gone);
  EXPECT_EQ(match_route(http_method::get, "/api/v1/anything/else").kind, route::v1_gone);
  EXPECT_EQ(match_route(http_method::get, "/api/v1").kind, route::v1_gone);
  EXPECT_EQ(match_route(http_method::get, "/api/v10").kind, route::not_found);
}

TEST(RouterTest, WrongMethodListsAllowedMethods) {
  auto m = match_route(http_method::get, "/v3/tasks");
  EXPECT_EQ(m.kind, route::method_not_allowed);
  EXPECT_EQ(m.allow, "POST");
  auto h = match_route(http_method::post, "/health");
  EXPECT_EQ(h.kind, route::method_not_allowed);
  EXPECT_EQ(h.allow, "GET, HEAD");
}

TEST(RouterTest, UnknownPathIsNotFound) {
  EXPECT_EQ(match_route(http_method::get, "/nope").kind, route::not_found);
  EXPECT_EQ(match_route(http_method::get, "/").kind, route::not_found);
  EXPECT_EQ(match_route(http_method::post, "/v3/tasks/batch/x").kind, route::not_found);
  EXPECT_EQ(match_route(http_method::post, "/V3/TASKS").kind, route::not_found);
}

TEST(RouterTest, MatchesParameterisedTaskAndQueuePaths) {
  auto get = match_route(http_method::get, "/v3/tasks/abc-123");
  EXPECT_EQ(get.kind, route::task_get);
  EXPECT_EQ(get.param, "abc-123");
  EXPECT_EQ(match_route(http_method::del, "/v3/tasks/abc").kind, route::task_cancel);
  auto retry = match_route(http_method::post, "/v3/tasks/abc/retry");
  EXPECT_EQ(retry.kind, route::task_retry);
  EXPECT_EQ(retry.param, "abc");
  auto q = match_route(http_method::get, "/v3/queues/default");
  EXPECT_EQ(q.kind, route::queue_stats);
  EXPECT_EQ(q.param, "default");
  auto wrong = match_route(http_method::put, "/v3/tasks/abc");
  EXPECT_EQ(wrong.kind, route::method_not_allowed);
  EXPECT_EQ(wrong.allow, "GET, DELETE");
  EXPECT_EQ(match_route(http_method::get, "/v3/tasks/a/b").kind, route::not_found);
  EXPECT_EQ(match_route(http_method::get, "/v3/queues/").kind, route::not_found);
  EXPECT_EQ(match_route(http_method::get, "/v3/tasks/batch").kind, route::method_not_allowed);
}

TEST(RouterTest, ToleratesOneTrailingSlash) {
  EXPECT_EQ(match_route(http_method::get, "/health/").kind, route::health);
  EXPECT_EQ(match_route(http_method::get, "/health//").kind, route::not_found);
}

TEST(RouterTest, PathOfDropsQueryAndFragment) {
  EXPECT_EQ(path_of("/v3/tasks?x=1"), "/v3/tasks");
  EXPECT_EQ(path_of("/health#top"), "/health");
  EXPECT_EQ(path_of("/ready"), "/ready");
}

} // namespace
} // namespace nzl::net
