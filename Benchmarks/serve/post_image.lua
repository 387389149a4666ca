-- wrk script: POST the file named by $IMAGE to /v1/classify and count the answers by status.
-- Prints one JSON line at the end: requests by status, latency percentiles (µs), duration (µs), and the
-- steady-state count: answers 200 completed after the first $SETTLE_SECONDS seconds of the run (see bench.py).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } vit_bench_timespec;
  int clock_gettime(int clock, vit_bench_timespec *time);
]]
local clock = ffi.new("vit_bench_timespec")

-- Microseconds on CLOCK_MONOTONIC (1), the same clock in every wrk thread.
local function now_us()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
local file = assert(io.open(os.getenv("IMAGE"), "rb"))
wrk.body = file:read("*a")
file:close()

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  started_us = now_us()
  ok_times = {}  -- completion time of every 200, µs since this thread's start
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then ok_times[#ok_times + 1] = now_us() - started_us end
end

function done(summary, latency, requests)
  local settle_us = tonumber(os.getenv("SETTLE_SECONDS") or "0") * 1e6
  local total, settled = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
    for _, t in ipairs(thread:get("ok_times")) do
      if t >= settle_us then settled = settled + 1 end
    end
  end
  local parts = {}
  for status, count in pairs(total) do table.insert(parts, string.format('"%d":%d', status, count)) end
  io.write(string.format(
    'RESULT {"statuses":{%s},"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"socket_errors":%d,"settle_us":%d,"ok_after_settle":%d}\n',
    table.concat(parts, ","), summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    settle_us, settled))
end
