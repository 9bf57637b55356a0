package dev.sandgate.app;

import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.NodeInfo;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a broker takes part in a cluster: its node id and the URL the other brokers reach it at (both defaulting to
 * what the bound socket says), and the period of its heartbeat. Only a node (the local gateway with the Redis store)
 * uses the id and URL; a front (the cluster gateway) uses the period to judge the nodes.
 *
 * @param id        the node's name; empty: {@code <host name>:<port>}
 * @param url       where other brokers reach this node; empty: its own listening address
 * @param heartbeat how often the node renews its registration; it is dead three periods after the last one
 */
public record NodeSettings(Optional<NodeId> id, Optional<URI> url, Duration heartbeat) {
    public static final Duration MIN_HEARTBEAT = Duration.ofMillis(100);
    public static final Duration MAX_HEARTBEAT = Duration.ofMinutes(1);

    public NodeSettings {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(url, "url must not be null");
        Objects.requireNonNull(heartbeat, "heartbeat must not be null");
        url.ifPresent(NodeInfo::requireHttpUrl);
        if (heartbeat.compareTo(MIN_HEARTBEAT) < 0 || heartbeat.compareTo(MAX_HEARTBEAT) > 0) {
            throw new IllegalArgumentException("the node heartbeat " + heartbeat + " is out of range "
                    + MIN_HEARTBEAT + "-" + MAX_HEARTBEAT);
        }
    }

    /** No id, no URL (both from the bound socket), a heartbeat every five seconds. */
    public static NodeSettings defaults() {
        return new NodeSettings(Optional.empty(), Optional.empty(), Duration.ofSeconds(5));
    }

    public NodeSettings withId(NodeId id) {
        return new NodeSettings(Optional.of(id), url, heartbeat);
    }

    public NodeSettings withUrl(URI url) {
        return new NodeSettings(id, Optional.of(url), heartbeat);
    }

    public NodeSettings withHeartbeat(Duration heartbeat) {
        return new NodeSettings(id, url, heartbeat);
    }
}
