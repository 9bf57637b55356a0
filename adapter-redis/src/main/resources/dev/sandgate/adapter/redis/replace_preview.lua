-- KEYS: preview, revocations of the sandbox. ARGV: expiry millis or '', channel, message, creation instant of a
-- session (or empty for another preview), its subject (or empty), field/value pairs...
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return {'NOTFOUND'} end
if ARGV[4] ~= '' and revoked(KEYS[2], ARGV[4], ARGV[5]) then return {'REVOKED'} end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'seq', seq, unpack(ARGV, 6))
if ARGV[1] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return {'OK'}
