-- One atomic change: the cap (R8), the evictions it needs, and the new token.
-- KEYS: preview, tokens of the preview, seq
-- ARGV: 1 name, 2 token prefix, 3 index prefix, 4 nonce, 5 expiry (epoch millis, rounded down),
--       6 expiry (nanoseconds within that millisecond), 7 now (millis), 8 now (nanos within), 9 index hash,
--       10 cap, 11 index value, 12 channel, 13 eviction message prefix, 14 expiry (ISO-8601),
--       15 when Redis drops the records (millis: the expiry, or now if later, plus a grace)
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOTFOUND'} end
local tk = ARGV[2]
if redis.call('EXISTS', tk .. ARGV[1]) == 1 then return {'CONFLICT'} end
local now_ms, now_ns = tonumber(ARGV[7]), tonumber(ARGV[8])
local held = {}
for _, n in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local e = redis.call('HMGET', tk .. n, 'expms', 'expns')
  if e[1] then
    local ms, ns = tonumber(e[1]), tonumber(e[2])
    -- expired at now: its expiry is at or before now (exactly, to the nanosecond)
    held[#held + 1] = {n, ms < now_ms or (ms == now_ms and ns <= now_ns)}
  else
    redis.call('ZREM', KEYS[2], n)
  end
end
local excess = #held - (tonumber(ARGV[10]) - 1)
local evicted = {}
if excess > 0 then
  local order = {}
  for _, t in ipairs(held) do if t[2] then order[#order + 1] = t[1] end end
  for _, t in ipairs(held) do if not t[2] then order[#order + 1] = t[1] end end
  for i = 1, excess do
    local n = order[i]
    local h = redis.call('HGET', tk .. n, 'h')
    if h then redis.call('DEL', ARGV[3] .. h) end
    redis.call('DEL', tk .. n)
    redis.call('ZREM', KEYS[2], n)
    evicted[#evicted + 1] = n
    redis.call('PUBLISH', ARGV[12], ARGV[13] .. n)
  end
end
local seq = redis.call('INCR', KEYS[3])
local key = tk .. ARGV[1]
local index = ARGV[3] .. ARGV[9]
local drop = tonumber(ARGV[15])
redis.call('HSET', key, 'nonce', ARGV[4], 'exp', ARGV[14], 'expms', ARGV[5], 'expns', ARGV[6], 'seq', seq,
  'h', ARGV[9])
redis.call('SET', index, ARGV[11])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('PEXPIREAT', key, drop)
redis.call('PEXPIREAT', index, drop)
local current = redis.call('PEXPIRETIME', KEYS[2])
if current == -1 or current < drop then redis.call('PEXPIREAT', KEYS[2], drop) end
return {'OK', evicted}
