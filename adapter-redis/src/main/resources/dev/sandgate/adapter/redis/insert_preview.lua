-- KEYS: preview, previews of the sandbox, tokens of the preview, seq, revocations of the sandbox
-- ARGV: name, token prefix, index prefix, when Redis drops the preview (millis, or empty), creation instant of a
--       session (or empty for another preview), its subject (or empty), field/value pairs...
if redis.call('EXISTS', KEYS[1]) == 1 then return {'CONFLICT'} end
if ARGV[5] ~= '' and revoked(KEYS[5], ARGV[5], ARGV[6]) then return {'REVOKED'} end
-- Leftovers of an earlier preview of that name that Redis expired before its tokens: never inherited.
drop_tokens(KEYS[3], ARGV[2], ARGV[3])
local seq = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], 'seq', seq, unpack(ARGV, 7))
if ARGV[4] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[4]) end
redis.call('ZADD', KEYS[2], seq, ARGV[1])
return {'OK'}
