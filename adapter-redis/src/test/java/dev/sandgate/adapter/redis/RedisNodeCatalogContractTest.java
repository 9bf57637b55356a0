package dev.sandgate.adapter.redis;

import dev.sandgate.ports.NodeCatalog;
import dev.sandgate.ports.contract.NodeCatalogContract;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis catalog keeps the behaviour every node catalog must have, on a real redis-server. */
class RedisNodeCatalogContractTest extends NodeCatalogContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    protected NodeCatalog newCatalog() {
        return RedisNodeCatalog.open(RedisEndpoint.parse(REDIS.url(0), Optional.empty()),
                "t" + UUID.randomUUID().toString().substring(0, 8), Duration.ofSeconds(30));
    }

    @Override
    protected void closeCatalog(NodeCatalog catalog) {
        ((RedisNodeCatalog) catalog).close();
    }
}
