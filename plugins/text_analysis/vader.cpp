// VADER sentiment, a line-for-line port of the reference we are checked
// against: the npm package vader-sentiment 1.1.3 (src/vaderSentiment.js),
// not the paper. Where the JavaScript differs from the Python original or from
// the paper (case-sensitive "never"/"not" tests, "NOT good" not negated, emoji
// unscored, tokens of one UTF-16 unit dropped), we keep the JavaScript's
// behaviour, because tests/data/text_analysis/vader_expected.jsonl is its
// output. Per token we precompute the lowered form and its lookups once; the
// rules then run over that array with no allocation.
#include "plugins/text_analysis/vader.hpp"

#include "plugins/text_analysis/internal/utf8.hpp"
#include "plugins/text_analysis/internal/vader_lexicon.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace nzl::plugins::text_analysis {

namespace {

constexpr double b_incr = 0.293;
constexpr double b_decr = -0.293;
constexpr double c_incr = 0.733;
constexpr double n_scalar = -0.74;

constexpr std::array<std::string_view, 17> punc_list = {".",   "!",   "?",   ",",    ";",   ":",
                                                        "-",   "'",   "\"",  "!!",   "!!!", "??",
                                                        "???", "?!?", "!?!", "?!?!", "!?!?"};

constexpr std::array<std::string_view, 59> negate_words = {
    "aint",   "arent",    "cannot",  "cant",     "couldnt",  "darent",   "didnt",   "doesnt",
    "ain't",  "aren't",   "can't",   "couldn't", "daren't",  "didn't",   "doesn't", "dont",
    "hadnt",  "hasnt",    "havent",  "isnt",     "mightnt",  "mustnt",   "neither", "don't",
    "hadn't", "hasn't",   "haven't", "isn't",    "mightn't", "mustn't",  "neednt",  "needn't",
    "never",  "none",     "nope",    "nor",      "not",      "nothing",  "nowhere", "oughtnt",
    "shant",  "shouldnt", "uhuh",    "wasnt",    "werent",   "oughtn't", "shan't",  "shouldn't",
    "uh-uh",  "wasn't",   "weren't", "without",  "wont",     "wouldnt",  "won't",   "wouldn't",
    "rarely", "seldom",   "despite"};

struct booster {
  std::string_view word;
  double scalar;
};

constexpr std::array<booster, 66> booster_dict = {{
    {"absolutely", b_incr},   {"amazingly", b_incr},     {"awfully", b_incr},
    {"completely", b_incr},   {"considerably", b_incr},  {"decidedly", b_incr},
    {"deeply", b_incr},       {"effing", b_incr},        {"enormously", b_incr},
    {"entirely", b_incr},     {"especially", b_incr},    {"exceptionally", b_incr},
    {"extremely", b_incr},    {"fabulously", b_incr},    {"flipping", b_incr},
    {"flippin", b_incr},      {"fricking", b_incr},      {"frickin", b_incr},
    {"frigging", b_incr},     {"friggin", b_incr},       {"fully", b_incr},
    {"fucking", b_incr},      {"greatly", b_incr},       {"hella", b_incr},
    {"highly", b_incr},       {"hugely", b_incr},        {"incredibly", b_incr},
    {"intensely", b_incr},    {"majorly", b_incr},       {"more", b_incr},
    {"most", b_incr},         {"particularly", b_incr},  {"purely", b_incr},
    {"quite", b_incr},        {"really", b_incr},        {"remarkably", b_incr},
    {"so", b_incr},           {"substantially", b_incr}, {"thoroughly", b_incr},
    {"totally", b_incr},      {"tremendously", b_incr},  {"uber", b_incr},
    {"unbelievably", b_incr}, {"unusually", b_incr},     {"utterly", b_incr},
    {"very", b_incr},         {"almost", b_decr},        {"barely", b_decr},
    {"hardly", b_decr},       {"just enough", b_decr},   {"kind of", b_decr},
    {"kinda", b_decr},        {"kindof", b_decr},        {"kind-of", b_decr},
    {"less", b_decr},         {"little", b_decr},        {"marginally", b_decr},
    {"occasionally", b_decr}, {"partly", b_decr},        {"scarcely", b_decr},
    {"slightly", b_decr},     {"somewhat", b_decr},      {"sort of", b_decr},
    {"sorta", b_decr},        {"sortof", b_decr},        {"sort-of", b_decr},
}};

struct idiom {
  std::string_view phrase;
  double valence;
};

constexpr std::array<idiom, 7> special_case_idioms = {{
    {"the shit", 3},
    {"the bomb", 3},
    {"bad ass", 1.5},
    {"yeah right", -2},
    {"cut the mustard", 2},
    {"kiss of death", -1.5},
    {"hand to mouth", -2},
}};

bool is_ascii_punct(char c) noexcept {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

const booster* find_booster(std::string_view lower) noexcept {
  for (const auto& b : booster_dict)
    if (b.word == lower)
      return &b;
  return nullptr;
}

const idiom* find_idiom(std::string_view phrase) noexcept {
  for (const auto& i : special_case_idioms)
    if (i.phrase == phrase)
      return &i;
  return nullptr;
}

// Python's str.isupper as the reference writes it: /^[^a-z]*[A-Z]+[^a-z]*$/.
bool is_upper_python(std::string_view word) noexcept {
  bool upper = false;
  for (char c : word) {
    if (c >= 'a' && c <= 'z')
      return false;
    upper = upper || (c >= 'A' && c <= 'Z');
  }
  return upper;
}

bool negated(std::string_view word) noexcept {
  for (auto n : negate_words)
    if (n == word)
      return true;
  return word.find("n't") != std::string_view::npos;
}

// JavaScript's toLowerCase, as far as it can matter here: every lexicon key
// that can ever match is ASCII, so a token that stays non-ASCII after lowering
// matches nothing. The one non-ASCII character that lowers to ASCII is the
// Kelvin sign (U+212A -> "k").
void js_lower(std::string_view word, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (c == '\xE2' && word.substr(i, 3) == "\xE2\x84\xAA") {
      out.push_back('k');
      i += 2;
    } else {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    }
  }
}

// The reference's get_words_and_emoticons: split on \s, drop tokens of one
// UTF-16 unit, then strip one leading or trailing PUNC_LIST entry when what is
// left has no ASCII punctuation and is longer than one unit.
std::vector<std::string_view> words_and_emoticons(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  std::size_t i = 0;
  auto flush = [&](std::size_t end) {
    auto token = text.substr(start, end - start);
    if (internal::utf16_length(token, 2) < 2)
      return;
    std::size_t lead = 0;
    while (lead < token.size() && is_ascii_punct(token[lead]))
      ++lead;
    std::size_t trail = 0;
    while (trail < token.size() - lead && is_ascii_punct(token[token.size() - 1 - trail]))
      ++trail;
    const auto middle = token.substr(lead, token.size() - lead - trail);
    const bool clean = std::none_of(middle.begin(), middle.end(), is_ascii_punct);
    if (clean && (lead == 0) != (trail == 0) && internal::utf16_length(middle, 2) >= 2) {
      const auto punct = lead ? token.substr(0, lead) : token.substr(token.size() - trail);
      if (std::find(punc_list.begin(), punc_list.end(), punct) != punc_list.end())
        token = middle;
    }
    words.push_back(token);
  };
  while (i < text.size()) {
    const std::size_t at = i;
    const char32_t c = internal::next_code_point(text, i);
    if (internal::is_js_space(c)) {
      flush(at);
      start = i;
    }
  }
  flush(text.size());
  return words;
}

struct token {
  std::string_view word;
  std::string lower;
  bool in_lexicon = false;
  double valence = 0;
  const booster* boost = nullptr;
  bool upper = false;
  bool negation = false;
};

double scalar_inc_dec(const token& t, double valence, bool cap_diff) noexcept {
  if (t.boost == nullptr)
    return 0.0;
  double scalar = t.boost->scalar;
  if (valence < 0)
    scalar *= -1;
  if (cap_diff && t.upper)
    scalar += valence > 0 ? c_incr : -c_incr;
  return scalar;
}

double never_check(double valence, const std::vector<token>& w, int start_i, std::size_t index) {
  auto so_or_this = [&](std::size_t k) {
    return w[k].word == "so" || w[k].word == "this";
  };
  if (start_i == 0) {
    if (w[index - 1].negation)
      valence *= n_scalar;
  } else if (start_i == 1) {
    if (w[index - 2].word == "never" && so_or_this(index - 1))
      valence *= 1.5;
    else if (w[index - 2].negation)
      valence *= n_scalar;
  } else {
    if ((w[index - 3].word == "never" && so_or_this(index - 2)) || so_or_this(index - 1))
      valence *= 1.25;
    else if (w[index - 3].negation)
      valence *= n_scalar;
  }
  return valence;
}

double idioms_check(double valence, const std::vector<token>& w, std::size_t i) {
  std::string buf;
  auto join = [&](std::initializer_list<std::size_t> ks) -> std::string_view {
    buf.clear();
    bool first = true;
    for (auto k : ks) {
      if (!first)
        buf.push_back(' ');
      first = false;
      buf.append(w[k].word);
    }
    return buf;
  };
  const std::array<std::initializer_list<std::size_t>, 5> sequences = {{
      {i - 1, i},
      {i - 2, i - 1, i},
      {i - 2, i - 1},
      {i - 3, i - 2, i - 1},
      {i - 3, i - 2},
  }};
  for (const auto& seq : sequences) {
    if (const auto* idiom = find_idiom(join(seq))) {
      valence = idiom->valence;
      break;
    }
  }
  if (w.size() - 1 > i) {
    if (const auto* idiom = find_idiom(join({i, i + 1})))
      valence = idiom->valence;
  }
  if (w.size() - 1 > i + 1) {
    if (const auto* idiom = find_idiom(join({i, i + 1, i + 2})))
      valence = idiom->valence;
  }
  if (find_booster(join({i - 3, i - 2})) || find_booster(join({i - 2, i - 1})))
    valence += b_decr;
  return valence;
}

double least_check(double valence, const std::vector<token>& w, std::size_t index) {
  if (index > 1 && w[index - 1].lower == "least" && !w[index - 1].in_lexicon) {
    if (w[index - 2].lower != "at" && w[index - 2].lower != "very")
      valence *= n_scalar;
  } else if (index > 0 && w[index - 1].lower == "least" && !w[index - 1].in_lexicon) {
    valence *= n_scalar;
  }
  return valence;
}

double sentiment_valence(const std::vector<token>& w, std::size_t index, bool cap_diff) {
  const token& item = w[index];
  if (!item.in_lexicon)
    return 0.0;
  double valence = item.valence;
  if (item.upper && cap_diff)
    valence += valence > 0 ? c_incr : -c_incr;
  for (int start_i = 0; start_i < 3; ++start_i) {
    const auto back = static_cast<std::size_t>(start_i) + 1;
    if (index > static_cast<std::size_t>(start_i) && !w[index - back].in_lexicon) {
      double s = scalar_inc_dec(w[index - back], valence, cap_diff);
      if (start_i == 1 && s != 0)
        s *= 0.95;
      else if (start_i == 2 && s != 0)
        s *= 0.9;
      valence += s;
      valence = never_check(valence, w, start_i, index);
      if (start_i == 2)
        valence = idioms_check(valence, w, index);
    }
  }
  return least_check(valence, w, index);
}

double normalize(double score) noexcept {
  const double norm = score / std::sqrt(score * score + 15.0);
  return std::clamp(norm, -1.0, 1.0);
}

double round_to(double v, double scale) noexcept {
  return std::round(v * scale) / scale;
}

} // namespace

