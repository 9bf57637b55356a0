-- Revoke-all, one atomic change: records the revocation (never lowering an earlier one), then removes every session
-- (port 443) of the sandbox it covers with its tokens, publishing each removal.
-- KEYS: previews of the sandbox, revocations of the sandbox
-- ARGV: 1 preview prefix, 2 tokens-set prefix, 3 token prefix (each ending in '<s>:'), 4 index prefix, 5 channel,
--       6 message prefix ('v1 preview <s> '), 7 issued up to (ISO-8601), 8 subject (or empty: every session)
-- Returns how many of the removed sessions had not expired at that instant.
local upto = sortable(ARGV[7])
if not upto then return redis.error_reply('unreadable instant') end
local field = '*'
if ARGV[8] ~= '' then field = 's:' .. ARGV[8] end
local current = redis.call('HGET', KEYS[2], field)
if not current or current < upto then redis.call('HSET', KEYS[2], field, upto) end
local live = 0
for _, p in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local f = redis.call('HMGET', ARGV[1] .. p, 'port', 'created', 'sg.subject', 'expires')
  if not f[1] then
    redis.call('ZREM', KEYS[1], p)
  elseif f[1] == '443' then
    local c = sortable(f[2])
    local covered = c == nil or c <= upto
    if covered and ARGV[8] ~= '' and f[3] ~= ARGV[8] then covered = false end
    if covered then
      drop_tokens(ARGV[2] .. p, ARGV[3] .. p .. ':', ARGV[4])
      redis.call('DEL', ARGV[1] .. p)
      redis.call('ZREM', KEYS[1], p)
      redis.call('PUBLISH', ARGV[5], ARGV[6] .. p)
      local e = sortable(f[4])
      if not f[4] or (e and e > upto) then live = live + 1 end
    end
  end
end
return {'OK', live}
