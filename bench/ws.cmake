# The WebSocket benchmark's load client (bench/run-ws, issue 6): round trips,
# idle connections and fan-out against a running node. Never part of tests.
nzl_add_executable(ws_load
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ws_load.cpp
  DEPS Boost::boost Threads::Threads)