vader_scores vader_polarity(std::string_view text) {
  const auto& lex = internal::lexicon().valence;
  std::vector<token> w;
  {
    const auto words = words_and_emoticons(text);
    w.resize(words.size());
    for (std::size_t k = 0; k < words.size(); ++k) {
      auto& t = w[k];
      t.word = words[k];
      js_lower(t.word, t.lower);
      if (auto it = lex.find(t.lower); it != lex.end()) {
        t.in_lexicon = true;
        t.valence = it->second;
      }
      t.boost = find_booster(t.lower);
      t.upper = is_upper_python(t.word);
      t.negation = negated(t.word);
    }
  }
  if (w.empty())
    return {};

  const auto upper_count = static_cast<std::size_t>(
      std::count_if(w.begin(), w.end(), [](const token& t) { return t.upper; }));
  const std::size_t cap_differential = w.size() - upper_count;
  const bool cap_diff = cap_differential > 0 && cap_differential < w.size();

  std::vector<double> sentiments(w.size(), 0.0);
  for (std::size_t i = 0; i < w.size(); ++i) {
    if ((i < w.size() - 1 && w[i].lower == "kind" && w[i + 1].lower == "of") || w[i].boost)
      continue;
    sentiments[i] = sentiment_valence(w, i, cap_diff);
  }

  // but_check: the first "but", else the first "BUT".
  auto but = std::find_if(w.begin(), w.end(), [](const token& t) { return t.word == "but"; });
  if (but == w.end())
    but = std::find_if(w.begin(), w.end(), [](const token& t) { return t.word == "BUT"; });
  if (but != w.end()) {
    const auto b = static_cast<std::size_t>(but - w.begin());
    for (std::size_t i = 0; i < sentiments.size(); ++i) {
      if (i < b)
        sentiments[i] *= 0.5;
      else if (i > b)
        sentiments[i] *= 1.5;
    }
  }

  double sum = 0;
  for (double s : sentiments)
    sum += s;
  const auto ep = std::min<std::ptrdiff_t>(std::count(text.begin(), text.end(), '!'), 4);
  const auto qm = std::count(text.begin(), text.end(), '?');
  double qm_amplifier = 0;
  if (qm > 1)
    qm_amplifier = qm <= 3 ? static_cast<double>(qm) * 0.18 : 0.96;
  const double amplifier = static_cast<double>(ep) * 0.292 + qm_amplifier;
  if (sum > 0)
    sum += amplifier;
  else if (sum < 0)
    sum -= amplifier;
  const double compound = normalize(sum);

  double pos_sum = 0;
  double neg_sum = 0;
  double neu_count = 0;
  for (double s : sentiments) {
    if (s > 0)
      pos_sum += s + 1;
    else if (s < 0)
      neg_sum += s - 1;
    else
      neu_count += 1;
  }
  if (pos_sum > std::fabs(neg_sum))
    pos_sum += amplifier;
  else if (pos_sum < std::fabs(neg_sum))
    neg_sum -= amplifier;
  const double total = pos_sum + std::fabs(neg_sum) + neu_count;

  vader_scores out;
  out.neg = round_to(std::fabs(neg_sum / total), 1e3);
  out.neu = round_to(std::fabs(neu_count / total), 1e3);
  out.pos = round_to(std::fabs(pos_sum / total), 1e3);
  out.compound = round_to(compound, 1e4);
  return out;
}

std::string_view vader_label(double compound) noexcept {
  if (compound >= 0.05)
    return "positive";
  if (compound <= -0.05)
    return "negative";
  return "neutral";
}

} // namespace nzl::plugins::text_analysis
