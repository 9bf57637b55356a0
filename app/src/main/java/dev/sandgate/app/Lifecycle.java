package dev.sandgate.app;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resources the program opened, closed in reverse order of opening: the broker stops listening before the
 * gateway stops its processes and flushes its state, and Vert.x closes last. Providers register what they open;
 * {@link #close()} is idempotent and closes everything even when one resource fails.
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private record Resource(String name, AutoCloseable resource) {
    }

    private final Deque<Resource> resources = new ArrayDeque<>();
    private boolean closed;

    /** Registers a resource to close at shutdown; returns it. A resource registered after close is closed at once. */
    public <T extends AutoCloseable> T register(String name, T resource) {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(resource, "resource must not be null");
        boolean closeNow;
        synchronized (this) {
            closeNow = closed;
            if (!closeNow) {
                resources.push(new Resource(name, resource));
            }
        }
        if (closeNow) {
            closeQuietly(new Resource(name, resource));
        }
        return resource;
    }

    @Override
    public void close() {
        while (true) {
            Resource next;
            synchronized (this) {
                closed = true;
                next = resources.poll();
            }
            if (next == null) {
                return;
            }
            closeQuietly(next);
        }
    }

    private static void closeQuietly(Resource r) {
        try {
            r.resource().close();
            LOG.debug("closed {}", r.name());
        } catch (Exception e) {
            LOG.error("closing {} failed: {}", r.name(), e.toString());
        } catch (Error e) {
            LOG.error("closing {} failed: {}", r.name(), e.toString());
            throw e;
        }
    }
}
