--- flowcraftCompleteNode: every change of a distributed run's progress (start, commit of a node's
--- completion, parking, failing, cancelling) as a script of its own; commit-node.lua holds the body
--- and documents KEYS and ARGV (filled by NodeCompletionScript.Call). A node job's own commit runs as
--- a FinishStep inside move-to-finished.lua instead (complete-node-step-*.lua).
--@include "prelude.lua"
--@include "integer-argument.lua"
--@include "add-validated-job.lua"
--@include "commit-node.lua"
return commitNode(0, 0, nil)
