// The text-analysis handler: decodes and bounds the payload, scans the text
// once (words, sentences, paragraphs) and runs the requested features over
// that scan. Language detection also runs when sentiment or keywords are
// asked for, because VADER is English-only and keywords need a stop list.
// Sentiment of a multi-sentence text is the mean of its sentences' VADER
// scores (VADER scores one sentence; summed over a document its compound
// saturates at +-1).
#include "plugins/text_analysis/text_analysis_handler.hpp"

#include "plugins/text_analysis/internal/text_scan.hpp"
#include "plugins/text_analysis/internal/utf8.hpp"
#include "plugins/text_analysis/keywords.hpp"
#include "plugins/text_analysis/language.hpp"
#include "plugins/text_analysis/readability.hpp"
#include "plugins/text_analysis/statistics.hpp"
#include "plugins/text_analysis/vader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace nzl::plugins::text_analysis {

namespace {

using nlohmann::json;

constexpr std::size_t progress_threshold_bytes = 32 * 1024;
constexpr std::size_t sentences_per_progress = 512;
constexpr std::size_t default_max_keywords = 10;
constexpr std::size_t max_max_keywords = 50;

enum feature : unsigned {
  f_language = 1,
  f_sentiment = 2,
  f_readability = 4,
  f_keywords = 8,
  f_statistics = 16,
};

struct feature_name {
  std::string_view name;
  feature bit;
};

constexpr std::array<feature_name, 5> feature_names = {{
    {"language", f_language},
    {"sentiment", f_sentiment},
    {"readability", f_readability},
    {"keywords", f_keywords},
    {"statistics", f_statistics},
}};

error invalid(const std::string& field, const std::string& what) {
  return fail(errc::invalid_field, field + " " + what, {{"field", field}});
}

double round_to(double v, double scale) {
  return std::round(v * scale) / scale;
}

json language_json(const language_result& r) {
  json languages = json::array();
  for (const auto& g : r.languages)
    languages.push_back({{"code", g.code}, {"name", g.name}, {"percent", g.percent}});
  return {{"code", r.top.code},
          {"name", r.top.name},
          {"confidence", round_to(r.confidence, 100)},
          {"reliable", r.reliable},
          {"mixed", r.languages.size() > 1 && r.languages[1].percent >= 20},
          {"languages", std::move(languages)}};
}

json readability_json(const readability_counts& c, const readability_scores& s) {
  return {{"flesch_reading_ease", round_to(s.flesch_reading_ease, 100)},
          {"flesch_kincaid_grade", round_to(s.flesch_kincaid_grade, 100)},
          {"gunning_fog", round_to(s.gunning_fog, 100)},
          {"smog", round_to(s.smog, 100)},
          {"coleman_liau", round_to(s.coleman_liau, 100)},
          {"automated_readability_index", round_to(s.automated_readability_index, 100)},
          {"reading_time_seconds", round_to(s.reading_time_seconds, 10)},
          {"counts",
           {{"sentences", c.sentences},
            {"words", c.words},
            {"syllables", c.syllables},
            {"complex_words", c.complex_words},
            {"characters", c.characters}}}};
}

json keywords_json(const keyword_result& k) {
  json phrases = json::array();
  for (const auto& p : k.phrases)
    phrases.push_back(
        {{"phrase", p.phrase}, {"score", round_to(p.score, 100)}, {"count", p.count}});
  json terms = json::array();
  for (const auto& t : k.terms)
    terms.push_back({{"term", t.term}, {"count", t.count}});
  return {{"method", "rake"},
          {"stop_words", k.stop_words},
          {"phrases", std::move(phrases)},
          {"terms", std::move(terms)}};
}

json statistics_json(const text_statistics& s) {
  return {{"bytes", s.bytes},
          {"characters", s.characters},
          {"characters_excluding_spaces", s.characters_excluding_spaces},
          {"words", s.words},
          {"unique_words", s.unique_words},
          {"sentences", s.sentences},
          {"paragraphs", s.paragraphs},
          {"average_word_length", round_to(s.average_word_length, 100)},
          {"average_sentence_length", round_to(s.average_sentence_length, 100)}};
}

// Reports progress and checks for cancellation, on long texts only: short
// texts finish in microseconds and need neither.
class stage_reporter {
public:
  stage_reporter(handler_context& ctx, bool long_text) : ctx_(ctx), long_(long_text) {}

  [[nodiscard]] bool stage(int percent, std::string_view name) {
    if (!long_)
      return true;
    if (ctx_.cancelled())
      return false;
    ctx_.progress(percent, name);
    return true;
  }

  [[nodiscard]] bool cancelled() const { return long_ && ctx_.cancelled(); }
  void progress(int percent, std::string_view name) {
    if (long_)
      ctx_.progress(percent, name);
  }

private:
  handler_context& ctx_;
  bool long_;
};

error cancelled_error() {
  return fail(errc::task_cancelled, "text-analysis cancelled");
}

} // namespace

