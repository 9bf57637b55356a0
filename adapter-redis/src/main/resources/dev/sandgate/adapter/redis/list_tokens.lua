-- KEYS: tokens of the preview. ARGV: token prefix. Returns name, fields, name, fields... oldest first.
local out = {'OK'}
for _, n in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local fields = redis.call('HGETALL', ARGV[1] .. n)
  if #fields > 0 then
    out[#out + 1] = n
    out[#out + 1] = fields
  end
end
return out
