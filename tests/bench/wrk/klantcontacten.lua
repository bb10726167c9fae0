-- The first page of 100 klantcontacten.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
function request()
  return wrk.format("GET", api .. "/klantcontacten?pageSize=100")
end
