-- wrk script for bench/consultation_load.py: sends prepared respondent submits, each once, every
-- Nth one twice in a row (a double click or retry), and stops when all have been answered.
-- Arguments after "--": <file> <resend_every> <marker>. Each line of <file> is
-- "<Cookie header>\t<urlencoded form>". Run with one wrk thread (-t1): wrk's main thread only
-- stops at -d, so the script writes <marker> when done and the caller interrupts wrk then.
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
           int clock_gettime(int clock, bench_timespec *t); ]]
local function now()  -- wrk gives Lua no clock finer than a second
  local t = ffi.new("bench_timespec"); ffi.C.clock_gettime(1, t)
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local thread
function setup(t) thread = t end

function init(args)
  resend_every = tonumber(args[2]); marker = args[3]
  items = {}
  for line in io.lines(args[1]) do
    local cookie, body = line:match("^(.-)\t(.*)$")
    items[#items + 1] = {cookie, body}
  end
  planned = #items + math.floor((#items - 1) / resend_every) + 1  -- items 1, 1+N, 1+2N… go twice
  pos, again, sent, answered, ok, bad, extra = 1, false, 0, 0, 0, 0, 0
end

function request()
  local item
  if pos > #items then
    item = items[#items]; extra = extra + 1  -- the last answers are still coming: repeat the last submit
  else
    item = items[pos]
    if again then again = false; pos = pos + 1
    elseif (pos - 1) % resend_every == 0 then again = true
    else pos = pos + 1 end
  end
  sent = sent + 1
  if first == nil then first = now() end
  return wrk.format("POST", "/c/form/", {["Cookie"] = item[1], ["Referer"] = "http://127.0.0.1/c/form/",
                    ["Content-Type"] = "application/x-www-form-urlencoded"}, item[2])
end

function response(status, headers, body)
  if answered >= planned then return end
  answered = answered + 1
  local location = headers["Location"] or headers["location"] or ""
  if status == 302 and location:find("/c/thanks/", 1, true) then ok = ok + 1 else bad = bad + 1 end
  if answered == planned then
    last = now()
    local f = io.open(marker, "w"); f:write("done"); f:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  io.write(string.format('RESULT {"planned": %d, "answered": %d, "ok": %d, "bad": %d, "extra_sent": %d, '
    .. '"elapsed_s": %.3f, "p50_ms": %.1f, "p90_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f, "timeouts": %d}\n',
    thread:get("planned"), thread:get("answered"), thread:get("ok"), thread:get("bad"), thread:get("extra"),
    (thread:get("last") or 0) - (thread:get("first") or 0), latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.errors.timeout))
end
