#include "net/response_json.hpp"

namespace nzl::net {

using nlohmann::json;

json response_to_json(const http_response& response) {
  json headers = json::array();
  for (const auto& [name, value] : response.headers)
    headers.push_back({name, value});
  return json{{"status", response.status},
              {"content_type", response.content_type},
              {"body", response.body},
              {"headers", std::move(headers)}};
}

std::optional<http_response> response_from_json(const json& doc) {
  if (!doc.is_object())
    return std::nullopt;
  const auto status = doc.find("status");
  const auto type = doc.find("content_type");
  const auto body = doc.find("body");
  const auto headers = doc.find("headers");
  if (status == doc.end() || !status->is_number_integer() || type == doc.end() ||
      !type->is_string() || body == doc.end() || !body->is_string() || headers == doc.end() ||
      !headers->is_array())
    return std::nullopt;
  http_response r;
  r.status = status->get<int>();
  if (r.status < 100 || r.status > 599)
    return std::nullopt;
  r.content_type = type->get<std::string>();
  r.body = body->get<std::string>();
  for (const auto& h : *headers) {
    if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string())
      return std::nullopt;
    r.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
  }
  return r;
}

} // namespace nzl::net
