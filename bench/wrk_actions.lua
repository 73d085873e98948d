-- wrk script for bench/bench_signing.py: every request is a new supporter's action.
--
--   wrk ... -s bench/wrk_actions.lua URL -- KIND TAG FIXED HEADERS
-- KIND "form" posts FIXED (urlencoded fields) plus "&email=..."; "json" posts FIXED (a JSON
-- object without its closing brace) plus ',"email":"..."}'. HEADERS: "Name: value" lines.
-- The email is TAG-<thread>-<n>@example.org, unique in the run. done() prints one JSON line.

local threads = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  kind, tag, fixed = args[1], args[2], args[3]
  headers = {}
  for line in string.gmatch(args[4] or "", "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  sent = 0
end

function request()
  sent = sent + 1
  local email = tag .. "-" .. thread_number .. "-" .. sent .. "@example.org"
  local body
  if kind == "json" then
    body = fixed .. ',"email":"' .. email .. '"}'
  else
    body = fixed .. "&email=" .. string.gsub(email, "@", "%%40")
  end
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
