package dev.sandgate.adapter.redis;

/** Everything a store's namespace holds, keys and values, as text: what a copy of Redis would give a thief. */
final class RedisDump {
    private RedisDump() {
    }

    static String of(RedisAccessStore store) {
        StringBuilder all = new StringBuilder();
        store.withCommands(redis -> {
            for (String key : redis.keys(store.keys().namespace() + ":*")) {
                all.append(key).append('\n');
                switch (redis.type(key)) {
                    case "string" -> all.append(redis.get(key));
                    case "hash" -> all.append(redis.hgetall(key));
                    case "zset" -> all.append(redis.zrange(key, 0, -1));
                    default -> all.append(redis.type(key));
                }
                all.append('\n');
            }
        });
        return all.toString();
    }
}
