-- wrk script: a small OpenAI chat request with a client key (APIPOD_KEY) on the alias model.
wrk.method = "POST"
wrk.body = '{"model":"cursor-pro-sonnet","messages":[{"role":"user","content":"Hello!"}],"stream":false}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("APIPOD_KEY") or "")
