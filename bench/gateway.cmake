# The gateway benchmark's load client (bench/run-gateway).
nzl_add_executable(http_load SOURCES http_load.cpp DEPS nzl_security Boost::boost Threads::Threads)
