-- The workloads of bench/run.py in luaposix, for comparison.
--   luaposix bench/luaposix_bench.lua ROUNDS NAME=N [NAME=N ...]
-- Prints "NAME MEDIAN_US" per workload: the median over ROUNDS rounds of N
-- operations of (round time / N), in microseconds, after one warm-up round.
-- Wall clock: clock_gettime(CLOCK_MONOTONIC).  A full collection runs before
-- each round; the collector runs normally during it.
local S = require "posix.sys.socket"
local U = require "posix.unistd"
local T = require "posix.time"

local LOOPBACK, BULK, BUFSIZE = "127.0.0.1", 65536, 1 << 20

local function ok(value, message) return assert(value, message) end

local function now()
  local t = T.clock_gettime(T.CLOCK_MONOTONIC)
  return t.tv_sec * 1e9 + t.tv_nsec
end

-- 5 s receive/send timeouts, so that no wait is unbounded
local function bounded(fd)
  ok(S.setsockopt(fd, S.SOL_SOCKET, S.SO_RCVTIMEO, 5, 0))
  ok(S.setsockopt(fd, S.SOL_SOCKET, S.SO_SNDTIMEO, 5, 0))
  return fd
end

local function udp_pair()
  local a = bounded(ok(S.socket(S.AF_INET, S.SOCK_DGRAM, 0)))
  local b = bounded(ok(S.socket(S.AF_INET, S.SOCK_DGRAM, 0)))
  for _, fd in ipairs {a, b} do
    ok(S.bind(fd, {family = S.AF_INET, port = 0, addr = LOOPBACK}))
  end
  return a, b
end

-- each workload: setup() -> round(n), cleanup()
local workloads = {}

function workloads.pingpong()
  local a, b = S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0)
  bounded(ok(a)); bounded(b)
  local send, recv = S.send, S.recv
  return function(n)
    for _ = 1, n do send(a, "x"); recv(b, 1) end
  end, function() U.close(a); U.close(b) end
end

function workloads.udp()
  local a, b = udp_pair()
  local dest = ok(S.getsockname(b))
  local sendto, recvfrom = S.sendto, S.recvfrom
  return function(n)
    for _ = 1, n do sendto(a, "x", dest); recvfrom(b, 64) end
  end, function() U.close(a); U.close(b) end
end

function workloads.getsockname()
  local a, b = udp_pair()
  local getsockname = S.getsockname
  return function(n)
    for _ = 1, n do getsockname(b) end
  end, function() U.close(a); U.close(b) end
end

function workloads.bulk64k()
  local a, b = S.socketpair(S.AF_UNIX, S.SOCK_STREAM, 0)
  for _, fd in ipairs {ok(a), b} do
    bounded(fd)
    ok(S.setsockopt(fd, S.SOL_SOCKET, S.SO_SNDBUF, BUFSIZE))
    ok(S.setsockopt(fd, S.SOL_SOCKET, S.SO_RCVBUF, BUFSIZE))
  end
  local payload = string.rep("\0", BULK)
  local send, recv = S.send, S.recv
  return function(n)
    for _ = 1, n do
      local sent = ok(send(a, payload))
      while sent < BULK do sent = sent + ok(send(a, payload:sub(sent + 1))) end
      local got = #ok(recv(b, BULK))
      while got < BULK do got = got + #ok(recv(b, BULK - got)) end
    end
  end, function() U.close(a); U.close(b) end
end

function workloads.tcp_connect()
  local l = bounded(ok(S.socket(S.AF_INET, S.SOCK_STREAM, 0)))
  ok(S.bind(l, {family = S.AF_INET, port = 0, addr = LOOPBACK}))
  ok(S.listen(l, 128))
  local addr = ok(S.getsockname(l))
  local socket, connect, accept, close = S.socket, S.connect, S.accept, U.close
  local AF_INET, SOCK_STREAM = S.AF_INET, S.SOCK_STREAM
  return function(n)
    for _ = 1, n do
      local c = socket(AF_INET, SOCK_STREAM, 0)
      connect(c, addr)
      local conn = accept(l)
      close(conn); close(c)
    end
  end, function() U.close(l) end
end

function workloads.getaddrinfo()
  local hints = {flags = S.AI_NUMERICHOST | S.AI_NUMERICSERV}
  local getaddrinfo = S.getaddrinfo
  return function(n)
    for _ = 1, n do getaddrinfo(LOOPBACK, "80", hints) end
  end, function() end
end

function workloads.sockopt()
  local fd = ok(S.socket(S.AF_INET, S.SOCK_STREAM, 0))
  local setsockopt, getsockopt = S.setsockopt, S.getsockopt
  local IPPROTO_TCP, TCP_NODELAY = S.IPPROTO_TCP, S.TCP_NODELAY
  return function(n)
    for _ = 1, n do
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1)
      getsockopt(fd, IPPROTO_TCP, TCP_NODELAY)
    end
  end, function() U.close(fd) end
end

local rounds = math.tointeger(tonumber(arg[1])) or error("usage: ROUNDS NAME=N ...")
for i = 2, #arg do
  local name, n = arg[i]:match("^([%w_]+)=(%d+)$")
  n = math.tointeger(tonumber(n))
  local setup = workloads[name] or error("unknown workload " .. arg[i])
  local round, cleanup = setup()
  round(n) -- warm-up
  local samples = {}
  for r = 1, rounds do
    collectgarbage("collect")
    local t0 = now()
    round(n)
    samples[r] = (now() - t0) / n / 1000
  end
  cleanup()
  table.sort(samples)
  print(string.format("%s %.4f", name, samples[(rounds + 1) // 2]))
end
