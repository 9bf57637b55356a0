package dev.sandgate.adapter.vertx;

import dev.sandgate.ports.access.AccessDecision;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.Optional;

/**
 * One WebSocket tunnel between a browser ({@code front}) and a preview's application ({@code backend}), both raw
 * sockets after the upgrade, relayed with backpressure both ways.
 *
 * <p>It ends when either side closes, when it has carried nothing either way for {@code idleTimeout} (close code
 * 1001), and when the credential that opened it lapses (its token or preview deleted or expired: close code 1008
 * with the reason), which {@link OpenGrants} reports. The broker's close frame goes to the browser at a frame
 * boundary of the application's stream ({@link WebSocketFrames}), never inside one of its frames; if the
 * application is in the middle of a frame and sends no more within {@link #CLOSE_GRACE}, the connection is cut.
 */
final class Tunnel {
    static final Duration CLOSE_GRACE = Duration.ofMillis(500);

    private final Vertx vertx;
    private final NetSocket front;
    private final NetSocket backend;
    private final OpenGrants grants;
    private final Optional<AccessDecision.Grant> grant;
    private final Duration idleTimeout;
    private final BrokerMeters meters;
    private final WebSocketFrames toBrowser = new WebSocketFrames();
    private OpenGrants.Registration registration = () -> {
    };
    private long idleTimer = -1;
    private long lastActivity;
    private Buffer pendingClose;
    private boolean closed;

    Tunnel(Vertx vertx, NetSocket front, NetSocket backend, OpenGrants grants, AccessDecision.Grant grant,
           Duration idleTimeout, BrokerMeters meters) {
        this.meters = meters;
        this.vertx = vertx;
        this.front = front;
        this.backend = backend;
        this.grants = grants;
        this.grant = Optional.ofNullable(grant);
        this.idleTimeout = idleTimeout;
    }

    /** Starts relaying; on the front socket's event loop. */
    void open() {
        var context = vertx.getOrCreateContext();
        meters.tunnelOpened();
        lastActivity = System.nanoTime();
        grant.ifPresent(g -> registration = grants.watch(g, standing ->
                context.runOnContext(v -> closeWith(1008, standing.reason()))));
        long period = Math.max(100, Math.min(60_000, idleTimeout.toMillis() / 10));
        idleTimer = vertx.setPeriodic(period, id -> {
            if (System.nanoTime() - lastActivity >= idleTimeout.toNanos()) {
                closeWith(1001, "idle for " + idleTimeout.toSeconds() + " s");
            }
        });
        backend.handler(this::fromBackend);
        front.handler(chunk -> {
            if (pendingClose != null || closed) {
                return;
            }
            lastActivity = System.nanoTime();
            meters.proxiedToSandbox(chunk.length());
            backend.write(chunk);
            if (backend.writeQueueFull()) {
                front.pause();
                backend.drainHandler(v -> front.resume());
            }
        });
        backend.endHandler(v -> shut());
        front.endHandler(v -> shut());
        backend.closeHandler(v -> shut());
        front.closeHandler(v -> shut());
        backend.exceptionHandler(e -> shut());
        front.exceptionHandler(e -> shut());
    }

    private void fromBackend(Buffer chunk) {
        if (closed) {
            return;
        }
        lastActivity = System.nanoTime();
        meters.proxiedToClient(chunk.length());
        if (pendingClose != null) {
            int boundary = toBrowser.feedToBoundary(chunk);
            if (boundary < 0) {
                front.write(chunk);
                return;
            }
            front.write(chunk.getBuffer(0, boundary));
            sendClose();
            return;
        }
        toBrowser.feed(chunk);
        front.write(chunk);
        if (front.writeQueueFull()) {
            backend.pause();
            front.drainHandler(v -> backend.resume());
        }
    }

    /** Closes the tunnel with a close frame to the browser, at the next frame boundary of the application's. */
    private void closeWith(int code, String reason) {
        if (closed || pendingClose != null) {
            return;
        }
        pendingClose = WebSocketFrames.closeFrame(code, reason);
        if (toBrowser.atBoundary()) {
            sendClose();
        } else {
            vertx.setTimer(CLOSE_GRACE.toMillis(), id -> shut());
        }
    }

    private void sendClose() {
        Buffer frame = pendingClose;
        backend.close();
        front.write(frame).onComplete(ar -> vertx.setTimer(CLOSE_GRACE.toMillis(), id -> shut()));
        front.end();
    }

    private void shut() {
        if (closed) {
            return;
        }
        closed = true;
        meters.tunnelClosed();
        registration.cancel();
        vertx.cancelTimer(idleTimer);
        backend.close();
        front.close();
    }
}
