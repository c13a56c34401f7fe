-- wrk script used by bench/run.py for every load phase.
--   WRK_REQUESTS  file with one request per line: METHOD <TAB> PATH <TAB> headers (joined by \x1f) <TAB> body
--                 (each connection cycles through them, threads starting at different offsets)
--   WRK_EXPECT    a response counts as ok only with status 200 and this text in its body ("" = status only)
--   WRK_DELAY_MS  pause before each request of a connection (0 = closed loop, as fast as the server answers)
-- done() prints one JSON line: counts, duration, latency percentiles (µs) and a sample of the first bad answer.

local expect = os.getenv("WRK_EXPECT") or ""
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local reqs, n, i = {}, 0, 0
ok, bad, sample = 0, 0, ""

function init(args)
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    local method, path, hdrs, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    for h in hdrs:gmatch("[^\31]+") do
      local k, v = h:match("^([^:]+):%s*(.*)$")
      headers[k] = v
    end
    if body == "" then body = nil end
    table.insert(reqs, wrk.format(method, path, headers, body))
  end
  n = #reqs
  i = (id * 7919) % n
end

function request()
  i = i % n + 1
  return reqs[i]
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function response(status, headers, body)
  if status == 200 and (expect == "" or (body and body:find(expect, 1, true))) then
    ok = ok + 1
  else
    bad = bad + 1
    if sample == "" then sample = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local okc, badc, smp = 0, 0, ""
  for _, t in ipairs(threads) do
    okc = okc + (t:get("ok") or 0)
    badc = badc + (t:get("bad") or 0)
    if smp == "" then smp = t:get("sample") or "" end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"ok":%d,"bad":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},"bad_sample":%s}\n',
    summary.requests, okc, badc, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    quote(smp)))
end
