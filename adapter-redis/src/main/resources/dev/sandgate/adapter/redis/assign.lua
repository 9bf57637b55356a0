-- KEYS: the sandbox's node key, the node's sandbox set. ARGV: node id, sandbox.
local existing = redis.call('GET', KEYS[1])
if existing and existing ~= ARGV[1] then return {'CONFLICT', existing} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return {'OK'}
