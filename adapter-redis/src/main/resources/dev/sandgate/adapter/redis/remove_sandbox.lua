-- KEYS: previews of the sandbox, its revocations. ARGV: preview prefix, tokens-set prefix, token prefix (each ending in '<s>:'),
-- index prefix, channel, message.
local names = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, p in ipairs(names) do
  drop_tokens(ARGV[2] .. p, ARGV[3] .. p .. ':', ARGV[4])
  redis.call('DEL', ARGV[1] .. p)
end
redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return {'OK'}
