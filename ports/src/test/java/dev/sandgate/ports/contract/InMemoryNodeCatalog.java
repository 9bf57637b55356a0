package dev.sandgate.ports.contract;

import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.NodeInfo;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.NodeCatalog;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A {@link NodeCatalog} in one JVM's memory, for unit tests of what is written over the port. */
public final class InMemoryNodeCatalog implements NodeCatalog {
    private record Beat(URI url, Instant at) {
    }

    private final Duration ttl;
    private final Map<NodeId, Beat> beats = new HashMap<>();
    private final Map<SandboxName, NodeId> placed = new HashMap<>();

    public InMemoryNodeCatalog(Duration heartbeatTtl) {
        this.ttl = Objects.requireNonNull(heartbeatTtl, "heartbeatTtl must not be null");
    }

    @Override
    public Duration heartbeatTtl() {
        return ttl;
    }

    @Override
    public synchronized void heartbeat(NodeId node, URI url, Instant now) {
        beats.put(Objects.requireNonNull(node, "node must not be null"),
                new Beat(NodeInfo.requireHttpUrl(url), Objects.requireNonNull(now, "now must not be null")));
    }

    @Override
    public synchronized void deregister(NodeId node) {
        beats.remove(node);
    }

    @Override
    public synchronized List<NodeInfo> liveNodes(Instant now) {
        return beats.entrySet().stream().filter(e -> e.getValue().at().plus(ttl).isAfter(now))
                .map(e -> new NodeInfo(e.getKey(), e.getValue().url(),
                        (int) placed.values().stream().filter(e.getKey()::equals).count(), e.getValue().at()))
                .sorted(Comparator.comparing(n -> n.id().value())).toList();
    }

    @Override
    public synchronized void assign(SandboxName sandbox, NodeId node) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(node, "node must not be null");
        NodeId existing = placed.putIfAbsent(sandbox, node);
        if (existing != null && !existing.equals(node)) {
            throw new SandgateException.Conflict("sandbox " + sandbox + " already lives on node " + existing);
        }
    }

    @Override
    public synchronized Optional<NodeId> nodeOf(SandboxName sandbox) {
        return Optional.ofNullable(placed.get(sandbox));
    }

    @Override
    public synchronized Optional<NodeId> unassign(SandboxName sandbox) {
        return Optional.ofNullable(placed.remove(sandbox));
    }
}
