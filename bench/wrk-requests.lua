-- The requests of a wrk run (bench/shop.ts, measureWithWrk), from the file its argument names, a line each:
-- "M METHOD", "B BODY", "H Name: value", and "P PATH" (each request takes one of the paths at random).
-- done() writes the run's figures as one line of JSON: requests, seconds, p50 and p99 latency in µs, errors.
local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    local kind, rest = line:sub(1, 1), line:sub(3)
    if kind == 'M' then
      wrk.method = rest
    elseif kind == 'B' then
      wrk.body = rest
    elseif kind == 'H' then
      local name, value = rest:match('^([^:]+): (.*)$')
      wrk.headers[name] = value
    elseif kind == 'P' then
      paths[#paths + 1] = rest
    end
  end
  math.randomseed(os.time())
end

function request()
  return wrk.format(nil, paths[math.random(#paths)])
end

function done(summary, latency)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"seconds":%.6f,"p50":%d,"p99":%d,"errors":%d}\n', summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
