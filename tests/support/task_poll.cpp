#include "tests/support/task_poll.hpp"

#include "tests/support/poll.hpp"

namespace nzl::test {

nlohmann::json get_task(http_client& client, std::string_view id) {
  auto reply = client.request("GET", "/v3/tasks/" + std::string{id});
  if (!reply || reply->status != 200)
    return nlohmann::json(nlohmann::json::value_t::discarded);
  return reply->json();
}

nlohmann::json wait_for_status(http_client& client, std::string_view id, std::string_view status,
                               std::chrono::milliseconds bound) {
  nlohmann::json last(nlohmann::json::value_t::discarded);
  eventually(
      [&] {
        auto record = get_task(client, id);
        if (!record.is_discarded())
          last = std::move(record);
        return last.is_object() && last.value("status", "") == status;
      },
      bound);
  return last;
}

} // namespace nzl::test
