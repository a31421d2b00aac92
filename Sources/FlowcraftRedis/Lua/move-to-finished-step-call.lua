--- How move-to-finished.lua runs a FinishStep (its `step-call` slot): the step (slot `step`) sets
--- `attached` to its reply, or to an error reply returned before any write, and may set
--- `valueSuffix`, appended to the job's returnvalue.
local attached, valueSuffix = nil, ""
--@slot step
if attached.err then return attached end
value = value .. valueSuffix

