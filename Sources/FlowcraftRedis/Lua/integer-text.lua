--- `integerText(text, value)`: the decimal text of an integer argument.
-- The decimal text of an integer argument: the argument itself when it is plain digits, else `value`
-- formatted.
local function integerText(text, value)
  if text == "0" or string.find(text, "^%-?%d+$") then return text end
  return string.format("%d", value)
end
