-- KEYS: previews of the sandbox. ARGV: preview prefix (ending in '<s>:'). Returns the previews' fields, oldest first.
local out = {'OK'}
for _, p in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local fields = redis.call('HGETALL', ARGV[1] .. p)
  if #fields > 0 then out[#out + 1] = fields else redis.call('ZREM', KEYS[1], p) end
end
return out
