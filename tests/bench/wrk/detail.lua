-- A partij with its addresses, its betrokkenen and their klantcontacten, as a KCC screen shows it.
dofile(os.getenv("BENCH_WRK") .. "/common.lua")
local partijen = lines("partijen.txt")
function request()
  return wrk.format("GET", api .. "/partijen/" .. partijen[math.random(#partijen)]
    .. "?expand=digitaleAdressen,betrokkenen,betrokkenen.hadKlantcontact")
end
