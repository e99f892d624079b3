-- wrk script of the vote path (benchmarks/run.py). Each request PUTs an opinion on a random published action
-- with the bearer token of this wrk thread's next voter, in turn (so that no voter reaches the API's rate
-- limit). Arguments after `--`: the file of tokens (one a line), the action ids (comma-separated) and the
-- number of wrk threads. At the end, one JSON line for run.py.

local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local tokens, actions, turn = {}, {}, 0

function init(args)
  local threads, line_number = tonumber(args[3]), 0
  for token in io.lines(args[1]) do
    if line_number % threads == thread_index then table.insert(tokens, token) end
    line_number = line_number + 1
  end
  for id in string.gmatch(args[2], "%d+") do table.insert(actions, id) end
  math.randomseed(thread_index + 1)
end

function request()
  turn = turn % #tokens + 1
  local path = "/api/v1/actions/" .. actions[math.random(#actions)] .. "/votes/opinion"
  local headers = {["Authorization"] = "Bearer " .. tokens[turn], ["Content-Type"] = "application/json"}
  return wrk.format("PUT", path, headers, string.format('{"value": %d}', math.random(-1, 1)))
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "not_2xx": %d, "socket_errors": %d, "p50": %.1f, "p95": %.1f, "p99": %.1f}\n',
    summary.requests, summary.duration / 1e6, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
