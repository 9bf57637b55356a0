-- Shared by every script (prepended to it). Key layout, in the namespace N:
--   N:seq              counter giving previews and tokens their order
--   N:ps:<s>           sorted set: the previews of sandbox s, scored by order
--   N:p:<s>:<p>        hash: preview p of sandbox s
--   N:ts:<s>:<p>       sorted set: the token names of that preview, scored by mint order
--   N:t:<s>:<p>:<t>    hash: token t (nonce, exp, expms, seq, h)
--   N:v:<h>            string: the verification index, h = keyed hash of the token value
--   N:rv:<s>           hash: the revoke-all calls of sandbox s, "issued up to" instants as sortable() text:
--                      field '*' for every session, 's:<subject>' for one subject's
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
-- An ISO-8601 instant as Instant.toString writes it, as text that compares like the instant (nanoseconds always
-- written out); nil for anything else.
local function sortable(iso)
  if not iso then return nil end
  local head, frac = string.match(iso, '^(%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d)%.?(%d*)Z$')
  if not head or #frac > 9 then return nil end
  return head .. '.' .. frac .. string.rep('0', 9 - #frac)
end
-- Whether a session created at `created` (ISO-8601) for `subject` ('' for none) is covered by a revoke-all of the
-- revocations hash rv_key. An unreadable instant is covered by any revocation (fails closed).
local function revoked(rv_key, created, subject)
  local marks = redis.call('HMGET', rv_key, '*', 's:' .. subject)
  local c = sortable(created)
  if marks[1] and (c == nil or c <= marks[1]) then return true end
  if subject ~= '' and marks[2] and (c == nil or c <= marks[2]) then return true end
  return false
end
