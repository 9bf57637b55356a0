package dev.sandgate.app;

import dev.sandgate.domain.NodeId;
import dev.sandgate.ports.NodeCatalog;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's registration in its cluster: one heartbeat when it starts serving, then one every period, each at the
 * injected clock's instant; a clean shutdown deregisters it at once (a node killed stops beating, and the others see
 * it dead {@link NodeCatalog#heartbeatTtl()} after its last heartbeat). A heartbeat that fails (Redis away) is logged
 * and the next one tried; the node is live again from its first heartbeat after.
 */
final class NodeHeartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);

    private final NodeCatalog catalog;
    private final NodeId node;
    private final URI url;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private volatile boolean failing;

    private NodeHeartbeat(NodeCatalog catalog, NodeId node, URI url, Clock clock) {
        this.catalog = catalog;
        this.node = node;
        this.url = url;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sandgate-node-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers the node now (failing when Redis does not take it), then every {@code period}. */
    static NodeHeartbeat start(NodeCatalog catalog, NodeId node, URI url, Duration period, Clock clock) {
        Objects.requireNonNull(catalog, "catalog must not be null");
        Objects.requireNonNull(node, "node must not be null");
        Objects.requireNonNull(url, "url must not be null");
        Objects.requireNonNull(period, "period must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        NodeHeartbeat beat = new NodeHeartbeat(catalog, node, url, clock);
        try {
            catalog.heartbeat(node, url, clock.instant());
        } catch (RuntimeException e) {
            beat.timer.shutdownNow();
            throw e;
        }
        beat.timer.scheduleAtFixedRate(beat::beat, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("node {} registered, reached at {}; a heartbeat every {} ms", node, url, period.toMillis());
        return beat;
    }

    private void beat() {
        try {
            catalog.heartbeat(node, url, clock.instant());
            if (failing) {
                failing = false;
                LOG.info("node {} beats again", node);
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("node {} could not renew its heartbeat: {}", node, e.getMessage());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        try {
            catalog.deregister(node);
            LOG.info("node {} deregistered", node);
        } catch (RuntimeException e) {
            LOG.warn("node {} could not deregister (it drops out when its heartbeat expires): {}", node,
                    e.getMessage());
        }
    }
}
