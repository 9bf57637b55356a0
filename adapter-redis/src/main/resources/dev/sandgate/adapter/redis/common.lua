-- Shared by every script (prepended to it). Key layout, in the namespace N:
--   N:seq              counter giving previews and tokens their order
--   N:ps:<s>           sorted set: the previews of sandbox s, scored by order
--   N:p:<s>:<p>        hash: preview p of sandbox s
--   N:ts:<s>:<p>       sorted set: the token names of that preview, scored by mint order
--   N:t:<s>:<p>:<t>    hash: token t (nonce, exp, expms, seq, h)
--   N:v:<h>            string: the verification index, h = keyed hash of the token value
-- Drops every token of one preview (its index entries too), returns their names.
local function drop_tokens(ts_key, token_prefix, index_prefix)
  local names = redis.call('ZRANGE', ts_key, 0, -1)
  for _, n in ipairs(names) do
    local h = redis.call('HGET', token_prefix .. n, 'h')
    if h then redis.call('DEL', index_prefix .. h) end
    redis.call('DEL', token_prefix .. n)
  end
  redis.call('DEL', ts_key)
  return names
end
