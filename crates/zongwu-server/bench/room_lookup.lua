-- wrk script for the public room lookup (查住宿): every request asks for a random demo student,
-- with the second factor `zongwu-server --demo` gave them (see src/demo.rs, demo_student), so the
-- load spreads over the whole plan and every answer is a real hit (200). Non-200 answers are
-- counted and printed at the end: a run with any of them does not measure the lookup.
--
--   wrk -t1 -c64 -d30s --latency -s room_lookup.lua http://127.0.0.1:18798
--
-- ZONGWU_DEMO_STUDENTS must match the server's (default 10000).

local students = tonumber(os.getenv("ZONGWU_DEMO_STUDENTS") or "10000")
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  failed = 0
end

function request()
  local i = math.random(0, students - 1)
  local body = string.format('{"student_no":"2026%06d","second_factor":"%06d"}', i + 1, (i * 7919 + 123457) % 1000000)
  return wrk.format("POST", "/api/v1/public/room", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("failed")
  end
  io.write(string.format("non-200 answers: %d of %d\n", total, summary.requests))
end
