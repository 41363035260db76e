#pragma once

#include "plugins/task_handler.hpp"

#include <cstddef>

namespace nzl::plugins::text_analysis {

/// `text-analysis`: language, sentiment, readability, keywords and statistics
/// of a text.
///
/// Payload: `{"text": "...", "features": ["language", "sentiment",
/// "readability", "keywords", "statistics"], "max_keywords": 10}`; only `text`
/// is required, `features` defaults to all of them. See docs/text-analysis.md
/// for the answer's shape.
///
/// Errors: a missing or mistyped field, an unknown feature or `max_keywords`
/// outside 1..50 is `errc::invalid_field` (400, `field` extension). Text that
/// is not well-formed UTF-8 is `errc::task_failed` (422, extensions `field`,
/// `problem: "invalid-utf8"`, `offset` of the first bad byte). Text over
/// `max_text_bytes` is `errc::payload_too_large` (413, `field`, `limit`).
/// Texts of 32 KiB or more report progress per stage and check for
/// cancellation between stages (`errc::task_cancelled`).
///
/// Thread-safe: the lexicon and stop lists are immutable after their first
/// use (static, thread-safe initialisation); nothing else is shared.
class text_analysis_handler final : public task_handler {
public:
  static constexpr std::size_t default_max_text_bytes = std::size_t{1} << 20;

  explicit text_analysis_handler(std::size_t max_text_bytes = default_max_text_bytes);

  std::string_view type() const noexcept override { return "text-analysis"; }
  result<nlohmann::json> run(nlohmann::json payload, handler_context& ctx) override;

  [[nodiscard]] std::size_t max_text_bytes() const noexcept { return max_text_bytes_; }

private:
  std::size_t max_text_bytes_;
};

} // namespace nzl::plugins::text_analysis
