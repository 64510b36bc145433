-- Prelude of every generated oracle script: runs steps and prints one JSON
-- line per step, the shape tests/oracle/luaposix_oracle.py prints for posixsock.
--   a call's return values  -> [v1, v2, ...]   (nil -> null)
--   a raised argument error -> {"raise": "<message without position>"}
S = require "posix.sys.socket"
U = require "posix.unistd"
F = require "posix.fcntl"
V = {}

local function quote(s)
  -- Lua strings are bytes: each byte outside printable ASCII becomes \u00XX,
  -- which the Python side matches by decoding bytes as latin-1.
  return '"' .. s:gsub('[%c"\\\128-\255]', function(c)
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function json(v)
  local t = type(v)
  if v == nil then return "null"
  elseif t == "number" then
    return math.type(v) == "integer" and string.format("%d", v) or string.format("%.17g", v)
  elseif t == "string" then return quote(v)
  elseif t == "boolean" then return tostring(v)
  elseif t == "table" then
    local parts = {}
    if v[1] ~= nil then
      for i = 1, #v do parts[i] = json(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for k, x in pairs(v) do parts[#parts + 1] = quote(tostring(k)) .. ":" .. json(x) end
    table.sort(parts)
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return quote("<" .. t .. ">")
end

function step(save, f)
  local r = table.pack(pcall(f))
  if not r[1] then
    -- drop "script.lua:12: " so only luaL_argerror's words remain
    local msg = tostring(r[2]):gsub("^[^:]*:%d+: ", "")
    print(json({raise = msg}))
    return
  end
  local out = {}
  for i = 2, r.n do out[i - 1] = json(r[i]) end
  if save then V[save] = table.pack(table.unpack(r, 2, r.n)) end
  print("[" .. table.concat(out, ",") .. "]")
end

function constnames()
  local names = {}
  for k, v in pairs(S) do
    if math.type(v) == "integer" then names[#names + 1] = k end
  end
  table.sort(names)
  return names
end

function openfile(path)
  return F.open(path, F.O_RDONLY | F.O_CREAT, 384)
end

function closefd(fd)
  U.close(fd)
  return "ok"
end

function value(x) return x end

function with(t, k, x)
  local c = {}
  for a, b in pairs(t) do c[a] = b end
  c[k] = x
  return c
end

-- CPython ignores SIGPIPE (send on a closed stream is EPIPE); do the same.
local signal = require "posix.signal"
signal.signal(signal.SIGPIPE, signal.SIG_IGN)

function cloexec(fd)
  return F.fcntl(fd, F.F_GETFD) & F.FD_CLOEXEC ~= 0
end
