package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.redis.RedisAccessStore;
import dev.sandgate.adapter.redis.RedisEndpoint;
import dev.sandgate.adapter.redis.RedisNodeCatalog;
import dev.sandgate.adapter.vertx.ClusterCredential;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.NodeCatalog;

/**
 * What every broker of a cluster shares besides the access store: the catalog of nodes and of where each sandbox
 * lives ({@link RedisNodeCatalog}, beside the store's keys), the {@link ClusterCredential} brokers show each other,
 * derived from the token key they share (so nothing new is distributed), and the clients of the other nodes.
 * Installed by {@link NodeModule} and {@link ClusterGatewayModule}.
 */
final class CatalogModule extends AbstractModule {

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
    }

    /** On the access store's own Redis connection: one command connection per broker, back when the store is. */
    @Provides
    @Singleton
    static NodeCatalog nodeCatalog(AppSettings settings, AccessStore store, Lifecycle lifecycle) {
        RedisEndpoint redis = settings.store().redis().orElseThrow(() -> new ConfigurationException(
                "a cluster needs the redis store: set " + Setting.STORE.flag() + "=redis"));
        return lifecycle.register("the node catalog", store instanceof RedisAccessStore shared
                ? RedisNodeCatalog.sharing(shared, settings.node().heartbeat())
                : RedisNodeCatalog.open(redis, settings.node().heartbeat()));
    }

    @Provides
    @Singleton
    static ClusterCredential clusterCredential(AppSettings settings) {
        return ClusterCredential.derive(FileAccessStore.loadOrCreateKey(settings.store().tokenKeyFile(), true));
    }

    @Provides
    @Singleton
    static NodeClients nodeClients(ApiKey apiKey, AppSettings settings, ClusterCredential credential,
                                   Lifecycle lifecycle) {
        return lifecycle.register("the other nodes' clients", new NodeClients(apiKey.value(), settings.workspace(),
                credential));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CatalogModule;
    }

    @Override
    public int hashCode() {
        return CatalogModule.class.hashCode();
    }
}
