package dev.sandgate.adapter.redis;

import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.NodeInfo;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.NodeCatalog;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The cluster's nodes and its sandbox→node catalog in Redis, beside the access store's keys (docs/scale-out.md):
 * <ul>
 *   <li>{@code <ns>:nodes}, a set: every node registered and not deregistered;</li>
 *   <li>{@code <ns>:n:<node>}, a hash: {@code url}, {@code hb} (the last heartbeat, ISO-8601) and {@code hbms};
 *       it expires {@link #heartbeatTtl()} after the last heartbeat ({@code PEXPIRE}), so a node that stops
 *       beating drops out by itself;</li>
 *   <li>{@code <ns>:sn:<sandbox>}, a string: the node the sandbox lives on;</li>
 *   <li>{@code <ns>:nsb:<node>}, a set: the sandboxes living on the node (its load, for placement).</li>
 * </ul>
 * A node is live when Redis still holds its hash and its last heartbeat is less than the TTL before the caller's
 * {@code now}; assignments outlive their node's heartbeat, so a node that comes back serves its sandboxes again.
 * Assigning is one Lua script: two brokers never place one sandbox on two nodes.
 */
public final class RedisNodeCatalog implements NodeCatalog, AutoCloseable {
    /** How many heartbeat periods a node stays live without a heartbeat. */
    public static final int MISSED_BEATS = 3;

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final String ns;
    private final RedisEndpoint endpoint;
    private final Duration ttl;
    /** False when the connection is the access store's, which closes it. */
    private final boolean ownsConnection;

    private RedisNodeCatalog(RedisClient client, StatefulRedisConnection<String, String> connection, String ns,
                             RedisEndpoint endpoint, Duration ttl, boolean ownsConnection) {
        this.ownsConnection = ownsConnection;
        this.client = client;
        this.connection = connection;
        this.redis = connection.sync();
        this.ns = ns;
        this.endpoint = endpoint;
        this.ttl = ttl;
    }

    /** The catalog of the default namespace, {@code sandgate}. */
    public static RedisNodeCatalog open(RedisEndpoint endpoint, Duration heartbeatPeriod) {
        return open(endpoint, "sandgate", heartbeatPeriod);
    }

    /**
     * Connects; a node stays live {@link #MISSED_BEATS} heartbeat periods after its last heartbeat. Fails with an
     * {@link IllegalStateException} naming the endpoint (never the password) when Redis does not answer.
     */
    public static RedisNodeCatalog open(RedisEndpoint endpoint, String namespace, Duration heartbeatPeriod) {
        Objects.requireNonNull(endpoint, "endpoint must not be null");
        Objects.requireNonNull(heartbeatPeriod, "heartbeatPeriod must not be null");
        if (heartbeatPeriod.toMillis() < 1) {
            throw new IllegalArgumentException("the heartbeat period must be at least a millisecond");
        }
        String ns = new RedisKeys(namespace, endpoint.database()).namespace();
        RedisClient client = LettuceClients.create(endpoint);
        try {
            StatefulRedisConnection<String, String> connection = client.connect(LettuceClients.uri(endpoint));
            connection.sync().ping();
            return new RedisNodeCatalog(client, connection, ns, endpoint, heartbeatPeriod.multipliedBy(MISSED_BEATS),
                    true);
        } catch (RedisException e) {
            LettuceClients.shutdown(client);
            throw new IllegalStateException("the node catalog at " + endpoint.describe() + " cannot be reached: "
                    + LettuceClients.describe(e), e);
        }
    }

    /**
     * The catalog on the access store's own command connection (its Redis, database and namespace): a broker then
     * holds one command connection to Redis rather than two, and the catalog is back exactly when the store is.
     * Closing the catalog leaves the connection to the store, which closes it.
     */
    public static RedisNodeCatalog sharing(RedisAccessStore store, Duration heartbeatPeriod) {
        Objects.requireNonNull(store, "store must not be null");
        Objects.requireNonNull(heartbeatPeriod, "heartbeatPeriod must not be null");
        if (heartbeatPeriod.toMillis() < 1) {
            throw new IllegalArgumentException("the heartbeat period must be at least a millisecond");
        }
        return new RedisNodeCatalog(store.client(), store.connection(), store.keys().namespace(), store.endpoint(),
                heartbeatPeriod.multipliedBy(MISSED_BEATS), false);
    }

    @Override
    public Duration heartbeatTtl() {
        return ttl;
    }

    @Override
    public void heartbeat(NodeId node, URI url, Instant now) {
        Objects.requireNonNull(node, "node must not be null");
        NodeInfo.requireHttpUrl(url);
        Objects.requireNonNull(now, "now must not be null");
        run(Scripts.NODE_HEARTBEAT, new String[]{nodes(), node(node)}, node.value(), url.toString(), now.toString(),
                Long.toString(now.toEpochMilli()), Long.toString(ttl.toMillis()));
    }

    @Override
    public void deregister(NodeId node) {
        Objects.requireNonNull(node, "node must not be null");
        run(Scripts.DEREGISTER_NODE, new String[]{nodes(), node(node)}, node.value());
    }

    @Override
    public List<NodeInfo> liveNodes(Instant now) {
        Objects.requireNonNull(now, "now must not be null");
        List<Object> out = run(Scripts.LIVE_NODES, new String[]{nodes()}, ns + ":n:", ns + ":nsb:");
        List<NodeInfo> live = new ArrayList<>();
        for (int i = 1; i + 3 < out.size(); i += 4) {
            try {
                NodeInfo info = new NodeInfo(NodeId.of(String.valueOf(out.get(i))),
                        URI.create(String.valueOf(out.get(i + 1))), ((Long) out.get(i + 3)).intValue(),
                        Instant.parse(String.valueOf(out.get(i + 2))));
                if (info.lastHeartbeat().plus(ttl).isAfter(now)) {
                    live.add(info);
                }
            } catch (RuntimeException unreadable) {
                // a record no node of this version wrote: not a live node
            }
        }
        live.sort(Comparator.comparing(n -> n.id().value()));
        return List.copyOf(live);
    }

    @Override
    public void assign(SandboxName sandbox, NodeId node) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(node, "node must not be null");
        List<Object> out = run(Scripts.ASSIGN, new String[]{sandboxNode(sandbox), ns + ":nsb:" + node.value()},
                node.value(), sandbox.value());
        if ("CONFLICT".equals(String.valueOf(out.get(0)))) {
            throw new SandgateException.Conflict("sandbox " + sandbox + " already lives on node " + out.get(1));
        }
    }

    @Override
    public Optional<NodeId> nodeOf(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        return Optional.ofNullable(call(() -> redis.get(sandboxNode(sandbox)))).map(NodeId::of);
    }

    @Override
    public Optional<NodeId> unassign(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        List<Object> out = run(Scripts.UNASSIGN, new String[]{sandboxNode(sandbox)}, ns + ":nsb:", sandbox.value());
        String node = String.valueOf(out.get(1));
        return node.isEmpty() ? Optional.empty() : Optional.of(NodeId.of(node));
    }

    private String nodes() {
        return ns + ":nodes";
    }

    private String node(NodeId node) {
        return ns + ":n:" + node.value();
    }

    private String sandboxNode(SandboxName sandbox) {
        return ns + ":sn:" + sandbox.value();
    }

    private List<Object> run(Scripts script, String[] keys, String... args) {
        return call(() -> Lua.run(redis, script, keys, args));
    }

    private <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (RedisException e) {
            throw SandgateException.Unavailable.store("the node catalog (Redis) is unavailable: "
                    + LettuceClients.describe(e), e);
        }
    }

    /** Runs {@code action} with the raw commands (for tests). */
    void withCommands(Consumer<RedisCommands<String, String>> action) {
        action.accept(redis);
    }

    @Override
    public void close() {
        if (ownsConnection) {
            connection.close();
            LettuceClients.shutdown(client);
        }
    }
}
