-- wrk script: the chat request of chat.lua, each with an X-Session-Id never sent before
-- (the run's number from RUN, the thread's number and a counter), so every request is a new
-- sticky session, also across the runs of one script.
local counter = 0
local next_thread = 0
thread_id = 0

function setup(thread)
    thread:set("thread_id", next_thread)
    next_thread = next_thread + 1
end

function request()
    counter = counter + 1
    local headers = {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. (os.getenv("APIPOD_KEY") or ""),
        ["X-Session-Id"] = string.format("session-%s-%d-%d", os.getenv("RUN") or "0", thread_id, counter),
    }
    return wrk.format("POST", nil, headers,
        '{"model":"cursor-pro-sonnet","messages":[{"role":"user","content":"Hello!"}],"stream":false}')
end
