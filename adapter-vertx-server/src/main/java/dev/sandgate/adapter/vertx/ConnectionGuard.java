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
 *
 * <p>Each connection has one timer at a time, not one per request: a request's headers and the end of its answer
 * only write two fields, and the timer, when it fires, closes the connection if its deadline has passed, or sets
 * itself again for what is left (for a whole deadline while a request is in flight). Setting and cancelling a timer
 * on every request was about 2 % of the preview proxy's CPU (docs/benchmarks.md).
 */
final class ConnectionGuard {
    private final Vertx vertx;
    private final long deadlineNanos;
    private final Consumer<HttpConnection> onClose;
    private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set when serving starts (it needs the served clock); connections before that are not counted. */
    private volatile ClientLimits limits;
    private volatile java.util.function.ObjLongConsumer<HttpServerRequest> answered = (request, nanos) -> {
    };

    /** One connection's deadline: armed from a {@link System#nanoTime()} instant, or off while a request runs. */
    private static final class Watch {
        final HttpConnection connection;
        volatile boolean armed;
        volatile long armedAt;
        /** It became a tunnel: the deadline is off for good. */
        volatile boolean upgraded;
        volatile long timer = -1;

        Watch(HttpConnection connection) {
            this.connection = connection;
        }

        void arm() {
            armedAt = System.nanoTime();
            armed = true;
        }
    }

    ConnectionGuard(Vertx vertx, Duration headerDeadline, Consumer<HttpConnection> onClose) {
        this.vertx = vertx;
        this.deadlineNanos = headerDeadline.toNanos();
        this.onClose = onClose;
    }

    /** Counts connections per address from now on. */
    void countWith(ClientLimits limits) {
        this.limits = limits;
    }

    /** A connection opened: arm its deadline, count it, close it when its address is over the cap. */
    void opened(HttpConnection connection) {
        Watch watch = new Watch(connection);
        watch.arm();
        watches.put(connection, watch);
        check(watch);
        ClientLimits counting = limits;
        String address = Failures.address(connection.remoteAddress());
        boolean allowed = counting == null || counting.connectionOpened(address);
        connection.closeHandler(v -> {
            Watch gone = watches.remove(connection);
            if (gone != null && gone.timer >= 0) {
                vertx.cancelTimer(gone.timer);
            }
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
        Watch watch = watches.get(request.connection());
        if (watch != null) {
            watch.armed = false;
        }
        request.response().endHandler(v -> {
            answered.accept(request, System.nanoTime() - start);
            if (watch != null && !closed.get()) {
                watch.arm();
            }
        });
    }

    /** Told of every answer that ends, with the nanoseconds since its request's headers arrived (metrics). */
    void observeAnswers(java.util.function.ObjLongConsumer<HttpServerRequest> observer) {
        answered = java.util.Objects.requireNonNull(observer, "observer must not be null");
    }

    /** The request's connection became a tunnel. */
    void upgraded(HttpServerRequest request) {
        Watch watch = watches.get(request.connection());
        if (watch != null) {
            watch.upgraded = true;
            watch.armed = false;
        }
    }

    /** No deadline is armed again (the broker is closing). */
    void close() {
        closed.set(true);
    }

    /** Closes the connection if its deadline has passed; otherwise looks again when it would. */
    private void check(Watch watch) {
        if (watch.upgraded || closed.get() || watches.get(watch.connection) != watch) {
            return;
        }
        long left = watch.armed ? watch.armedAt + deadlineNanos - System.nanoTime() : deadlineNanos;
        if (watch.armed && left <= 0) {
            watches.remove(watch.connection, watch);
            watch.connection.close();
            return;
        }
        long millis = Math.max(1, (left + 999_999) / 1_000_000);
        watch.timer = vertx.setTimer(millis, t -> check(watch));
    }
}
