#pragma once

#include "cluster/peer_messaging.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace nzl::cluster {

/// The bookkeeping of one `gather`: which peers were asked and have not
/// answered yet, what the others answered and why the rest are missing. Each
/// node is settled once (answer, failure or the round's end); later news of
/// it is ignored. Not thread-safe: one owner (the link actor).
class gather_round {
public:
  /// `peers`: every peer of the manifest. The ones not in `asked` are
  /// missing with `not_asked_reason` at once.
  gather_round(const std::vector<std::string>& peers, const std::vector<std::string>& asked,
               std::string_view not_asked_reason = "down");

  /// True while `node` was asked and has not been settled.
  [[nodiscard]] bool waits_for(std::string_view node) const noexcept;

  /// `node` answered; false when it was not awaited (then nothing changes).
  bool answer(std::string_view node, std::string text);

  /// `node` failed (lost, error, timeout); false when not awaited.
  bool fail(std::string_view node, std::string reason);

  /// True when no node is awaited any more.
  [[nodiscard]] bool complete() const noexcept { return waiting_.empty(); }

  /// Ends the round: every node still awaited is missing with `reason`.
  /// Answers in the order they came; missing in manifest order of the
  /// not-asked ones first, then as settled.
  [[nodiscard]] gathered finish(std::string_view reason = "timed out");

private:
  std::vector<std::string> waiting_;
  gathered result_;
};

} // namespace nzl::cluster
