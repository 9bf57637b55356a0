-- KEYS: preview, previews of the sandbox, tokens of the preview
-- ARGV: name, token prefix, index prefix, channel, message. Returns the preview's fields (empty when none).
local fields = redis.call('HGETALL', KEYS[1])
drop_tokens(KEYS[3], ARGV[2], ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if #fields > 0 then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return {'OK', fields}
