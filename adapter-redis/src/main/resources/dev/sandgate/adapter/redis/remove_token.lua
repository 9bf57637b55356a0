-- KEYS: tokens of the preview, the token. ARGV: name, index prefix, channel, message.
-- Returns the token's fields (empty when none).
local fields = redis.call('HGETALL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
if #fields == 0 then return {'OK', fields} end
local h = redis.call('HGET', KEYS[2], 'h')
if h then redis.call('DEL', ARGV[2] .. h) end
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {'OK', fields}
