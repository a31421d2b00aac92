--- `integerArgument(text)`: an integer argument as a number (nil when it is not a number).

-- An integer argument as a number (nil when it is not a number). "0", "1" and "-1", the commonest,
-- skip tonumber, which costs as much as a simple command.
local function integerArgument(text)
  if text == "0" then return 0 elseif text == "1" then return 1 elseif text == "-1" then return -1 end
  return tonumber(text)
end
