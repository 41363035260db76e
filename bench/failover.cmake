# The failover benchmark's client (bench/run-failover): a steady echo stream
# through one node while another is killed, and forwarded-task latency.
nzl_add_executable(failover_probe SOURCES failover_probe.cpp)
