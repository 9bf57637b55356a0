-- KEYS: preview. ARGV: expiry millis or '', channel, message, field/value pairs...
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return {'NOTFOUND'} end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'seq', seq, unpack(ARGV, 4))
if ARGV[1] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return {'OK'}
