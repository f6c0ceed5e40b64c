-- Support toggle as logged-in residents: POST .../<n>/bewerten/ with value=1, then withdraw=1 for the
-- same (session, proposal), alternating. Sessions come from BENCH_SESSIONS (lines "sessionid csrftoken");
-- each wrk thread takes every THREADS-th line, so no two threads share a resident. HX-Request asks
-- for the small partial, as the page's htmx button does.
local prefix = os.getenv("BENCH_PREFIX")
local count = tonumber(os.getenv("BENCH_COUNT"))
local file = os.getenv("BENCH_SESSIONS")
local threads = tonumber(os.getenv("BENCH_THREADS"))
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args)
  math.randomseed(id * 104729)
  sessions = {}
  local i = 0
  for line in io.lines(file) do
    if i % threads == id - 1 then
      local key, csrf = line:match("(%S+) (%S+)")
      table.insert(sessions, {key = key, csrf = csrf})
    end
    i = i + 1
  end
  k = 0
  pair = nil
end
function request()
  local body
  if k % 2 == 0 then
    pair = {s = sessions[math.random(1, #sessions)], n = math.random(1, count)}
    body = "value=1"
  else
    body = "withdraw=1"
  end
  k = k + 1
  local headers = {
    ["Cookie"] = "sessionid=" .. pair.s.key .. "; csrftoken=" .. pair.s.csrf,
    ["X-CSRFToken"] = pair.s.csrf,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", prefix .. pair.n .. "/bewerten/", headers, body)
end
