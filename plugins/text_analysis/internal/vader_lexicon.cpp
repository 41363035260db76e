#include "plugins/text_analysis/internal/vader_lexicon.hpp"

#include <charconv>

// The lexicon file is assembled into .rodata, so the node needs no data path
// at run time. NZL_VADER_LEXICON_FILE is set by CMake, which also makes this
// object depend on the file (and puts its hash on the command line, so ccache
// notices a new lexicon).
__asm__(".pushsection .rodata\n"
        ".balign 16\n"
        ".globl nzl_text_analysis_vader_lexicon_begin\n"
        ".hidden nzl_text_analysis_vader_lexicon_begin\n"
        "nzl_text_analysis_vader_lexicon_begin:\n"
        ".incbin \"" NZL_VADER_LEXICON_FILE "\"\n"
        ".globl nzl_text_analysis_vader_lexicon_end\n"
        ".hidden nzl_text_analysis_vader_lexicon_end\n"
        "nzl_text_analysis_vader_lexicon_end:\n"
        ".popsection\n");

extern "C" const char nzl_text_analysis_vader_lexicon_begin[];
extern "C" const char nzl_text_analysis_vader_lexicon_end[];

namespace nzl::plugins::text_analysis::internal {

namespace {

vader_lexicon parse(std::string_view text) {
  vader_lexicon out;
  out.valence.reserve(8192);
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const auto line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    // word TAB mean TAB stddev TAB ratings
    const auto tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0)
      continue;
    const auto rest = line.substr(tab + 1);
    double value = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    (void)end;
    if (ec != std::errc{})
      continue;
    out.valence[line.substr(0, tab)] = value;
  }
  return out;
}

} // namespace

std::string_view lexicon_text() noexcept {
  return {nzl_text_analysis_vader_lexicon_begin,
          static_cast<std::size_t>(nzl_text_analysis_vader_lexicon_end -
                                   nzl_text_analysis_vader_lexicon_begin)};
}

const vader_lexicon& lexicon() noexcept {
  static const vader_lexicon instance = parse(lexicon_text());
  return instance;
}

} // namespace nzl::plugins::text_analysis::internal
