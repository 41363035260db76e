-- wrk script: POST /v3/tasks with a small echo task over keep-alive.
wrk.method = "POST"
wrk.path = "/v3/tasks"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"echo","payload":{"message":"hello","n":42,"tags":["a","b"]}}'
