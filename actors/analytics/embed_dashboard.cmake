# Writes web/dashboard.html into a C++ source as a raw string literal, so the
# node serves the page without reading files at run time. Run as
# cmake -DIN=<html> -DOUT=<cpp> -P embed_dashboard.cmake.
file(READ "${IN}" html)
string(FIND "${html}" ")nzl_html\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter )nzl_html\"")
endif()
file(WRITE "${OUT}.tmp" "// Generated from web/dashboard.html by actors/analytics/embed_dashboard.cmake.\n"
  "#include \"actors/analytics/analytics_hub.hpp\"\n"
  "namespace nzl::actors::analytics {\n"
  "std::string_view dashboard_html() noexcept {\n"
  "  static constexpr const char* page = R\"nzl_html(${html})nzl_html\";\n"
  "  return page;\n"
  "}\n"
  "} // namespace nzl::actors::analytics\n")
file(RENAME "${OUT}.tmp" "${OUT}")
