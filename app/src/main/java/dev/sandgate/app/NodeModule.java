package dev.sandgate.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import dev.sandgate.adapter.local.LocalSandboxGateway;
import dev.sandgate.adapter.vertx.BrokerServer;
import dev.sandgate.adapter.vertx.Cluster;
import dev.sandgate.adapter.vertx.ClusterCredential;
import dev.sandgate.domain.NodeId;
import dev.sandgate.ports.NodeCatalog;
import dev.sandgate.ports.Readiness;
import dev.sandgate.ports.SandboxGateway;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Optional;

/**
 * A node of a cluster: the local gateway with the Redis store. Overrides {@link LocalGatewayModule}'s gateway with a
 * {@link NodeGateway} over the local sandboxes (placement, the catalog, lists of the whole cluster), makes the broker
 * a {@link Cluster} node that forwards requests for other nodes' sandboxes, and keeps the node registered
 * ({@link NodeHeartbeat}) from the moment the broker serves until it shuts down.
 */
final class NodeModule extends AbstractModule {

    /** The file of the data directory that keeps the node's id from one start to the next. */
    static final String ID_FILE = "node-id";

    /** The node's id and the URL other brokers reach it at. */
    record Self(NodeId id, URI url) {
    }

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
        install(new CatalogModule());
    }

    /**
     * The id from the settings, else the one this data directory's node had ({@code <data-dir>/node-id}), else
     * {@code <host name>:<port>}, kept there: the sandboxes live in the data directory, so a node that comes back on
     * it (on another port, say) is the same node and serves them again. The URL from the settings, else the broker's
     * listening address.
     */
    @Provides
    @Singleton
    static Self self(AppSettings settings, BrokerServer.Prepared bound) {
        NodeId id = settings.node().id().orElseGet(() -> keptId(settings.dataDir(),
                () -> NodeId.of(hostName() + ":" + bound.actualPort())));
        URI url = settings.node().url().orElseGet(() -> URI.create("http://" + listeningHost(settings.host()) + ":"
                + bound.actualPort()));
        return new Self(id, url);
    }

    @Provides
    @Singleton
    static NodeGateway nodeGateway(LocalSandboxGateway local, Self self, NodeCatalog catalog, NodeClients nodes,
                                   Clock clock) {
        return new NodeGateway(local, Optional.of(self.id()), catalog, nodes, clock, true);
    }

    @Provides
    @Singleton
    static SandboxGateway gateway(NodeGateway node) {
        return node;
    }

    @Provides
    @Singleton
    static Optional<Cluster> cluster(Self self, NodeCatalog catalog, ClusterCredential credential, NodeGateway node,
                                     Clock clock) {
        return Optional.of(Cluster.node(self.id(), catalog, credential, node.forwarded(), clock));
    }

    /**
     * {@code node}: this node's heartbeat record is in the catalog and fresh, so other brokers forward to it and
     * place sandboxes on it. A node whose record is gone (Redis restarted empty, a removal by hand, a heartbeat
     * that could not be written for three periods) is not ready until its next heartbeat registers it again.
     */
    @ProvidesIntoSet
    static Readiness nodeReadiness(Self self, NodeCatalog catalog, Clock clock) {
        return Readiness.of("node", () -> {
            try {
                return catalog.liveNode(self.id(), clock.instant()).isPresent() ? Readiness.Result.passing()
                        : Readiness.Result.failing("node " + self.id() + " is not registered in the cluster's catalog"
                                + " (no fresh heartbeat record); it registers again with its next heartbeat");
            } catch (RuntimeException e) {
                return Readiness.Result.failing("the node catalog (Redis) cannot be read");
            }
        });
    }

    /** Registered once the broker serves (it depends on it), and deregistered before the broker stops. */
    @Provides
    @Singleton
    static NodeHeartbeat heartbeat(BrokerServer broker, Self self, NodeCatalog catalog, AppSettings settings,
                                   Clock clock, Lifecycle lifecycle) {
        return lifecycle.register("the node's heartbeat", NodeHeartbeat.start(catalog, self.id(), self.url(),
                settings.node().heartbeat(), clock));
    }

    private static NodeId keptId(Path dataDir, Supplier<NodeId> fresh) {
        Path file = dataDir.resolve(ID_FILE);
        try {
            if (Files.exists(file)) {
                return NodeId.of(Files.readString(file, StandardCharsets.US_ASCII).strip());
            }
            NodeId id = fresh.get();
            Files.createDirectories(dataDir);
            Files.writeString(file, id.value() + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            return id;
        } catch (IOException e) {
            throw new IllegalStateException("the node id in " + file + " cannot be read or written: " + e.getMessage(),
                    e);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(file + " does not hold a node id (" + e.getMessage() + "); set "
                    + Setting.NODE_ID.flag() + " or remove the file");
        }
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return NodeIdShape.fits(name) ? name : "localhost";
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String listeningHost(String host) {
        String reachable = switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]", "0:0:0:0:0:0:0:0" -> "::1";
            default -> host;
        };
        return reachable.contains(":") && !reachable.startsWith("[") ? "[" + reachable + "]" : reachable;
    }

    /** Whether a host name can start a node id. */
    private static final class NodeIdShape {
        static boolean fits(String name) {
            try {
                NodeId.of(name + ":1");
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
