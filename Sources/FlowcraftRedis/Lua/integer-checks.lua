--- `isInteger(value)` and `integerArgument(text)`.
local function isInteger(value)
  return value ~= nil and value % 1 == 0
end
--@include "integer-argument.lua"
