-- A partij found by its BSN, as a portal does after login.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local bsns = lines("bsns.txt")
function request()
  return wrk.format("GET", api .. "/partijen?partijIdentificator__objectId=" .. bsns[math.random(#bsns)])
end
