#include "cluster/gather_round.hpp"

#include <algorithm>

namespace nzl::cluster {

gather_round::gather_round(const std::vector<std::string>& peers,
                           const std::vector<std::string>& asked,
                           std::string_view not_asked_reason) {
  for (const auto& p : peers) {
    if (std::find(asked.begin(), asked.end(), p) != asked.end()) {
      if (std::find(waiting_.begin(), waiting_.end(), p) == waiting_.end())
        waiting_.push_back(p);
    } else {
      result_.missing.push_back(missing_node{p, std::string{not_asked_reason}});
    }
  }
}

bool gather_round::waits_for(std::string_view node) const noexcept {
  return std::find(waiting_.begin(), waiting_.end(), node) != waiting_.end();
}

bool gather_round::answer(std::string_view node, std::string text) {
  auto it = std::find(waiting_.begin(), waiting_.end(), node);
  if (it == waiting_.end())
    return false;
  result_.answers.push_back(node_answer{std::move(*it), std::move(text)});
  waiting_.erase(it);
  return true;
}

bool gather_round::fail(std::string_view node, std::string reason) {
  auto it = std::find(waiting_.begin(), waiting_.end(), node);
  if (it == waiting_.end())
    return false;
  result_.missing.push_back(missing_node{std::move(*it), std::move(reason)});
  waiting_.erase(it);
  return true;
}

gathered gather_round::finish(std::string_view reason) {
  for (auto& n : waiting_)
    result_.missing.push_back(missing_node{std::move(n), std::string{reason}});
  waiting_.clear();
  return std::move(result_);
}

} // namespace nzl::cluster
