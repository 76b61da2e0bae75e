-- One route of bench:portal as wrk sends it (see portal.bench.ts): every request from another
-- client address (X-Forwarded-For, 10.0.0.0 onwards), as a rush of customers does.
--
--   wrk -t THREADS -s portal.lua URL -- METHOD PATH THREADS FIRST_CLIENT [BODIES]
--
-- BODIES is a file of JSON bodies, one a line, taken in turn across the threads. done() prints
-- one line of JSON: the requests, latencies in microseconds, errors, and the next client unused.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  method, path, stride, first = args[1], args[2], tonumber(args[3]), tonumber(args[4])
  bodies = {}
  if args[5] then
    for line in io.lines(args[5]) do bodies[#bodies + 1] = line end
  end
  headers = {}
  if #bodies > 0 then headers["content-type"] = "application/json" end
  sent = 0
end

function request()
  local k = id + stride * sent
  local n = first + k
  sent = sent + 1
  headers["x-forwarded-for"] = string.format("%d.%d.%d.%d", 10 + math.floor(n / 16777216), math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  local body = nil
  if #bodies > 0 then body = bodies[k % #bodies + 1] end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  -- This runs in wrk's main Lua state: init's globals are the threads'.
  local next = 0
  for _, thread in ipairs(threads) do
    next = math.max(next, thread:get("first") + thread:get("id") + thread:get("stride") * thread:get("sent"))
  end
  local errors = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"next_client":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.status + errors.timeout, next))
end
