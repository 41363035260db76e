# analytics: the recorder's cost per sample on the hot path, the aggregator's
# cost per drained sample, and its memory per series (docs/analytics.md).
nzl_add_executable(analytics_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/analytics_bench.cpp
  DEPS nzl_analytics benchmark::benchmark)
