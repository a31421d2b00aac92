--- releaseActiveJob(jobKey, jobId, token, activeKey, stalledKey): the lock check of a job its worker
--- gives back (token "0" skips it), then its removal from the active list with its lock and stalled
--- mark. Returns nil when released, else the code: -1 missing job, -2 missing lock, -6 token
--- mismatch, -3 not active (nothing changed then).
local function releaseActiveJob(jobKey, jobId, token, activeKey, stalledKey)
  local lockKey = jobKey .. ":lock"
  if redis.call("EXISTS", jobKey) == 0 then return -1 end
  if token ~= "0" then
    local held = redis.call("GET", lockKey)
    if not held then return -2 end
    if held ~= token then return -6 end
  end
  if redis.call("LREM", activeKey, -1, jobId) == 0 then return -3 end
  redis.call("DEL", lockKey)
  redis.call("SREM", stalledKey, jobId)
  return nil
end
