# One way to declare a library, an executable and a test, so that every target
# gets the same warnings and sanitizer flags (nzl_options).
add_library(nzl_options INTERFACE)
target_compile_options(nzl_options INTERFACE -Wall -Wextra -Wpedantic)
# GCC 12 reports -Wrestrict false positives inside libstdc++'s std::string
# (GCC bug 105329) at -O2 and above.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(nzl_options INTERFACE -Wno-restrict)
endif()
# Boost 1.74's Asio needs <utility> before its awaitable header under C++20.
target_compile_options(nzl_options INTERFACE -include utility)
target_compile_definitions(nzl_options INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
if(NZL_WERROR)
  target_compile_options(nzl_options INTERFACE -Werror)
endif()
if(NZL_SANITIZE)
  target_compile_options(nzl_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(nzl_options INTERFACE -fsanitize=address,undefined)
  # GCC documents that sanitizer instrumentation makes -Wmaybe-uninitialized
  # report false positives (seen here inside libstdc++'s <regex>).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(nzl_options INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()

# nzl_add_library(name SOURCES ... DEPS ...): a static library of one module;
# its public headers live under <module>/ and are included as "module/x.hpp".
function(nzl_add_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${arg_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC nzl_options ${arg_DEPS} PRIVATE ${arg_PRIVATE_DEPS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

function(nzl_add_executable name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE nzl_options ${arg_DEPS})
endfunction()

# nzl_add_test(name SOURCES ... DEPS ... [TIMEOUT s] [LABELS ...]): one gtest
# executable; each TEST is its own ctest entry with a timeout.
function(nzl_add_test name)
  cmake_parse_arguments(arg "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 60)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE nzl_options ${arg_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  set(props TIMEOUT ${arg_TIMEOUT}
    ENVIRONMENT "NZL_BUILD_DIR=${PROJECT_BINARY_DIR}")
  if(arg_LABELS)
    list(APPEND props LABELS "${arg_LABELS}")
  else()
    list(APPEND props LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${props})
endfunction()
