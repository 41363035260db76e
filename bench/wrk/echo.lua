-- wrk script: POST /v3/tasks with a small echo task over keep-alive.
wrk.method = "POST"
wrk.path = "/v3/tasks"
wrk.headers["Content-Type"] = "application/json"
-- The node needs an API key (bench scripts bootstrap one and export it).
if os.getenv("NZL_API_KEY") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("NZL_API_KEY")
end
wrk.body = '{"type":"echo","payload":{"message":"hello","n":42,"tags":["a","b"]}}'
