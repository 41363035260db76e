#pragma once

#include "tests/support/http_client.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace nzl::test {

/// Checks that `reply` is an RFC 9457 problem document as the node writes
/// them: the HTTP status, `Content-Type: application/problem+json`, and the
/// members type (`urn:noizylab:problem:<code>`), title, status, detail, code
/// and request_id (equal to the `X-Request-Id` header).
/// `EXPECT_TRUE(is_problem(reply, 404, "not_found"))`.
[[nodiscard]] ::testing::AssertionResult is_problem(const http_reply& reply, unsigned status,
                                                    std::string_view code);

/// True for an id the node would accept from a client: 1-128 characters of
/// A-Z, a-z, 0-9, '.', '_', ':', '-'.
[[nodiscard]] bool is_sane_id(std::string_view id);

} // namespace nzl::test
