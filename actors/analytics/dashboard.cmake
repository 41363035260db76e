# Included by actors/CMakeLists.txt: generates the dashboard's source.
set(NZL_DASHBOARD_CPP ${CMAKE_CURRENT_BINARY_DIR}/analytics/dashboard_html.cpp)
add_custom_command(
  OUTPUT ${NZL_DASHBOARD_CPP}
  COMMAND ${CMAKE_COMMAND} -DIN=${PROJECT_SOURCE_DIR}/web/dashboard.html -DOUT=${NZL_DASHBOARD_CPP}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/analytics/embed_dashboard.cmake
  DEPENDS ${PROJECT_SOURCE_DIR}/web/dashboard.html
          ${CMAKE_CURRENT_SOURCE_DIR}/analytics/embed_dashboard.cmake
  COMMENT "Embedding web/dashboard.html")
