-- wrk script for bench/bench_surge.py: GETs of PATH, each with a new click id when the path
-- has a query (a shared link as social networks send it), and the answers counted.
--
--   wrk ... -s bench/wrk_views.lua URL -- PATH [COUNTER_PATH]
-- With COUNTER_PATH, one request in five polls the counter. done() prints one JSON line:
-- the answers by status, and how many 503s carried Retry-After.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  path, counter_path = args[1], args[2]
  sent, statuses, retry_after = 0, {}, 0
end

function request()
  sent = sent + 1
  if counter_path and sent % 5 == 0 then
    return wrk.format("GET", counter_path)
  end
  if string.find(path, "?", 1, true) then
    return wrk.format("GET", path .. "&fbclid=w" .. thread_number .. "n" .. sent)
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and headers["Retry-After"] then
    retry_after = retry_after + 1
  end
end

function done(summary, latency, requests)
  local total, with_retry = {}, 0
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    for status, n in pairs(counted) do
      total[tostring(status)] = (total[tostring(status)] or 0) + n
    end
    with_retry = with_retry + thread:get("retry_after")
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  io.write(string.format('{"statuses": {%s}, "retry_after": %d, "errors": %d}\n',
    table.concat(parts, ", "), with_retry,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
