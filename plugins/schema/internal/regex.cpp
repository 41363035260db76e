#include "plugins/schema/internal/regex.hpp"

#include <array>
#include <locale>
#include <string_view>

namespace nzl::schema::internal {

namespace {

// Strings longer than this are not handed to std::regex, whose matcher
// recurses per character and could exhaust the stack.
constexpr std::size_t max_regex_input = 16384;

const std::locale& unicode_locale() {
  static const std::locale loc = [] {
    for (const char* name : {"C.UTF-8", "C.utf8", "en_US.UTF-8"}) {
      try {
        return std::locale(name);
      } catch (const std::exception&) {
      }
    }
    return std::locale::classic();
  }();
  return loc;
}

std::wstring utf8_to_utf32(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80         ? 1
                      : (b >> 5) == 6  ? 2
                      : (b >> 4) == 14 ? 3
                      : (b >> 3) == 30 ? 4
                                       : 0;
    if (len == 0 || i + len > s.size()) {
      out += static_cast<wchar_t>(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = true;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cb = static_cast<unsigned char>(s[i + k]);
      ok = ok && (cb & 0xC0) == 0x80;
      cp = (cp << 6) | (cb & 0x3F);
    }
    out += ok ? static_cast<wchar_t>(cp) : static_cast<wchar_t>(0xFFFD);
    i += ok ? len : 1;
  }
  return out;
}

/// The POSIX class for a Unicode property name, or empty.
std::wstring_view property_class(std::wstring_view name) {
  if (name == L"L" || name == L"Letter" || name == L"Alphabetic")
    return L"[:alpha:]";
  if (name == L"Lu" || name == L"Uppercase_Letter" || name == L"Uppercase")
    return L"[:upper:]";
  if (name == L"Ll" || name == L"Lowercase_Letter" || name == L"Lowercase")
    return L"[:lower:]";
  if (name == L"N" || name == L"Nd" || name == L"Number" || name == L"Decimal_Number" ||
      name == L"digit")
    return L"[:digit:]";
  if (name == L"White_Space" || name == L"space")
    return L"[:space:]";
  if (name == L"P" || name == L"Punctuation")
    return L"[:punct:]";
  return {};
}

/// Rewrites the ECMAScript escapes std::regex lacks or reads differently.
std::optional<std::wstring> translate(const std::wstring& in, std::string& why) {
  std::wstring out;
  bool in_class = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const wchar_t c = in[i];
    if (c == L'\\' && i + 1 < in.size()) {
      const wchar_t e = in[++i];
      switch (e) {
      case L'd':
        out += in_class ? L"0-9" : L"[0-9]";
        continue;
      case L'w':
        out += in_class ? L"a-zA-Z0-9_" : L"[a-zA-Z0-9_]";
        continue;
      case L'p':
      case L'P': {
        if (i + 1 >= in.size() || in[i + 1] != L'{') {
          why = "\\p needs a {property}";
          return std::nullopt;
        }
        const auto close = in.find(L'}', i + 2);
        if (close == std::wstring::npos) {
          why = "unterminated \\p{...}";
          return std::nullopt;
        }
        auto name = std::wstring_view{in}.substr(i + 2, close - i - 2);
        if (auto eq = name.find(L'='); eq != std::wstring_view::npos)
          name = name.substr(eq + 1); // General_Category=Letter
        const auto cls = property_class(name);
        if (cls.empty()) {
          why = "unsupported Unicode property in \\p{...}";
          return std::nullopt;
        }
        if (in_class && e == L'P') {
          why = "\\P{...} inside a character class is not supported";
          return std::nullopt;
        }
        if (in_class)
          out += cls;
        else
          out += (e == L'P' ? L"[^" : L"[") + std::wstring{cls} + L"]";
        i = close;
        continue;
      }
      default:
        out += L'\\';
        out += e;
        continue;
      }
    }
    if (!in_class && c == L'[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal in POSIX but ends the
      // class in ECMAScript: keep it as std::regex (ECMAScript mode) reads it.
      continue;
    }
    if (in_class && c == L']')
      in_class = false;
    out += c;
  }
  return out;
}

} // namespace

std::optional<pattern> compile_pattern(const std::string& source, std::string& why) {
  auto translated = translate(utf8_to_utf32(source), why);
  if (!translated)
    return std::nullopt;
  try {
    pattern p;
    p.re.imbue(unicode_locale());
    p.re.assign(*translated, std::regex::ECMAScript);
    p.source = source;
    return p;
  } catch (const std::regex_error& e) {
    why = e.what();
    return std::nullopt;
  }
}

bool regex_search(const pattern& p, const std::string& text, bool& error) {
  error = false;
  if (text.size() > max_regex_input) {
    error = true;
    return false;
  }
  try {
    return std::regex_search(utf8_to_utf32(text), p.re);
  } catch (const std::exception&) {
    error = true;
    return false;
  }
}

} // namespace nzl::schema::internal
