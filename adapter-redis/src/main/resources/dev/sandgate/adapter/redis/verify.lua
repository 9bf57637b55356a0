-- KEYS: the index entry, the preview. Returns the index value (or ''), whether the preview exists, its expiry.
return {'OK', redis.call('GET', KEYS[1]) or '', redis.call('EXISTS', KEYS[2]),
        redis.call('HGET', KEYS[2], 'expires') or ''}
