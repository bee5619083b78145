-- wrk script for tools/bench/soak: GETs the paths listed in a file (args[1]) round-robin from a random start, with an
-- API key (args[2]) when given, and counts the answers by class, printed at the end as one line:
-- "requests 2xx3xx 4xx 5xx p50ms p99ms errors".
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
  index = math.random(#paths)
  if args[2] and #args[2] > 0 then wrk.headers["Authorization"] = "Bearer " .. args[2] end
  wrk.headers["Accept-Encoding"] = "gzip"
  ok, c4, c5 = 0, 0, 0
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function response(status, headers, body)
  if status >= 500 then c5 = c5 + 1 elseif status >= 400 then c4 = c4 + 1 else ok = ok + 1 end
end

function done(summary, latency, requests)
  local o, f, s = 0, 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); f = f + t:get("c4"); s = s + t:get("c5") end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f %d\n", summary.requests, o, f, s,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout))
end
