--- `rcall`, the local name of `redis.call` (a local costs no global and field lookup per command).
local rcall = redis.call
