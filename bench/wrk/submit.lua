-- Complaint submission under wrk: each thread drives ONE connection (run with -t N -c N)
-- through the two real steps of /issues/new/, as an anonymous resident would:
--   1. POST the form (urlencoded, with the CSRF token)  -> 302 to the photo step
--   2. POST the photo step (multipart, one JPEG)         -> 302 to /issues/new/done/
-- The CSRF cookie/token pair comes from one GET done by bench/run.py before wrk starts
-- (Django's CSRF token is tied to the csrftoken cookie, not to the session), and each
-- thread keeps the sessionid cookie the server sets at step 1 (the draft lives in the
-- session). One wrk Lua state per thread is what makes this per-connection state safe.
-- args: csrf, slug, step-1 body (urlencoded, without description), description prefix
--       (urlencoded), photo path
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  csrf, slug, body1, desc_prefix, photo_path = args[1], args[2], args[3], args[4], args[5]
  local f = assert(io.open(photo_path, "rb"))
  local photo = f:read("*a")
  f:close()
  local b = "----huashanbench" .. tid
  body2 = "--" .. b .. "\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
    .. csrf .. "\r\n--" .. b
    .. "\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"photo.jpg\"\r\n"
    .. "Content-Type: image/jpeg\r\n\r\n" .. photo .. "\r\n--" .. b .. "--\r\n"
  ctype2 = "multipart/form-data; boundary=" .. b
  state, n, ok, failed1, failed2, session = 1, 0, 0, 0, 0, nil
end

local function cookie()
  local c = "csrftoken=" .. csrf
  if session then c = c .. "; sessionid=" .. session end
  return c
end

function request()
  if state == 1 then
    n = n + 1
    return wrk.format("POST", "/issues/new/?compound=" .. slug, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = cookie(),
    }, body1 .. "&description=" .. desc_prefix .. tid .. "-" .. n)
  end
  return wrk.format("POST", "/issues/new/check/?compound=" .. slug, {
    ["Content-Type"] = ctype2,
    ["Cookie"] = cookie(),
  }, body2)
end

function response(status, headers, body)
  local sc = headers["Set-Cookie"]
  if sc then
    local s = string.match(sc, "sessionid=([^;]+)")
    if s then session = s end
  end
  if state == 1 then
    if status == 302 then state = 2 else failed1 = failed1 + 1 end
  else
    local location = headers["Location"] or ""
    if status == 302 and string.find(location, "done", 1, true) then
      ok = ok + 1
    else
      failed2 = failed2 + 1
    end
    state = 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_f1, total_f2 = 0, 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_f1 = total_f1 + t:get("failed1")
    total_f2 = total_f2 + t:get("failed2")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p99_us":%d,'
      .. '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,'
      .. '"submitted":%d,"failed_step1":%d,"failed_step2":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout, total_ok, total_f1, total_f2))
end
