-- wrk script for scripts/bench: GET the paths listed in the file named by BENCH_PATHS in turn,
-- each of the BENCH_THREADS threads through its own slice of the list (so that, while the list
-- is long enough, no path is asked twice), then print one JSON line of figures: requests,
-- errors, requests past the end of a thread's slice (repeated), latency percentiles in ms.

local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local stride = math.max(1, math.floor(#paths / tonumber(os.getenv("BENCH_THREADS") or "1")))

local threads = {}
local counter = 0
function setup(thread)
  thread:set("offset", counter * stride)
  threads[#threads + 1] = thread
  counter = counter + 1
end

i = 0
function request()
  local path = paths[((offset or 0) + i) % #paths + 1]
  i = i + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  local repeated = 0
  for _, thread in ipairs(threads) do
    local asked = thread:get("i") or 0
    if asked > stride then repeated = repeated + asked - stride end
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "status_errors": %d, "repeated": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout, e.status,
    repeated, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
