# Micro-benchmarks of the gateway security building blocks (security/).
nzl_add_executable(security_bench SOURCES security_bench.cpp DEPS nzl_security benchmark::benchmark)
