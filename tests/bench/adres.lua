-- POST a new e-mail address; numbered like create.lua so addresses do not repeat.
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

function request()
  counter = counter + 1
  local body = '{"adres":"bench' .. (base + counter) .. '@example.nl","soortDigitaalAdres":"email","omschrijving":"bench"}'
  return wrk.format("POST", nil, nil, body)
end
