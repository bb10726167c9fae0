-- POST a new persoon with a BSN that no request used before (each wrk thread its own range).
local counter = 0
local base = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("base", threads * 1000000 + math.random(0, 900) * 100000000)
end

function init(args)
  counter = 0
end

local function bsn(n)
  local s = string.format("%08d", n % 100000000)
  local sum = 0
  for i = 1, 8 do
    sum = sum + tonumber(s:sub(i, i)) * (10 - i)
  end
  local check = sum % 11
  if check == 10 then return nil end
  return s .. tostring(check)
end

function request()
  local number
  repeat
    counter = counter + 1
    number = bsn(base + counter)
  until number
  local body = '{"soortPartij":"persoon","indicatieActief":true,' ..
    '"partijIdentificatie":{"contactnaam":{"voornaam":"Bench","achternaam":"Persoon"}},' ..
    '"partijIdentificatoren":[{"partijIdentificator":{"codeObjecttype":"natuurlijk_persoon",' ..
    '"codeSoortObjectId":"bsn","objectId":"' .. number .. '","codeRegister":"brp"}}]}'
  return wrk.format("POST", nil, nil, body)
end
