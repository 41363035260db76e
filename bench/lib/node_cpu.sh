# Sourced by bench scripts: run the load client against a node and add the
# node's own CPU time per request to its JSON line. On a shared machine
# req/s moves with whatever else runs; the node's CPU per request (utime +
# stime of its process from /proc, before and after the run) is the figure
# that still compares two configurations. Needs $load (bench/http_load).

node_cpu_ticks() { # pid -> utime + stime in clock ticks
  # Fields after the command name, which is in parentheses and may hold spaces.
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# measured_run PID LOAD-ARGS... : prints http_load's JSON line with
# "node_cpu_us_per_request" added. $NZL_LOAD_PREFIX, if set, is a command the
# client runs under (for example "taskset -c 1").
measured_run() {
  local pid=$1 before after line
  local -a prefix
  read -r -a prefix <<<"${NZL_LOAD_PREFIX:-}"
  shift
  before=$(node_cpu_ticks "$pid")
  line=$("${prefix[@]}" "$load" "$@")
  after=$(node_cpu_ticks "$pid")
  python3 - "$line" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
run = json.loads(sys.argv[1])
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
run["node_cpu_us_per_request"] = round(ticks * 1e6 / hz / max(run["requests"], 1), 1)
print(json.dumps(run))
PY
}
