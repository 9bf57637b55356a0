package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.sandgate.adapter.vertx.Cluster;
import dev.sandgate.adapter.vertx.ClusterCredential;
import dev.sandgate.ports.NodeCatalog;
import dev.sandgate.ports.SandboxGateway;
import java.time.Clock;
import java.util.Optional;

/**
 * A front of a cluster ({@code --gateway=cluster}, with the Redis store): it hosts no sandbox. New sandboxes are
 * placed on a live node and created there; a list is every live node's; every other request for a sandbox is
 * forwarded to its node by the broker ({@link Cluster#front}). Fronts keep nothing of their own, so any number of
 * them can stand behind a load balancer.
 */
public final class ClusterGatewayModule extends AbstractModule {

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
        install(new StoreModule()); // the shared access store: the front checks nothing itself, but mints nothing either
        install(new CatalogModule());
    }

    /** The nodes run the processes and answer for their isolation: sessions are served. */
    @Provides
    @Singleton
    static SessionRefusal sessionRefusal() {
        return SessionRefusal.none();
    }

    @Provides
    @Singleton
    static SandboxGateway gateway(NodeCatalog catalog, NodeClients nodes, Clock clock) {
        return new NodeGateway(new NoSandboxes(), Optional.empty(), catalog, nodes, clock, true);
    }

    @Provides
    @Singleton
    static Optional<Cluster> cluster(NodeCatalog catalog, ClusterCredential credential, Clock clock) {
        return Optional.of(Cluster.front(catalog, credential, new NoSandboxes(), clock));
    }
}
