-- KEYS: the node set, the node's hash. ARGV: id.
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[1], ARGV[1])
return {'OK'}
