package dev.sandgate.adapter.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.contract.AccessStoreContract;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis store keeps the behaviour every access store must have, on a real redis-server; each test has a
 * namespace of its own. Its raw data is every key and value of that namespace, as DUMP would copy them.
 */
class RedisAccessStoreContractTest extends AccessStoreContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected AccessStore newStore() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return RedisAccessStore.open(RedisEndpoint.parse(REDIS.url(0), Optional.empty()), key,
                "t" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Deletes every {@code sg.*} field of the store's hashes: the hash as it was written before they existed. */
    @Override
    protected AccessStore asWrittenBeforeScopes(AccessStore store) {
        RedisAccessStore redisStore = (RedisAccessStore) store;
        redisStore.withCommands(redis -> {
            for (String key : redis.keys(redisStore.keys().namespace() + ":*")) {
                if (redis.type(key).equals("hash")) {
                    for (String field : redis.hkeys(key)) {
                        if (field.startsWith("sg.")) {
                            redis.hdel(key, field);
                        }
                    }
                }
            }
        });
        assertThat(RedisDump.of(redisStore)).doesNotContain("sg.scope").contains("session-1");
        return store;
    }

    @Override
    protected String rawData(AccessStore store) {
        return RedisDump.of((RedisAccessStore) store);
    }

    @Override
    protected void closeStore(AccessStore store) {
        ((RedisAccessStore) store).close();
    }
}
