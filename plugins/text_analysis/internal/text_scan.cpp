#include "plugins/text_analysis/internal/text_scan.hpp"

#include "plugins/text_analysis/internal/utf8.hpp"

#include <array>

namespace nzl::plugins::text_analysis::internal {

namespace {

bool is_terminator(char32_t c) noexcept {
  return c == '.' || c == '!' || c == '?' || c == 0x3002 || c == 0xFF01 || c == 0xFF1F ||
         c == 0x061F || c == 0x0964 || c == 0x06D4;
}

bool is_closer(char32_t c) noexcept {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201D || c == 0x2019 || c == 0xBB;
}

bool is_inner_joiner(char32_t c) noexcept {
  return c == '\'' || c == 0x2019 || c == '-' || c == 0x2010;
}

bool is_space(char32_t c) noexcept {
  return is_js_space(c);
}

constexpr std::array<std::string_view, 16> abbreviations = {
    "mr",  "mrs", "ms", "dr", "prof", "st",  "vs",     "etc",
    "e.g", "i.e", "jr", "sr", "no",   "fig", "approx", "inc"};

bool is_abbreviation(const scanned_word& w) noexcept {
  if (w.letters == 1 && w.has_letter)
    return true; // an initial, as in "J. Smith"
  for (auto a : abbreviations)
    if (w.lower == a)
      return true;
  return false;
}

} // namespace

text_scan scan_text(std::string_view text) {
  text_scan out;
  out.words.reserve(text.size() / 5 + 1);

  std::size_t i = 0;
  std::size_t sentence_start = std::string_view::npos; // first non-space byte
  std::size_t sentence_end = 0;                        // one past last non-space byte
  bool pending_break = true;
  bool in_paragraph = false;
  int newlines = 0;

  auto end_sentence = [&] {
    if (sentence_start != std::string_view::npos && sentence_end > sentence_start)
      out.sentences.push_back(text.substr(sentence_start, sentence_end - sentence_start));
    sentence_start = std::string_view::npos;
    pending_break = true;
  };

  while (i < text.size()) {
    const std::size_t at = i;
    const char32_t c = next_code_point(text, i);
    ++out.code_points;
    if (is_space(c)) {
      if (c == '\n' && ++newlines >= 2) {
        end_sentence();
        in_paragraph = false;
      }
      continue;
    }
    ++out.non_space_code_points;
    newlines = 0;
    if (!in_paragraph) {
      in_paragraph = true;
      ++out.paragraphs;
    }
    if (sentence_start == std::string_view::npos)
      sentence_start = at;
    sentence_end = i;

    if (is_word_char(c)) {
      scanned_word w;
      w.break_before = pending_break;
      pending_break = false;
      std::size_t end = i;
      w.letters = 1;
      w.has_letter = is_letter(c);
      append_utf8(w.lower, to_lower(c));
      for (;;) {
        std::size_t j = end;
        if (j >= text.size())
          break;
        const char32_t d = next_code_point(text, j);
        if (is_word_char(d)) {
          ++w.letters;
          w.has_letter = w.has_letter || is_letter(d);
          append_utf8(w.lower, to_lower(d));
          end = j;
          continue;
        }
        if (is_inner_joiner(d) && j < text.size()) {
          std::size_t k = j;
          const char32_t e = next_code_point(text, k);
          if (is_word_char(e)) {
            append_utf8(w.lower, d == 0x2019 ? U'\'' : d);
            end = j;
            continue;
          }
        }
        break;
      }
      // Count the code points we consumed past the first.
      for (std::size_t k = i; k < end;) {
        (void)next_code_point(text, k);
        ++out.code_points;
        ++out.non_space_code_points;
      }
      w.text = text.substr(at, end - at);
      i = end;
      sentence_end = i;
      out.words.push_back(std::move(w));
      continue;
    }

    pending_break = true;
    if (!is_terminator(c))
      continue;
    // A run of terminators, then closing quotes or brackets.
    std::size_t dots = c == '.' ? 1 : 0;
    bool other = c != '.';
    std::size_t j = i;
    while (j < text.size()) {
      std::size_t k = j;
      const char32_t d = next_code_point(text, k);
      if (!is_terminator(d) && !is_closer(d))
        break;
      dots += d == '.';
      other = other || (is_terminator(d) && d != '.');
      ++out.code_points;
      ++out.non_space_code_points;
      j = k;
    }
    i = j;
    sentence_end = i;
    bool at_boundary = i >= text.size();
    if (!at_boundary) {
      std::size_t k = i;
      at_boundary = is_space(next_code_point(text, k));
    }
    const bool ellipsis = !other && dots >= 2;
    const bool cjk = c >= 0x3000; // CJK full stops need no following space
    if ((at_boundary || cjk) && !ellipsis &&
        !(c == '.' && !other && dots == 1 && !out.words.empty() &&
          out.words.back().text.data() + out.words.back().text.size() == text.data() + at &&
          is_abbreviation(out.words.back())))
      end_sentence();
  }
  end_sentence();
  return out;
}

} // namespace nzl::plugins::text_analysis::internal
