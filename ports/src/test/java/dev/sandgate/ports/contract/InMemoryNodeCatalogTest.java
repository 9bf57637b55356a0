package dev.sandgate.ports.contract;

import dev.sandgate.ports.NodeCatalog;
import java.time.Duration;

/** The in-memory catalog keeps the contract, so tests written over it see what the Redis one does. */
class InMemoryNodeCatalogTest extends NodeCatalogContract {
    @Override
    protected NodeCatalog newCatalog() {
        return new InMemoryNodeCatalog(Duration.ofSeconds(90));
    }
}
