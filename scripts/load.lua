-- wrk script for scripts/load.sh: every request carries the demo session
-- token as a Bearer header. Session tokens live 60 s, so load.sh keeps a
-- fresh one in $TOKEN_FILE and each wrk thread re-reads it every 5 s.
local path = os.getenv("TOKEN_FILE")
local token, readAt = "", -1

local function reload()
  local f = io.open(path, "r")
  if f then
    local t = f:read("*l")
    f:close()
    if t and #t > 0 then token = t end
  end
  readAt = os.time()
end

request = function()
  if os.time() - readAt >= 5 then reload() end
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. token })
end

-- One machine-readable line for load.sh. wrk counts statuses of 400 and
-- above in errors.status; the routes under test never redirect, so that is
-- the non-2xx count.
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "LOAD requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
