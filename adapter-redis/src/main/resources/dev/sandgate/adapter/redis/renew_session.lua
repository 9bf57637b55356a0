-- Renewal in place, one atomic change: a live session's expiry, and that of each of its tokens that expired with it
-- (its own expiry at or after the session's), move to the new instant; token values (nonces) stay.
-- KEYS: preview, tokens of the preview
-- ARGV: 1 token prefix (ending in '<p>:'), 2 index prefix, 3 now (ISO-8601), 4 new expiry (ISO-8601),
--       5 new expiry (epoch millis, rounded down), 6 new expiry (nanoseconds within that millisecond),
--       7 when Redis drops the records (millis), 8 channel, 9 message
-- Returns NOTFOUND (no such session, or expired at now), SAME (nothing to move) or OK.
local f = redis.call('HMGET', KEYS[1], 'port', 'expires')
if f[1] ~= '443' then return {'NOTFOUND'} end
if not f[2] then return {'SAME'} end
local now, new, old = sortable(ARGV[3]), sortable(ARGV[4]), sortable(f[2])
if not now or not new then return redis.error_reply('unreadable instant') end
if old == nil or old <= now then return {'NOTFOUND'} end
if new <= old then return {'SAME'} end
local drop = tonumber(ARGV[7])
redis.call('HSET', KEYS[1], 'expires', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], drop)
for _, n in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local tk = ARGV[1] .. n
  local t = redis.call('HMGET', tk, 'exp', 'h')
  local e = sortable(t[1])
  if e and e >= old then
    redis.call('HSET', tk, 'exp', ARGV[4], 'expms', ARGV[5], 'expns', ARGV[6])
    redis.call('PEXPIREAT', tk, drop)
    if t[2] then
      local ik = ARGV[2] .. t[2]
      local v = redis.call('GET', ik)
      if v then
        local parts = {}
        for w in string.gmatch(v, '[^ ]+') do parts[#parts + 1] = w end
        if #parts == 5 then
          parts[4] = ARGV[4]
          redis.call('SET', ik, table.concat(parts, ' '), 'PXAT', drop)
        end
      end
    end
  end
end
local current = redis.call('PEXPIRETIME', KEYS[2])
if current >= 0 and current < drop then redis.call('PEXPIREAT', KEYS[2], drop) end
redis.call('PUBLISH', ARGV[8], ARGV[9])
return {'OK'}
