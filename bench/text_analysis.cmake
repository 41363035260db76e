# text_analysis_bench: texts per second of the text-analysis handler, all
# features, on 1 KiB and 64 KiB English texts.
if(TARGET nzl_text_analysis)
  nzl_add_executable(text_analysis_bench
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/text_analysis_bench.cpp
    DEPS nzl_text_analysis benchmark::benchmark)
endif()
