package dev.sandgate.adapter.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What every connection to the broker and to its preview origins goes through before any request is read.
 *
 * <ul>
 * <li><b>Header deadline:</b> a connection must deliver complete request headers within the deadline of opening
 * (and of the end of its previous answer), or it is closed; this stops a client that drips one byte at a time,
 * which the idle timeout alone does not (so a kept-alive connection waits at most that long for its next
 * request).</li>
 * <li><b>Per-address caps:</b> an address over {@link ClientLimits}' connection limit is closed at once. A
 * connection whose request carries the cluster's credential is another broker's, which forwards for many clients
 * from one address: from then on it is not counted. A connection that opens over the cap is not closed at once
 * while fewer than {@value #PROBATION_PER_ADDRESS} of its address wait so: its first request decides, within the
 * header deadline, and only a broker of the cluster's passes ({@link #headersArrived}); so a front that opens many
 * connections at once (after a node restarted, say) is not cut off, and a client's flood still is.</li>
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
    static final int PROBATION_PER_ADDRESS = 64;
    private final Vertx vertx;
    private final long deadlineNanos;
    private final Consumer<HttpConnection> onClose;
    private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set when serving starts (it needs the served clock); connections before that are not counted. */
    private volatile ClientLimits limits;
    /** Whether a request carries the cluster's credential (set with {@link #countWith}). */
    private volatile Predicate<HttpServerRequest> fromClusterBroker = request -> false;
    private final Map<String, Integer> onProbation = new ConcurrentHashMap<>();
    private volatile java.util.function.ObjLongConsumer<HttpServerRequest> answered = (request, nanos) -> {
    };

    /** One connection's deadline: armed from a {@link System#nanoTime()} instant, or off while a request runs. */
    private static final class Watch {
        final HttpConnection connection;
        volatile boolean armed;
        volatile long armedAt;
        /** It became a tunnel: the deadline is off for good. */
        volatile boolean upgraded;
        /** Counted against its address: until it closes, or shows that another broker of the cluster holds it. */
        final java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean();
        ClientLimits countedBy;
        String address;
        /** It opened over its address's cap: only a request from another broker of the cluster keeps it. */
        volatile boolean onProbation;
        /** Its first request was refused for the cap: it closes, and serves nothing before it does. */
        volatile boolean refused;
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

    /**
     * Counts connections per address from now on, except those {@code fromClusterBroker} finds a request of another
     * broker of the cluster on.
     */
    void countWith(ClientLimits limits, Predicate<HttpServerRequest> fromClusterBroker) {
        this.fromClusterBroker = java.util.Objects.requireNonNull(fromClusterBroker, "fromClusterBroker");
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
        watch.countedBy = counting;
        watch.address = address;
        watch.counted.set(counting != null);
        connection.closeHandler(v -> {
            Watch gone = watches.remove(connection);
            if (gone != null && gone.timer >= 0) {
                vertx.cancelTimer(gone.timer);
            }
            uncount(watch);
            endProbation(watch);
            onClose.accept(connection);
        });
        if (!allowed && !probation(watch)) {
            connection.close();
        }
    }

    /** Puts an over-cap connection on probation, unless too many of its address are already; whether it did. */
    private boolean probation(Watch watch) {
        boolean[] admitted = {false};
        onProbation.compute(watch.address, (a, n) -> {
            int waiting = n == null ? 0 : n;
            if (waiting >= PROBATION_PER_ADDRESS) {
                return n;
            }
            admitted[0] = true;
            return waiting + 1;
        });
        watch.onProbation = admitted[0];
        return admitted[0];
    }

    private void endProbation(Watch watch) {
        if (watch.onProbation) {
            watch.onProbation = false;
            onProbation.computeIfPresent(watch.address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    private static void uncount(Watch watch) {
        if (watch.counted.compareAndSet(true, false)) {
            watch.countedBy.connectionClosed(watch.address);
        }
    }

    /**
     * A request's headers are complete: disarm until its answer ends. A request of another broker of the cluster
     * takes its connection out of the count (that broker forwards for clients it counts itself). False when the
     * connection is over its address's cap and this request is not another broker's: it is then answered 429 here
     * and the connection closed, and the caller serves nothing.
     */
    boolean headersArrived(HttpServerRequest request) {
        long start = System.nanoTime();
        Watch watch = watches.get(request.connection());
        request.response().endHandler(v -> {
            answered.accept(request, System.nanoTime() - start);
            if (watch != null && !closed.get()) {
                watch.arm();
            }
        });
        if (watch == null) {
            return true;
        }
        watch.armed = false;
        if (!watch.refused && (watch.counted.get() || watch.onProbation)) {
            boolean broker = fromClusterBroker.test(request);
            if (broker) {
                uncount(watch);
            }
            watch.refused = !broker && watch.onProbation;
            endProbation(watch);
        }
        if (watch.refused) { // sticks: a request pipelined behind the refused one is refused too, not served
            refuseOverCap(request);
            return false;
        }
        return true;
    }

    /** Answers a request {@link #headersArrived} refused: 429, then the connection is closed. */
    private static void refuseOverCap(HttpServerRequest request) {
        request.response().setStatusCode(429)
                .putHeader("Content-Type", Exchange.JSON)
                .putHeader("Connection", "close")
                .end(new ApiError(429, "TOO_MANY_CONNECTIONS", "this address holds as many connections to the broker "
                        + "as it may (max-connections-per-ip): close some, or reuse them").controlBody().encode())
                .onComplete(v -> request.connection().close());
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
