# image_metadata_bench: images per second for a 1 MP JPEG with EXIF (made with
# convert + exiftool at start), metadata only and with pixel statistics.
if(TARGET nzl_image_metadata)
  nzl_add_executable(image_metadata_bench
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/image_metadata_bench.cpp
    DEPS nzl_image_metadata benchmark::benchmark)
endif()
