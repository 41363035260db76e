# smart-routing: nanoseconds per routing decision for several payload shapes
# (docs/smart-routing.md records the figures).
nzl_add_executable(smart_routing_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/smart_routing_bench.cpp
  DEPS nzl_smart_routing benchmark::benchmark)
