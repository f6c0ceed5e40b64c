-- GET detail pages the way readers spread over proposals: Zipf-distributed (exponent BENCH_ZIPF,
-- default 1.0) over PREFIX .. n .. "/", n in 1..COUNT, proposal 1 the most read. A few proposals are
-- shared and read a lot, most are read rarely; a uniform draw (detail.lua) is the cold worst case.
local prefix = os.getenv("BENCH_PREFIX")
local count = tonumber(os.getenv("BENCH_COUNT"))
local s = tonumber(os.getenv("BENCH_ZIPF") or "1.0")
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args)
  math.randomseed(id * 6151)
  cdf = {}
  local total = 0
  for n = 1, count do total = total + 1 / n ^ s; cdf[n] = total end
  for n = 1, count do cdf[n] = cdf[n] / total end
end
local function draw()
  local u, lo, hi = math.random(), 1, count
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end
function request()
  return wrk.format("GET", prefix .. draw() .. "/")
end
