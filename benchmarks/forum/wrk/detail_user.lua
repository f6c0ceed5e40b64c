-- GET a random proposal's detail page as a signed-in resident (never cached: the page carries the
-- person's own rating and forms). Sessions as in toggle.lua (BENCH_SESSIONS, BENCH_THREADS).
local prefix = os.getenv("BENCH_PREFIX")
local count = tonumber(os.getenv("BENCH_COUNT"))
local file = os.getenv("BENCH_SESSIONS")
local threads = tonumber(os.getenv("BENCH_THREADS"))
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args)
  math.randomseed(id * 3571)
  sessions = {}
  local i = 0
  for line in io.lines(file) do
    if i % threads == id - 1 then
      local key = line:match("(%S+) ")
      table.insert(sessions, key)
    end
    i = i + 1
  end
end
function request()
  local key = sessions[math.random(1, #sessions)]
  return wrk.format("GET", prefix .. math.random(1, count) .. "/", {Cookie = "sessionid=" .. key})
end