text_analysis_handler::text_analysis_handler(std::size_t max_text_bytes)
    : max_text_bytes_(max_text_bytes) {}

result<json> text_analysis_handler::run(json payload, handler_context& ctx) {
  if (!payload.is_object())
    return invalid("payload", "must be an object with \"text\"");
  const auto text_it = payload.find("text");
  if (text_it == payload.end())
    return invalid("payload.text", "is required");
  if (!text_it->is_string())
    return invalid("payload.text", "must be a string");
  const std::string& text = text_it->get_ref<const std::string&>();
  if (text.size() > max_text_bytes_)
    return fail(errc::payload_too_large,
                "payload.text is " + std::to_string(text.size()) + " bytes, over the limit of " +
                    std::to_string(max_text_bytes_),
                {{"field", "payload.text"}, {"limit", max_text_bytes_}});
  if (auto bad = internal::find_invalid_utf8(text))
    return fail(errc::task_failed,
                "payload.text is not valid UTF-8 (first bad byte at offset " +
                    std::to_string(*bad) + ")",
                {{"field", "payload.text"}, {"problem", "invalid-utf8"}, {"offset", *bad}});

  unsigned features = 0;
  json feature_list = json::array();
  if (auto f = payload.find("features"); f != payload.end()) {
    if (!f->is_array() || f->empty())
      return invalid("payload.features", "must be a non-empty array of feature names");
    for (const auto& item : *f) {
      const auto* name = item.get_ptr<const std::string*>();
      const auto known = name ? std::find_if(feature_names.begin(), feature_names.end(),
                                             [&](const auto& n) { return n.name == *name; })
                              : feature_names.end();
      if (known == feature_names.end())
        return invalid("payload.features",
                       "has an unknown feature (known: language, sentiment, readability, "
                       "keywords, statistics)");
      features |= known->bit;
    }
  } else {
    for (const auto& n : feature_names)
      features |= n.bit;
  }
  for (const auto& n : feature_names)
    if (features & n.bit)
      feature_list.push_back(n.name);

  std::size_t max_keywords = default_max_keywords;
  if (auto m = payload.find("max_keywords"); m != payload.end()) {
    if (!m->is_number_integer() || m->get<long long>() < 1 ||
        m->get<long long>() > static_cast<long long>(max_max_keywords))
      return invalid("payload.max_keywords", "must be an integer from 1 to 50");
    max_keywords = m->get<std::size_t>();
  }

  stage_reporter stages(ctx, text.size() >= progress_threshold_bytes);
  json out = {{"features", std::move(feature_list)}};

  if (!stages.stage(5, "scan"))
    return cancelled_error();
  const auto scan = internal::scan_text(text);

  language_result language;
  if (features & (f_language | f_sentiment | f_keywords)) {
    if (!stages.stage(15, "language"))
      return cancelled_error();
    language = detect_language(text);
    if (features & f_language)
      out["language"] = language_json(language);
  }

  if (features & f_sentiment) {
    if (!stages.stage(25, "sentiment"))
      return cancelled_error();
    if (language.reliable && language.top.code != "en") {
      out["sentiment"] = {
          {"supported", false},
          {"language", language.top.code},
          {"reason", "sentiment is English-only (VADER); the text is " + language.top.name}};
    } else {
      double neg = 0, neu = 0, pos = 0, compound = 0;
      const auto n = scan.sentences.size();
      for (std::size_t k = 0; k < n; ++k) {
        if (k > 0 && k % sentences_per_progress == 0) {
          if (stages.cancelled())
            return cancelled_error();
          stages.progress(25 + static_cast<int>(50 * k / n), "sentiment");
        }
        const auto s = vader_polarity(scan.sentences[k]);
        neg += s.neg;
        neu += s.neu;
        pos += s.pos;
        compound += s.compound;
      }
      const double d = n > 0 ? static_cast<double>(n) : 1.0;
      const double mean = round_to(compound / d, 1e4);
      out["sentiment"] = {{"supported", true},
                          {"method", "vader"},
                          {"compound", mean},
                          {"pos", round_to(pos / d, 1e3)},
                          {"neu", round_to(neu / d, 1e3)},
                          {"neg", round_to(neg / d, 1e3)},
                          {"label", vader_label(mean)},
                          {"sentences", n}};
      if (!language.reliable)
        out["sentiment"]["note"] = "language not reliably detected; scored as English";
    }
  }

  if (features & f_readability) {
    if (!stages.stage(80, "readability"))
      return cancelled_error();
    const auto counts = count_readability(scan);
    out["readability"] = readability_json(counts, readability_from(counts));
  }

  if (features & f_keywords) {
    if (!stages.stage(88, "keywords"))
      return cancelled_error();
    out["keywords"] = keywords_json(
        extract_keywords(scan, language.reliable ? language.top.code : "en", max_keywords));
  }

  if (features & f_statistics)
    out["statistics"] = statistics_json(compute_statistics(text, scan));

  stages.progress(100, "done");
  return out;
}

} // namespace nzl::plugins::text_analysis
