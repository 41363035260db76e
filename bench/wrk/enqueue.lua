-- wrk script: durable enqueue, POST /v3/tasks with options.async over keep-alive.
-- Every 202 is an acknowledged task, durable (fdatasync'd group commit) before it was sent.
wrk.method = "POST"
wrk.path = "/v3/tasks"
wrk.headers["Content-Type"] = "application/json"
-- The node needs an API key (bench scripts bootstrap one and export it).
if os.getenv("NZL_API_KEY") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("NZL_API_KEY")
end
wrk.body = '{"type":"echo","payload":{"message":"hello","n":42},"options":{"async":true,"queue":"bench"}}'

local accepted = 0
response = function(status, headers, body)
  if status == 202 then accepted = accepted + 1 end
end
