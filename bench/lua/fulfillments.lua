-- POST /v1/fulfillments with a body read from a file and an Idempotency-Key per request.
--
-- Arguments after `--`: BODY_FILE KEY_MODE KEY_PREFIX KEY_COUNT CODING TOKEN
--   KEY_MODE  unique: a new key for every request (creations)
--             cycle:  keys PREFIX-0 .. PREFIX-(COUNT-1) in turn (replays of a fixed set)
--             random: a key drawn uniformly from the same set (replays spread over a big store)
--             none:   no Idempotency-Key header
--   CODING    gzip to send Accept-Encoding: gzip, anything else to send none
-- done() prints one line "WRK-RESULT {json}" that the benchmark reads.

local thread_count = 0
local body, mode, prefix, count
local headers = {}
local counter = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  body = file:read("*a")
  file:close()
  mode, prefix, count = args[2], args[3], tonumber(args[4])
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. args[6]
  if args[5] == "gzip" then
    headers["Accept-Encoding"] = "gzip"
  end
  math.randomseed(os.time() + 7919 * thread_id)
  counter = (thread_id - 1) * 1000003  -- threads start the cycle at different keys
end

function request()
  counter = counter + 1
  if mode == "unique" then
    headers["Idempotency-Key"] = prefix .. "-" .. thread_id .. "-" .. counter
  elseif mode == "cycle" then
    headers["Idempotency-Key"] = prefix .. "-" .. (counter % count)
  elseif mode == "random" then
    headers["Idempotency-Key"] = prefix .. "-" .. math.random(0, count - 1)
  end
  return wrk.format("POST", wrk.path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, '
      .. '"p999_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
