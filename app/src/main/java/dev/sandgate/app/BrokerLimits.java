package dev.sandgate.app;

import dev.sandgate.adapter.vertx.PreviewPorts;
import java.time.Duration;
import java.util.Objects;

/**
 * The broker's connection and size limits and where it serves application previews, as configured (see
 * {@link Setting} for their ranges).
 */
public record BrokerLimits(Duration idleTimeout, long bodyLimitBytes, int maxHeaderBytes, int maxInitialLineBytes,
                           Duration keepaliveInterval, int workerPoolSize, String upstreamHost,
                           PreviewPorts previewPorts, int authFailuresPerMinute, int maxConnectionsPerIp,
                           int tokenMintsPerMinute, java.util.Optional<String> previewDomain, long streamBufferBytes,
                           Duration tunnelIdleTimeout) {
    public BrokerLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout must not be null");
        Objects.requireNonNull(keepaliveInterval, "keepaliveInterval must not be null");
        Objects.requireNonNull(upstreamHost, "upstreamHost must not be null");
        Objects.requireNonNull(previewPorts, "previewPorts must not be null");
        Objects.requireNonNull(previewDomain, "previewDomain must not be null");
        Objects.requireNonNull(tunnelIdleTimeout, "tunnelIdleTimeout must not be null");
    }
}
