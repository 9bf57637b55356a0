-- KEYS: the node set, the node's hash. ARGV: id, url, heartbeat (ISO-8601), heartbeat (ms), ttl (ms).
redis.call('HSET', KEYS[2], 'url', ARGV[2], 'hb', ARGV[3], 'hbms', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('SADD', KEYS[1], ARGV[1])
return {'OK'}
