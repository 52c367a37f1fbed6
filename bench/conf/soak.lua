-- wrk script for bench/soak.sh: a mixed load, one request class picked per request from a
-- weighted schedule (shuffled per thread):
--   hit       /size/8192?h=<0..HOT-1>              a hot set far below the cache budget
--   miss      /size/<1k|16k|64k>?m=<tag>-<thread>-<n>  a new key every time (the cache sits at
--                                                  its byte budget and evicts all the time)
--   gzip, br  /size/20000?c=<0..49> with Accept-Encoding gzip / br / "gzip, br" (compressed at
--             the edge; one cached variant per encoding)
--   signed    a valid signed URL (canned policy) of a /obj/private-* object
--   badsig    a refused one: tampered signature, expired, or no Key-Pair-Id (403)
--   e404      /status/404 (error-cached) or /nope/<n> (a new 404 every time)
--   e5xx      /status/500, /status/503 or /reset (the origin resets: 502)
-- usage: wrk ... -s soak.lua URL -- <run tag> <signed URL file> <hot keys>
-- The signed URL file holds lines "ok PATH?QUERY" and "bad PATH?QUERY".
-- done() prints one "SOAK" line per counter: requests sent per class, responses per status.

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local classes = {"hit", "miss", "gzip", "br", "signed", "badsig", "e404", "e5xx"}
local weights = {hit = 40, miss = 25, gzip = 8, br = 7, signed = 8, badsig = 4, e404 = 4, e5xx = 4}
local schedule = {}
local tag, hot = "run", 300
local ok_urls, bad_urls = {}, {}
local n = 0

-- Counters, one global each so that done() can read them with thread:get.
for _, c in ipairs(classes) do _G["sent_" .. c] = 0 end
local statuses = {"200", "403", "404", "500", "502", "503", "504", "other"}
for _, s in ipairs(statuses) do _G["status_" .. s] = 0 end

init = function(args)
  tag = args[1] or tag
  local file = args[2]
  hot = tonumber(args[3] or hot)
  if file then
    for line in io.lines(file) do
      local kind, path = line:match("^(%a+) (.+)$")
      if kind == "ok" then table.insert(ok_urls, path) elseif kind == "bad" then table.insert(bad_urls, path) end
    end
  end
  if #ok_urls == 0 then weights.signed = 0 end
  if #bad_urls == 0 then weights.badsig = 0 end
  for _, c in ipairs(classes) do
    for _ = 1, weights[c] do table.insert(schedule, c) end
  end
  math.randomseed((tid or 1) * 7919)
  for i = #schedule, 2, -1 do
    local j = math.random(i)
    schedule[i], schedule[j] = schedule[j], schedule[i]
  end
end

local miss_sizes = {1024, 16384, 65536}
local errors5xx = {"/status/500", "/status/503", "/reset"}
local encodings = {"gzip", "br", "gzip, br"}

request = function()
  n = n + 1
  local c = schedule[(n - 1) % #schedule + 1]
  _G["sent_" .. c] = _G["sent_" .. c] + 1
  if c == "hit" then
    return wrk.format("GET", "/size/8192?h=" .. math.random(0, hot - 1))
  elseif c == "miss" then
    local size = miss_sizes[n % #miss_sizes + 1]
    return wrk.format("GET", "/size/" .. size .. "?m=" .. tag .. "-" .. tid .. "-" .. n)
  elseif c == "gzip" then
    return wrk.format("GET", "/size/20000?c=" .. math.random(0, 49), {["Accept-Encoding"] = "gzip"})
  elseif c == "br" then
    local e = encodings[n % 2 + 2]
    return wrk.format("GET", "/size/20000?c=" .. math.random(0, 49), {["Accept-Encoding"] = e})
  elseif c == "signed" then
    return wrk.format("GET", ok_urls[math.random(#ok_urls)])
  elseif c == "badsig" then
    return wrk.format("GET", bad_urls[math.random(#bad_urls)])
  elseif c == "e404" then
    if n % 2 == 0 then return wrk.format("GET", "/status/404") end
    return wrk.format("GET", "/nope/" .. tag .. "-" .. tid .. "-" .. n)
  else
    return wrk.format("GET", errors5xx[n % #errors5xx + 1])
  end
end

response = function(status, headers, body)
  local k = "status_" .. tostring(status)
  if _G[k] == nil then k = "status_other" end
  _G[k] = _G[k] + 1
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SOAK total requests=%d duration_s=%.1f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("SOAK errors connect=%d read=%d write=%d timeout=%d non2xx3xx=%d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
  for _, c in ipairs(classes) do
    local total = 0
    for _, t in ipairs(threads) do total = total + (t:get("sent_" .. c) or 0) end
    io.write(string.format("SOAK sent %s=%d\n", c, total))
  end
  for _, s in ipairs(statuses) do
    local total = 0
    for _, t in ipairs(threads) do total = total + (t:get("status_" .. s) or 0) end
    io.write(string.format("SOAK status %s=%d\n", s, total))
  end
end
