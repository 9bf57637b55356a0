package dev.sandgate.domain;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * A node as the cluster knows it: where other brokers reach it, how many sandboxes live on it, and when it last said
 * it was alive.
 *
 * @param url           the base URL other brokers use to reach it ({@code http} or {@code https}, absolute)
 * @param sandboxes     how many sandboxes the catalog places on it
 * @param lastHeartbeat the instant of its last heartbeat, by its own clock
 */
public record NodeInfo(NodeId id, URI url, int sandboxes, Instant lastHeartbeat) {
    public NodeInfo {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(url, "url must not be null");
        Objects.requireNonNull(lastHeartbeat, "lastHeartbeat must not be null");
        requireHttpUrl(url);
        if (sandboxes < 0) {
            throw new IllegalArgumentException("sandboxes must not be negative, was " + sandboxes);
        }
    }

    /** Checks that {@code url} can be a node's address: absolute {@code http(s)} with a host. */
    public static URI requireHttpUrl(URI url) {
        Objects.requireNonNull(url, "url must not be null");
        String scheme = url.getScheme();
        if (!url.isAbsolute() || url.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
            throw new IllegalArgumentException("node url '" + Names.printable(url.toString())
                    + "' is invalid: give an absolute http or https URL with a host");
        }
        return url;
    }
}
