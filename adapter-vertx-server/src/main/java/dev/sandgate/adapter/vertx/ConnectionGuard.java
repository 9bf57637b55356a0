package dev.sandgate.adapter.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What every connection to the broker and to its preview origins goes through before any request is read.
 *
 * <ul>
 * <li><b>Header deadline:</b> a connection must deliver complete request headers within the deadline of opening
 * (and of the end of its previous answer), or it is closed; this stops a client that drips one byte at a time,
 * which the idle timeout alone does not (so a kept-alive connection waits at most that long for its next
 * request).</li>
 * <li><b>Per-address caps:</b> an address over {@link ClientLimits}' connection limit is closed at once.</li>
 * <li><b>Upgrades:</b> a connection that became a WebSocket tunnel is exempt from the deadline for good.</li>
 * <li><b>Closing:</b> whoever must know that a connection closed (the {@link AccessLog}) is told.</li>
 * </ul>
 */
final class ConnectionGuard {
    private final Vertx vertx;
    private final Duration headerDeadline;
    private final Consumer<HttpConnection> onClose;
    private final Map<HttpConnection, Long> deadlines = new ConcurrentHashMap<>();
    /** Connections that became a tunnel (WebSocket); their header deadline is off for good. */
    private final Map<HttpConnection, Boolean> upgraded = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set when serving starts (it needs the served clock); connections before that are not counted. */
    private volatile ClientLimits limits;
    private volatile java.util.function.ObjLongConsumer<HttpServerRequest> answered = (request, nanos) -> {
    };

    ConnectionGuard(Vertx vertx, Duration headerDeadline, Consumer<HttpConnection> onClose) {
        this.vertx = vertx;
        this.headerDeadline = headerDeadline;
        this.onClose = onClose;
    }

    /** Counts connections per address from now on. */
    void countWith(ClientLimits limits) {
        this.limits = limits;
    }

    /** A connection opened: arm its deadline, count it, close it when its address is over the cap. */
    void opened(HttpConnection connection) {
        arm(connection);
        ClientLimits counting = limits;
        String address = Failures.address(connection.remoteAddress());
        boolean allowed = counting == null || counting.connectionOpened(address);
        connection.closeHandler(v -> {
            Long timer = deadlines.remove(connection);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            upgraded.remove(connection);
            if (counting != null) {
                counting.connectionClosed(address);
            }
            onClose.accept(connection);
        });
        if (!allowed) {
            connection.close();
        }
    }

    /** A request's headers are complete: disarm until its answer ends. */
    void headersArrived(HttpServerRequest request) {
        long start = System.nanoTime();
        HttpConnection connection = request.connection();
        Long timer = deadlines.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
        request.response().endHandler(v -> {
            answered.accept(request, System.nanoTime() - start);
            if (!closed.get()) {
                arm(connection);
            }
        });
    }

    /** Told of every answer that ends, with the nanoseconds since its request's headers arrived (metrics). */
    void observeAnswers(java.util.function.ObjLongConsumer<HttpServerRequest> observer) {
        answered = java.util.Objects.requireNonNull(observer, "observer must not be null");
    }

    /** The request's connection became a tunnel. */
    void upgraded(HttpServerRequest request) {
        upgraded.put(request.connection(), Boolean.TRUE);
    }

    /** No deadline is armed again (the broker is closing). */
    void close() {
        closed.set(true);
    }

    private void arm(HttpConnection connection) {
        if (upgraded.containsKey(connection)) {
            return;
        }
        long timer = vertx.setTimer(headerDeadline.toMillis(), t -> {
            deadlines.remove(connection);
            connection.close();
        });
        Long previous = deadlines.put(connection, timer);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
    }
}
