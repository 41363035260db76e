#include "tests/support/problem_check.hpp"

#include <algorithm>
#include <string>

namespace nzl::test {

::testing::AssertionResult is_problem(const http_reply& reply, unsigned status,
                                      std::string_view code) {
  auto failure = [&] {
    return ::testing::AssertionFailure()
           << "\n  response: " << reply.status << " " << reply.header("Content-Type") << " "
           << reply.body << "\n  ";
  };
  if (reply.status != status)
    return failure() << "status is " << reply.status << ", expected " << status;
  if (reply.header("Content-Type") != "application/problem+json")
    return failure() << "Content-Type is not application/problem+json";
  const auto doc = reply.json();
  if (!doc.is_object())
    return failure() << "the body is not a JSON object";
  std::string type = "urn:noizylab:problem:";
  for (char c : code)
    type.push_back(c == '_' ? '-' : c);
  if (doc.value("type", "") != type)
    return failure() << "member type is not \"" << type << "\"";
  if (!doc.contains("title") || !doc["title"].is_string() ||
      doc["title"].get<std::string>().empty())
    return failure() << "member title is missing or empty";
  if (!doc.contains("status") || !doc["status"].is_number_integer() ||
      doc["status"].get<unsigned>() != status)
    return failure() << "member status is not " << status;
  if (!doc.contains("detail") || !doc["detail"].is_string() ||
      doc["detail"].get<std::string>().empty())
    return failure() << "member detail is missing or empty";
  if (doc.value("code", "") != code)
    return failure() << "member code is not \"" << code << "\"";
  const auto header_id = reply.header("X-Request-Id");
  if (header_id.empty())
    return failure() << "no X-Request-Id header";
  if (doc.value("request_id", "") != header_id)
    return failure() << "member request_id differs from the X-Request-Id header (" << header_id
                     << ")";
  return ::testing::AssertionSuccess();
}

bool is_sane_id(std::string_view id) {
  if (id.empty() || id.size() > 128)
    return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

} // namespace nzl::test
