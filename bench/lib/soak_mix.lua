-- wrk script of bench/soak: each request takes the next of the requests given after `--` (each
-- thread starts at its own place in the list); "PATH|RANGE" sends the header Range: RANGE. The
-- answers' statuses are counted and printed at the end as one line:
--   statuses: 200=N 206=N 404=N 503=N other=N
local reqs = {}
local i = 0
local threads = {}
s200, s206, s404, s503, sother = 0, 0, 0, 0, 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for _, a in ipairs(args) do
    local p, r = a:match("^(.-)|(.*)$")
    if p then
      reqs[#reqs + 1] = wrk.format("GET", p, { Range = r })
    else
      reqs[#reqs + 1] = wrk.format("GET", a)
    end
  end
  i = (id or 0) * 7 % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body)
  if status == 200 then
    s200 = s200 + 1
  elseif status == 206 then
    s206 = s206 + 1
  elseif status == 404 then
    s404 = s404 + 1
  elseif status == 503 then
    s503 = s503 + 1
  else
    sother = sother + 1
  end
end

function done(summary, latency, requests)
  local t = { 0, 0, 0, 0, 0 }
  for _, th in ipairs(threads) do
    t[1] = t[1] + th:get("s200")
    t[2] = t[2] + th:get("s206")
    t[3] = t[3] + th:get("s404")
    t[4] = t[4] + th:get("s503")
    t[5] = t[5] + th:get("sother")
  end
  io.write(string.format("statuses: 200=%d 206=%d 404=%d 503=%d other=%d\n", t[1], t[2], t[3], t[4], t[5]))
end
