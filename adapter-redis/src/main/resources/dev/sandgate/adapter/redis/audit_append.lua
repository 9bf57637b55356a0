-- Appends audit entries to one sandbox's stream N:audit:<s> (KEYS[1]), oldest first, then applies the retention.
-- ARGV[1] the most entries kept (MAXLEN), ARGV[2] the oldest id kept (MINID, milliseconds), ARGV[3] the stream's
-- time to live (milliseconds: a trail nobody appends to goes when its newest entry would have), then 11 values per
-- entry: its time in milliseconds, id, time, session, subject, credential, operation, target, status, code, client
-- ("" for an absent one). Stream ids are <ms>-<seq> with ms the entry's own time, never below the last id's: entries
-- from brokers whose clocks differ slightly still append in order. Returns the new ids.
local key = KEYS[1]
local floor = 0
local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
if last[1] then
  floor = tonumber(string.match(last[1][1], '^(%d+)'))
end
local ids = {}
for i = 4, #ARGV, 11 do
  local ms = tonumber(ARGV[i])
  if ms < floor then ms = floor end
  floor = ms
  ids[#ids + 1] = redis.call('XADD', key, 'MAXLEN', ARGV[1], string.format('%d', ms) .. '-*',
    'id', ARGV[i + 1], 't', ARGV[i + 2], 'ss', ARGV[i + 3], 'sub', ARGV[i + 4], 'cr', ARGV[i + 5],
    'op', ARGV[i + 6], 'tg', ARGV[i + 7], 'st', ARGV[i + 8], 'cd', ARGV[i + 9], 'cl', ARGV[i + 10])
end
redis.call('XTRIM', key, 'MINID', ARGV[2])
redis.call('PEXPIRE', key, ARGV[3])
return ids
