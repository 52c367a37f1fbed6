-- wrk script for hit runs: no request() function, so wrk sends its static request (no per-request
-- Lua); done() prints one machine-readable line (latencies in microseconds).
done = function(s, lat, req)
  local e = s.errors
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d reqs=%d dur_us=%d bytes=%d errors=%d status_errors=%d\n",
    s.requests / (s.duration / 1e6), lat:percentile(50), lat:percentile(99), s.requests, s.duration, s.bytes,
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
