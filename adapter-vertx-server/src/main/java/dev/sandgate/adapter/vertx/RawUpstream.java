package dev.sandgate.adapter.vertx;

import io.netty.handler.codec.http.HttpClientCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keep-alive HTTP/1.1 connections to preview origins, for plain (non-WebSocket) proxied requests: raw Vert.x
 * sockets with Netty's own HTTP codec in their pipelines ({@link HttpClientCodec}), pooled per event loop and per
 * origin address. The preview proxy writes Netty's request objects to such a connection and reads Netty's response
 * objects from it ({@link UpstreamExchange}), without the request, response and future objects Vert.x's HTTP client
 * makes for each request: that client was most of what a proxied request cost beyond nginx (docs/benchmarks.md).
 *
 * <p>A connection is only ever used on the event loop that opened it (a request made elsewhere opens one for itself
 * and closes it after), and holds one request at a time. At most {@value #MAX_IDLE} idle connections are kept per
 * event loop and origin; an idle one the origin closed is dropped when it is next taken.
 */
final class RawUpstream {
    static final int MAX_IDLE = 64;

    private final NetClient net;
    private final Map<Thread, Map<SocketAddress, ArrayDeque<NetSocketInternal>>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    RawUpstream(Vertx vertx, Duration idleTimeout) {
        this.net = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout(5_000)
                .setTcpNoDelay(true)
                .setIdleTimeout((int) Math.max(1, idleTimeout.toSeconds())));
    }

    /** A connection to {@code server}, idle or new, its codec in place; to be given back or closed. */
    Future<NetSocketInternal> take(SocketAddress server) {
        ArrayDeque<NetSocketInternal> ready = idleOn(server);
        if (ready != null) {
            NetSocketInternal socket;
            while ((socket = ready.pollLast()) != null) {
                if (socket.channelHandlerContext().channel().isActive()) {
                    return Future.succeededFuture(socket);
                }
            }
        }
        return net.connect(server).map(s -> {
            NetSocketInternal socket = (NetSocketInternal) s;
            socket.channelHandlerContext().pipeline().addBefore("handler", "http",
                    new HttpClientCodec(16 * 1024, 64 * 1024, 8 * 1024));
            return socket;
        });
    }

    /** Gives back a connection whose last answer ended whole and that stays open; closes it otherwise. */
    void giveBack(SocketAddress server, NetSocketInternal socket) {
        socket.messageHandler(msg -> { // an idle connection is sent nothing: one that is sent an answer is closed
            io.netty.util.ReferenceCountUtil.release(msg);
            socket.close();
        });
        socket.exceptionHandler(e -> socket.close());
        socket.closeHandler(null);
        socket.drainHandler(null);
        socket.resume();
        if (closed || !Context.isOnEventLoopThread() || !socket.channelHandlerContext().channel().isActive()) {
            socket.close();
            return;
        }
        ArrayDeque<NetSocketInternal> ready = idle.computeIfAbsent(Thread.currentThread(),
                t -> new ConcurrentHashMap<>()).computeIfAbsent(server, a -> new ArrayDeque<>());
        if (ready.size() >= MAX_IDLE) {
            socket.close();
            return;
        }
        ready.addLast(socket);
    }

    private ArrayDeque<NetSocketInternal> idleOn(SocketAddress server) {
        if (closed || !Context.isOnEventLoopThread()) {
            return null;
        }
        Map<SocketAddress, ArrayDeque<NetSocketInternal>> byServer = idle.get(Thread.currentThread());
        return byServer == null ? null : byServer.get(server);
    }

    Future<Void> close() {
        closed = true;
        return net.close();
    }
}
