#include "plugins/text_analysis/keywords.hpp"

#include "plugins/text_analysis/internal/stop_words.hpp"
#include "plugins/text_analysis/internal/text_scan.hpp"

#include <algorithm>
#include <unordered_map>

namespace nzl::plugins::text_analysis {

namespace {

constexpr std::size_t max_phrase_words = 4;

struct word_stats {
  std::size_t frequency = 0;
  std::size_t degree = 0;
};

} // namespace

keyword_result extract_keywords(const internal::text_scan& scan, std::string_view language,
                                std::size_t max_results) {
  keyword_result out;
  const auto* stops = internal::stop_words(language);
  out.stop_words = stops ? std::string(language) : "en";
  if (!stops)
    stops = internal::stop_words("en");

  // Candidate phrases as [first, last) index ranges into scan.words.
  std::vector<std::pair<std::size_t, std::size_t>> candidates;
  std::size_t start = 0;
  bool open = false;
  auto close = [&](std::size_t end) {
    if (open && end > start)
      candidates.emplace_back(start, end);
    open = false;
  };
  for (std::size_t i = 0; i < scan.words.size(); ++i) {
    const auto& w = scan.words[i];
    if (w.break_before || (open && i - start >= max_phrase_words))
      close(i);
    if (!w.has_letter || stops->contains(w.lower)) {
      close(i);
      continue;
    }
    if (!open) {
      open = true;
      start = i;
    }
  }
  close(scan.words.size());

  std::unordered_map<std::string_view, word_stats> stats;
  for (auto [first, last] : candidates) {
    for (std::size_t i = first; i < last; ++i) {
      auto& s = stats[scan.words[i].lower];
      ++s.frequency;
      s.degree += last - first; // (length - 1) co-occurrences plus itself
    }
  }

  std::unordered_map<std::string, key_phrase> phrases;
  for (auto [first, last] : candidates) {
    std::string text;
    double score = 0;
    for (std::size_t i = first; i < last; ++i) {
      if (!text.empty())
        text.push_back(' ');
      text += scan.words[i].lower;
      const auto& s = stats[scan.words[i].lower];
      score += static_cast<double>(s.degree) / static_cast<double>(s.frequency);
    }
    auto& p = phrases[text];
    if (p.count++ == 0) {
      p.phrase = text;
      p.score = score;
    }
  }
  out.phrases.reserve(phrases.size());
  for (auto& [_, p] : phrases)
    out.phrases.push_back(std::move(p));
  auto by_score = [](const key_phrase& a, const key_phrase& b) {
    if (a.score != b.score)
      return a.score > b.score;
    if (a.count != b.count)
      return a.count > b.count;
    return a.phrase < b.phrase;
  };
  const auto keep = std::min(max_results, out.phrases.size());
  std::partial_sort(out.phrases.begin(), out.phrases.begin() + static_cast<std::ptrdiff_t>(keep),
                    out.phrases.end(), by_score);
  out.phrases.resize(keep);

  std::unordered_map<std::string_view, std::size_t> counts;
  for (const auto& w : scan.words)
    if (w.has_letter && w.letters >= 2 && !stops->contains(w.lower))
      ++counts[w.lower];
  out.terms.reserve(counts.size());
  for (auto [term, count] : counts)
    out.terms.push_back({std::string(term), count});
  auto by_count = [](const key_term& a, const key_term& b) {
    if (a.count != b.count)
      return a.count > b.count;
    return a.term < b.term;
  };
  const auto keep_terms = std::min(max_results, out.terms.size());
  std::partial_sort(out.terms.begin(), out.terms.begin() + static_cast<std::ptrdiff_t>(keep_terms),
                    out.terms.end(), by_count);
  out.terms.resize(keep_terms);
  return out;
}

} // namespace nzl::plugins::text_analysis
