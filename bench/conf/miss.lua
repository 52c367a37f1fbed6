-- wrk script for miss runs: every request gets a unique query string (?n=<run tag>-<thread>-<counter>),
-- so a proxy whose cache key includes the query string has to fetch every request from the origin.
-- usage: wrk ... -s miss.lua URL -- <unique run tag>
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local prefix = "x"
local n = 0
init = function(args)
  prefix = wrk.path .. "?n=" .. (args[1] or "run") .. "-" .. tostring(tid or 0) .. "-"
end
request = function()
  n = n + 1
  return wrk.format(nil, prefix .. n)
end
done = function(s, lat, req)
  local e = s.errors
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d reqs=%d dur_us=%d bytes=%d errors=%d status_errors=%d\n",
    s.requests / (s.duration / 1e6), lat:percentile(50), lat:percentile(99), s.requests, s.duration, s.bytes,
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
