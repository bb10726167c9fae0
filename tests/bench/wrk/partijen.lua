-- The first page of 100 partijen.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
function request()
  return wrk.format("GET", api .. "/partijen?page=1&pageSize=100")
end
