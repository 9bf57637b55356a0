package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.SandboxName;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Relays a request for a sandbox of another node to that node, as it came (method, raw path and query, headers,
 * body streamed with backpressure), with the {@link ClusterCredential} added, and the answer back as it goes; a
 * WebSocket upgrade becomes a tunnel of raw sockets once the node answered 101 (the node's own tunnel does the rest:
 * idle timeout, revocation). Hop-by-hop headers are dropped both ways; the client's credentials pass unchanged, since
 * the node decides on them itself. A node that refuses the connection or does not answer gives 503
 * {@code NODE_UNAVAILABLE} naming it; once the answer started, a failure resets the client's connection.
 */
final class ClusterForwarder {
    private final HttpClient client;
    private final HttpClient tunnels;
    private final ClusterCredential credential;
    private final Consumer<HttpServerRequest> onUpgrade;
    private final Consumer<HttpServerRequest> onUnauthorized;
    private final AtomicLong forwarded = new AtomicLong();
    private final BrokerMeters meters;

    ClusterForwarder(Vertx vertx, ClusterCredential credential, Duration idleTimeout,
                     Consumer<HttpServerRequest> onUpgrade, Consumer<HttpServerRequest> onUnauthorized,
                     BrokerMeters meters) {
        this.meters = meters;
        this.credential = credential;
        this.onUpgrade = onUpgrade;
        this.onUnauthorized = onUnauthorized;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout(5_000)
                        .setIdleTimeout((int) Math.max(1, idleTimeout.toSeconds()))
                        .setMaxHeaderSize(64 * 1024)
                        .setMaxInitialLineLength(16 * 1024)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(64));
        this.tunnels = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout(5_000)
                        .setMaxHeaderSize(64 * 1024)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(256));
    }

    /** How many requests this broker forwarded to other nodes. */
    long forwardedCount() {
        return forwarded.get();
    }

    /** Forwards the (paused) request to {@code node} at {@code url}. */
    void forward(RoutingContext ctx, SandboxName sandbox, NodeId node, URI url) {
        forward(ctx, sandbox, node, url, false, () -> {
        });
    }

    /**
     * Forwards a (paused) request for a host-named preview to {@code node} at {@code url}, with its own {@code Host}
     * (the node finds the preview from it); {@code gone} runs when the node answers 404.
     */
    void forwardHostNamed(RoutingContext ctx, SandboxName sandbox, NodeId node, URI url, Runnable gone) {
        forward(ctx, sandbox, node, url, true, gone);
    }

    private void forward(RoutingContext ctx, SandboxName sandbox, NodeId node, URI url, boolean keepHost,
                         Runnable gone) {
        HttpServerRequest request = ctx.request();
        boolean webSocket = PreviewProxy.isWebSocketUpgrade(request);
        int port = url.getPort() > 0 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        RequestOptions options = new RequestOptions()
                .setHost(url.getHost())
                .setPort(port)
                .setSsl(url.getScheme().equalsIgnoreCase("https"))
                .setMethod(request.method())
                .setURI(request.path() + (request.query() == null ? "" : "?" + request.query()))
                .setHeaders(headersFor(request, url, webSocket, keepHost));
        forwarded.incrementAndGet();
        meters.forwarded();
        (webSocket ? tunnels : client).request(options).onComplete(ar -> {
            if (ar.failed()) {
                unreachable(ctx, sandbox, node, url);
                return;
            }
            HttpClientRequest out = ar.result();
            out.exceptionHandler(e -> {
            });
            if (webSocket) {
                out.connect().onComplete(res -> {
                    if (res.failed()) {
                        unreachable(ctx, sandbox, node, url);
                    } else if (res.result().statusCode() == 101) {
                        tunnel(ctx, res.result());
                    } else {
                        relay(ctx, res.result(), gone);
                    }
                });
                return;
            }
            boolean hasBody = request.headers().contains(HttpHeaders.CONTENT_LENGTH)
                    || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
            if (hasBody && !request.isEnded()) {
                if (!request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                    out.setChunked(true);
                }
                out.send(request).onComplete(res -> answer(ctx, res, sandbox, node, url, gone));
            } else {
                Exchange.resume(request);
                out.send().onComplete(res -> answer(ctx, res, sandbox, node, url, gone));
            }
        });
    }

    private void answer(RoutingContext ctx, io.vertx.core.AsyncResult<HttpClientResponse> res, SandboxName sandbox,
                        NodeId node, URI url, Runnable gone) {
        if (res.failed()) {
            unreachable(ctx, sandbox, node, url);
        } else {
            relay(ctx, res.result(), gone);
        }
    }

    private MultiMap headersFor(HttpServerRequest request, URI url, boolean webSocket, boolean keepHost) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        // the preview proxy's hop-by-hop rules, one definition; Host is set below, and the cluster's credential
        // only ever comes from this broker
        List<String> named = ProxyHeaders.connectionNamed(request.headers());
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey();
            if (ProxyHeaders.isHopByHop(name, named) || name.equalsIgnoreCase("host")
                    || name.equalsIgnoreCase(ClusterCredential.HEADER)) {
                continue;
            }
            out.add(h.getKey(), h.getValue());
        }
        if (webSocket) {
            out.set("Upgrade", "websocket");
            out.set("Connection", "Upgrade");
        }
        // the node may know itself by another name than the one clients use: it takes this one from a broker;
        // a host-named preview keeps its own, which names the preview
        String host = request.getHeader("Host");
        out.set("Host", keepHost && host != null ? host : url.getRawAuthority());
        String client = Failures.address(request.remoteAddress());
        if (!client.isEmpty()) {
            String before = request.getHeader("X-Forwarded-For");
            out.set("X-Forwarded-For", before == null ? client : before + ", " + client);
        }
        out.set(ClusterCredential.HEADER, credential.headerValue());
        return out;
    }

    private void relay(RoutingContext ctx, HttpClientResponse upstream, Runnable gone) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.headWritten()) {
            UpstreamRelay.abandon(upstream);
            return;
        }
        Exchange.resume(ctx.request());
        if (upstream.statusCode() == 401) {
            onUnauthorized.accept(ctx.request());
        } else if (upstream.statusCode() == 404) {
            gone.run();
        }
        response.setStatusCode(upstream.statusCode());
        response.setStatusMessage(upstream.statusMessage());
        ProxyHeaders.copyAnswer(upstream.headers(), response.headers(), false);
        UpstreamRelay.relayBody(ctx.request(), upstream, response, () -> {
        });
    }

    private void tunnel(RoutingContext ctx, HttpClientResponse upstream) {
        HttpServerResponse response = ctx.response();
        response.setStatusCode(101);
        ProxyHeaders.copyAnswer(upstream.headers(), response.headers(), true);
        onUpgrade.accept(ctx.request());
        NetSocket backend = upstream.netSocket();
        ctx.request().toNetSocket().onComplete(ar -> {
            if (ar.failed()) {
                backend.close();
                return;
            }
            NetSocket front = ar.result();
            withoutIdleTimeout(front);
            front.closeHandler(v -> backend.close());
            backend.closeHandler(v -> front.close());
            front.exceptionHandler(e -> front.close());
            backend.exceptionHandler(e -> backend.close());
            front.pipeTo(backend);
            backend.pipeTo(front);
        });
    }

    private static void unreachable(RoutingContext ctx, SandboxName sandbox, NodeId node, URI url) {
        if (!ctx.response().closed() && !ctx.response().headWritten()) {
            Exchange.resume(ctx.request());
            ctx.fail(Cluster.down(sandbox, node, "does not answer at " + url));
        }
    }

    /** As the preview proxy's tunnels: an upgraded connection is exempt from the idle timeout. */
    private static void withoutIdleTimeout(NetSocket socket) {
        if (socket instanceof io.vertx.core.internal.net.StreamChannelInternal internal) {
            io.netty.channel.ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
            for (Map.Entry<String, io.netty.channel.ChannelHandler> handler : pipeline) {
                if (handler.getValue() instanceof io.netty.handler.timeout.IdleStateHandler) {
                    pipeline.remove(handler.getValue());
                }
            }
        }
    }

    io.vertx.core.Future<Void> close() {
        return client.close().compose(v -> tunnels.close());
    }
}
