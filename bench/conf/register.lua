-- wrk script for the registration bench's write path: every request is a POST /api/registrations
-- with a unique email (<run tag>-<thread>-<counter>@bench.example.org), so none is refused as a
-- duplicate (409). Each thread counts the answers that are 201 and those that are not; done()
-- prints them with wrk's figures in one machine-readable line (latencies in microseconds).
-- usage: wrk ... -s register.lua URL -- <unique run tag> [session id]
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
local prefix = "x"
local session = "keynote"
local n = 0
created = 0
other = 0
init = function(args)
  prefix = (args[1] or "run") .. "-" .. tostring(tid or 0) .. "-"
  session = args[2] or session
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
request = function()
  n = n + 1
  local body = string.format('{"name":"Bench Attendee %d","email":"%s%d@bench.example.org","affiliation":"wrk","session":"%s"}',
    n, prefix, n, session)
  return wrk.format(nil, nil, nil, body)
end
response = function(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
done = function(s, lat, req)
  local e = s.errors
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + (t:get("created") or 0); o = o + (t:get("other") or 0) end
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d reqs=%d dur_us=%d bytes=%d errors=%d status_errors=%d created=%d not_created=%d\n",
    s.requests / (s.duration / 1e6), lat:percentile(50), lat:percentile(99), s.requests, s.duration, s.bytes,
    e.connect + e.read + e.write + e.timeout + e.status, e.status, c, o))
end
