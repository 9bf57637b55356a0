package dev.sandgate.adapter.redis;

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

    @Override
    protected String rawData(AccessStore store) {
        return RedisDump.of((RedisAccessStore) store);
    }

    @Override
    protected void closeStore(AccessStore store) {
        ((RedisAccessStore) store).close();
    }
}
