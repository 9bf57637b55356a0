package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.NodeInfo;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.NodeCatalog;
import dev.sandgate.ports.SandboxGateway;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a broker of a cluster needs to serve any request: which node it is (none for a front), the catalog of nodes
 * and of which sandbox lives where, the {@link ClusterCredential}, and the gateway that answers requests another
 * broker forwarded here (this node's own sandboxes only, so that a forwarded list is never aggregated again).
 *
 * <p>{@link #route} reads the catalog (Redis): call it off the event loop. The set of live nodes is read at most once
 * per {@link #LIVE_NODES_FOR}; the owner of a sandbox on every request (one {@code GET}).
 */
public final class Cluster {
    /** How long a read of the live nodes is used for. */
    static final Duration LIVE_NODES_FOR = Duration.ofMillis(500);

    private record Live(Instant read, Map<NodeId, NodeInfo> nodes) {
    }

    private final Optional<NodeId> self;
    private final NodeCatalog catalog;
    private final ClusterCredential credential;
    private final SandboxGateway forwardedGateway;
    private final Clock clock;
    private volatile Live live = new Live(Instant.MIN, Map.of());

    private Cluster(Optional<NodeId> self, NodeCatalog catalog, ClusterCredential credential,
                    SandboxGateway forwardedGateway, Clock clock) {
        this.self = self;
        this.catalog = Objects.requireNonNull(catalog, "catalog must not be null");
        this.credential = Objects.requireNonNull(credential, "credential must not be null");
        this.forwardedGateway = Objects.requireNonNull(forwardedGateway, "forwardedGateway must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /** A node: a broker that runs sandboxes, {@code own} being its local gateway. */
    public static Cluster node(NodeId self, NodeCatalog catalog, ClusterCredential credential, SandboxGateway own,
                               Clock clock) {
        return new Cluster(Optional.of(Objects.requireNonNull(self, "self must not be null")), catalog, credential,
                own, clock);
    }

    /** A front: it hosts no sandbox; {@code none} answers what is forwarded to it (nothing should be). */
    public static Cluster front(NodeCatalog catalog, ClusterCredential credential, SandboxGateway none, Clock clock) {
        return new Cluster(Optional.empty(), catalog, credential, none, clock);
    }

    public Optional<NodeId> self() {
        return self;
    }

    ClusterCredential credential() {
        return credential;
    }

    SandboxGateway forwardedGateway() {
        return forwardedGateway;
    }

    /**
     * Where a request for {@code sandbox} goes. On a node, a catalog that cannot be read serves the sandbox here
     * (the local gateway knows whether it has it); on a front, it fails with {@code STORE_UNAVAILABLE}.
     */
    NodeRoute route(SandboxName sandbox) {
        Optional<NodeId> owner;
        try {
            owner = catalog.nodeOf(sandbox);
        } catch (SandgateException.Unavailable e) {
            if (self.isPresent()) {
                return NodeRoute.HERE;
            }
            throw e;
        }
        if (owner.isEmpty() || owner.equals(self)) {
            return NodeRoute.HERE;
        }
        NodeInfo info = liveNodes().get(owner.get());
        return info == null ? new NodeRoute.Down(owner.get()) : new NodeRoute.There(info.id(), info.url());
    }

    private Map<NodeId, NodeInfo> liveNodes() {
        Instant now = clock.instant();
        Live seen = live;
        if (seen.read().isAfter(now.minus(LIVE_NODES_FOR)) && !seen.read().isAfter(now)) {
            return seen.nodes();
        }
        Map<NodeId, NodeInfo> read = catalog.liveNodes(now).stream()
                .collect(Collectors.toUnmodifiableMap(NodeInfo::id, Function.identity()));
        live = new Live(now, read);
        return read;
    }

    /** The answer for a sandbox whose node is down. */
    static SandgateException down(SandboxName sandbox, NodeId node, String why) {
        return SandgateException.Unavailable.node("sandbox " + sandbox + " lives on node " + node + ", which "
                + why + "; it is kept and served again once node " + node + " is back");
    }
}
