-- What every read scenario shares: the token (BENCH_TOKEN), the API's path (BENCH_API, e.g.
-- /klantinteracties/api/v1), and the seeded ids (BENCH_DATA: a folder of seed.py's lists).
wrk.headers["Authorization"] = "Token " .. (os.getenv("BENCH_TOKEN") or "")
wrk.headers["Accept"] = "application/json"
api = os.getenv("BENCH_API") or "/klantinteracties/api/v1"

function lines(name)
  local out = {}
  for line in io.lines((os.getenv("BENCH_DATA") or ".") .. "/" .. name) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() + (id or 0) * 7919)
end
