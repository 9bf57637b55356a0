package dev.sandgate.adapter.vertx;

import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Carries an application's answer back to the client: its status and headers (hop-by-hop ones dropped, a redirect's
 * location put back under the preview's URL), then its body as it streams, pausing the application while the
 * client's connection cannot take more; or, for a WebSocket upgrade, the two sockets as a {@link Tunnel}.
 */
final class UpstreamRelay {
    private UpstreamRelay() {
    }

    /**
     * Relays {@code upstream} into the request's response. {@code location} rewrites a {@code Location} header;
     * {@code queryTokenCookie} is non-null when the request was let in by a query token: {@code Referrer-Policy:
     * no-referrer} is set and the cookie, if any, with it.
     */
    static void relay(RoutingContext ctx, HttpClientResponse upstream, UnaryOperator<String> location,
                      java.util.Optional<String> queryTokenCookie, BrokerMeters meters) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.headWritten()) {
            abandon(upstream);
            return;
        }
        // A refused WebSocket upgrade never read its request; let the connection move on.
        Exchange.resume(ctx.request());
        answerHead(response, upstream.statusCode(), upstream.statusMessage(), upstream.headers(),
                location, queryTokenCookie);
        relayBody(ctx.request(), upstream, response, () -> {
            meters.proxiedToSandbox(ctx.request().bytesRead());
            meters.proxiedToClient(response.bytesWritten());
        });
    }

    /**
     * Sets an application's answer's status and headers on the client's {@code response}, by the proxy's rules (for
     * Vert.x's client and {@link UpstreamExchange} alike): hop-by-hop headers dropped, a redirect's location put
     * back under the preview, and, for a request a query token let in ({@code queryTokenCookie} non-null), the
     * cookie and {@code Referrer-Policy: no-referrer}.
     */
    static void answerHead(HttpServerResponse response, int status, String message,
                           io.vertx.core.MultiMap headers, UnaryOperator<String> location,
                           java.util.Optional<String> queryTokenCookie) {
        response.setStatusCode(status);
        response.setStatusMessage(message);
        ProxyHeaders.copyAnswer(headers, response.headers(), false);
        String redirect = response.headers().get("Location");
        if (redirect != null) {
            response.headers().set("Location", location.apply(redirect));
        }
        if (queryTokenCookie != null) {
            // opened by ?bl_preview_token=: the page's later requests use the cookie, and nothing it loads leaks
            // the URL that carried the token
            queryTokenCookie.ifPresent(c -> response.headers().add("Set-Cookie", c));
            response.headers().set("Referrer-Policy", "no-referrer");
        }
    }

    /** Chunks the client's {@code response} when the application's answer has a body and no length. */
    static void chunkedUnlessSized(HttpServerRequest request, HttpServerResponse response, int status,
                                   io.vertx.core.MultiMap headers) {
        boolean bodiless = status == 204 || status == 304 || status < 200 || request.method() == HttpMethod.HEAD;
        if (!bodiless && !headers.contains(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true);
        }
    }

    /**
     * Relays an upstream answer's body into {@code response} (its status and headers already set), pausing the
     * upstream while the client's write queue is full; a client that goes away (a reloaded iframe) is not an error:
     * the upstream request is cancelled at once. {@code atEnd} runs when the upstream answer has ended.
     */
    static void relayBody(HttpServerRequest request, HttpClientResponse upstream, HttpServerResponse response,
                          Runnable atEnd) {
        chunkedUnlessSized(request, response, upstream.statusCode(), upstream.headers());
        response.closeHandler(v -> abandon(upstream));
        upstream.exceptionHandler(e -> {
            if (!response.closed() && !response.ended()) {
                response.reset();
            }
        });
        upstream.handler(chunk -> {
            if (response.closed() || response.ended()) {
                return;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                upstream.pause();
                response.drainHandler(v -> upstream.resume());
            }
        });
        upstream.endHandler(v -> {
            if (!response.closed() && !response.ended()) {
                response.end();
            }
            atEnd.run();
        });
    }

    /**
     * Cancels an upstream answer nobody will read. The reset reaches the answer as an exception; with no handler of
     * its own Vert.x would log it as an ERROR, once per cancelled load.
     */
    static void abandon(HttpClientResponse upstream) {
        upstream.exceptionHandler(e -> {
        });
        // chunks already received still drain: to nowhere, not into the closed answer
        upstream.handler(chunk -> {
        });
        upstream.endHandler(v -> {
        });
        upstream.request().reset();
    }

    /** Answers 101 with the application's upgrade headers and joins the two sockets. */
    static void tunnel(RoutingContext ctx, HttpClientResponse upstream, OpenGrants grants,
                       java.time.Duration idleTimeout, java.util.function.Consumer<io.vertx.core.http.HttpServerRequest> onUpgrade,
                       BrokerMeters meters) {
        HttpServerResponse response = ctx.response();
        response.setStatusCode(101);
        ProxyHeaders.copyAnswer(upstream.headers(), response.headers(), true);
        onUpgrade.accept(ctx.request());
        NetSocket backend = upstream.netSocket();
        dev.sandgate.ports.access.AccessDecision.Grant grant = ctx.get(BrokerServer.GRANT_KEY);
        ctx.request().toNetSocket().onComplete(ar -> {
            if (ar.failed()) {
                backend.close();
                return;
            }
            NetSocket front = ar.result();
            withoutIdleTimeout(front);
            new Tunnel(ctx.vertx(), front, backend, grants, grant, idleTimeout, meters).open();
        });
    }

    /**
     * A WebSocket may stay quiet for long (a dev server's reload channel sends nothing between edits, and browsers
     * send no pings), so a tunnel is exempt from the idle timeout that closes quiet HTTP connections; the tunnel's
     * own idle timeout ends it instead. Only a client that passed the preview's access check gets a tunnel. The
     * upstream side comes from a client without an idle timeout; the browser side has its connection's idle handler
     * removed (through Vert.x's internal stream-channel view, skipped if a later Vert.x hides it).
     */
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
}
