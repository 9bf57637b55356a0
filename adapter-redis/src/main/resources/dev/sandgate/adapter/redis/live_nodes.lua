-- KEYS: the node set. ARGV: the node hash prefix, the node's sandbox set prefix.
-- Returns 'OK' then, per node whose hash Redis still holds: id, url, heartbeat (ISO-8601), sandbox count.
local out = {'OK'}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local f = redis.call('HMGET', ARGV[1] .. id, 'url', 'hb')
  if f[1] and f[2] then
    table.insert(out, id)
    table.insert(out, f[1])
    table.insert(out, f[2])
    table.insert(out, redis.call('SCARD', ARGV[2] .. id))
  end
end
return out
