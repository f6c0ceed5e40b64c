-- GET a random proposal's detail page: PREFIX .. n .. "/" with n in 1..COUNT (env BENCH_PREFIX, BENCH_COUNT).
local prefix = os.getenv("BENCH_PREFIX")
local count = tonumber(os.getenv("BENCH_COUNT"))
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args) math.randomseed(id * 7919) end
function request()
  return wrk.format("GET", prefix .. math.random(1, count) .. "/")
end
