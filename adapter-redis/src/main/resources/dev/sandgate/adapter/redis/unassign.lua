-- KEYS: the sandbox's node key. ARGV: the node sandbox set prefix, sandbox. Returns 'OK' and the node id, or ''.
local node = redis.call('GET', KEYS[1])
if not node then return {'OK', ''} end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. node, ARGV[2])
return {'OK', node}
