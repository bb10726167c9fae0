-- POST a new persoon with a BSN that no other request uses: the bench script gives every wrk run
-- its own range of numbers (`-- OFFSET STRIDE`), and every thread takes its own part of it.
local threads = 0

function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

function init(args)
  -- OFFSET and STRIDE: where this run's numbers start, and how many each thread may use.
  base = tonumber(args[1] or "0") + thread_index * tonumber(args[2] or "1000000")
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

-- The first refused request is shown, so a failing run says why.
function response(status, headers, body)
  if status >= 300 and not reported then
    reported = true
    io.stderr:write("create refused: " .. status .. " " .. body .. "\n")
  end
end
