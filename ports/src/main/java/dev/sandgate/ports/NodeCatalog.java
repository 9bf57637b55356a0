package dev.sandgate.ports;

import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.NodeInfo;
import dev.sandgate.domain.NodePlacement;
import dev.sandgate.domain.SandboxName;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The nodes of a cluster (brokers that run sandboxes) and which sandbox lives on which node. A node is live while
 * its last heartbeat is less than {@link #heartbeatTtl()} old; a node that stops beating is no longer live, but its
 * sandboxes stay assigned to it, so that they are served again when it comes back.
 */
public interface NodeCatalog {
    /** How long a heartbeat keeps a node live. */
    Duration heartbeatTtl();

    /** Registers a node, or renews its registration (and its URL): live until {@code now + heartbeatTtl()}. */
    void heartbeat(NodeId node, URI url, Instant now);

    /** Takes a node out at once (a clean shutdown); its sandboxes stay assigned to it. */
    void deregister(NodeId node);

    /** The nodes live at {@code now}, by id. */
    List<NodeInfo> liveNodes(Instant now);

    /** The node, if it is live at {@code now}. */
    default Optional<NodeInfo> liveNode(NodeId node, Instant now) {
        return liveNodes(now).stream().filter(n -> n.id().equals(node)).findFirst();
    }

    /** Records that a sandbox lives on a node; {@code Conflict} naming the node when it lives on another already. */
    void assign(SandboxName sandbox, NodeId node);

    /** The node a sandbox lives on, live or not. */
    Optional<NodeId> nodeOf(SandboxName sandbox);

    /** Forgets where a sandbox lives (it was deleted), returning the node it lived on. */
    Optional<NodeId> unassign(SandboxName sandbox);

    /**
     * Places a new sandbox by {@link NodePlacement} among the nodes live at {@code now} and assigns it there.
     * Brokers placing at the same instant may pick the same least-loaded node; a sandbox is never assigned twice.
     */
    default NodeInfo place(SandboxName sandbox, Optional<NodeId> requested, Instant now) {
        NodeInfo chosen = NodePlacement.choose(liveNodes(now), requested);
        assign(sandbox, chosen.id());
        return chosen;
    }
}
