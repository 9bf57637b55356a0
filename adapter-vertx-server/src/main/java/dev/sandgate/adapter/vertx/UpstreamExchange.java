package dev.sandgate.adapter.vertx;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One plain proxied request on a {@link RawUpstream} connection: the request's head and body out as Netty's HTTP
 * objects, the answer's back into the client's response, with the rules {@link UpstreamRelay} applies to an answer
 * of Vert.x's client (hop-by-hop headers dropped, a redirect put back under the preview, the query token's cookie
 * and {@code Referrer-Policy}, backpressure both ways, a client gone cancels the upstream request). The connection
 * goes back to the pool only when the answer ended whole and both sides would keep it.
 */
final class UpstreamExchange {
    private final RoutingContext ctx;
    private final RawUpstream pool;
    private final SocketAddress server;
    private final NetSocketInternal socket;
    private final UnaryOperator<String> location;
    private final Optional<String> queryTokenCookie;
    private final Runnable failedBeforeAnswer;
    private final Runnable atEnd;
    private boolean headWritten;
    private boolean ended;
    private boolean keepAlive;

    private UpstreamExchange(RoutingContext ctx, RawUpstream pool, SocketAddress server, NetSocketInternal socket,
                             UnaryOperator<String> location, Optional<String> queryTokenCookie,
                             Runnable failedBeforeAnswer, Runnable atEnd) {
        this.ctx = ctx;
        this.pool = pool;
        this.server = server;
        this.socket = socket;
        this.location = location;
        this.queryTokenCookie = queryTokenCookie;
        this.failedBeforeAnswer = failedBeforeAnswer;
        this.atEnd = atEnd;
    }

    /**
     * Sends {@code request} (its upstream URI and headers given) on {@code socket} and relays the answer.
     * {@code queryTokenCookie} is non-null when a query token let the request in.
     */
    static void send(RoutingContext ctx, RawUpstream pool, SocketAddress server, NetSocketInternal socket, String uri,
                     MultiMap headers, UnaryOperator<String> location, Optional<String> queryTokenCookie,
                     Runnable failedBeforeAnswer, Runnable atEnd) {
        new UpstreamExchange(ctx, pool, server, socket, location, queryTokenCookie, failedBeforeAnswer, atEnd)
                .start(uri, (HttpHeaders) headers);
    }

    private void start(String uri, HttpHeaders headers) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        socket.messageHandler(this::answer);
        socket.exceptionHandler(e -> broken());
        socket.closeHandler(v -> broken());
        response.closeHandler(v -> {
            if (!ended) {
                ended = true;
                socket.close(); // a client gone (a reloaded iframe): the upstream request is cancelled at once
            }
        });
        io.netty.handler.codec.http.HttpMethod method = io.netty.handler.codec.http.HttpMethod.valueOf(
                request.method().name());
        MultiMap in = request.headers();
        boolean hasBody = in.contains(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH)
                || in.contains(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING);
        if (!hasBody) {
            Exchange.resume(request);
            socket.writeMessage(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                    io.netty.buffer.Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE));
            return;
        }
        if (!in.contains(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH)) {
            headers.set(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING,
                    io.netty.handler.codec.http.HttpHeaderValues.CHUNKED);
        }
        socket.writeMessage(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, headers));
        request.handler(chunk -> {
            socket.writeMessage(new DefaultHttpContent(io.netty.buffer.Unpooled.wrappedBuffer(chunk.getBytes())));
            if (socket.writeQueueFull()) {
                request.pause();
                socket.drainHandler(v -> request.resume());
            }
        });
        request.endHandler(v -> socket.writeMessage(LastHttpContent.EMPTY_LAST_CONTENT));
        Exchange.resume(request);
    }

    private void answer(Object msg) {
        try {
            if (ended || !(msg instanceof HttpObject object)) {
                return;
            }
            if (object.decoderResult().isFailure()) {
                broken();
                return;
            }
            if (msg instanceof HttpResponse head) {
                if (head.status().code() / 100 == 1) {
                    return; // an interim answer (103 Early Hints): the client gets the final one
                }
                writeHead(head);
            }
            if (msg instanceof HttpContent content) {
                body(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void writeHead(HttpResponse head) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.headWritten()) {
            ended = true;
            socket.close();
            return;
        }
        headWritten = true;
        keepAlive = HttpUtil.isKeepAlive(head);
        HeadersAdaptor headers = new HeadersAdaptor(head.headers());
        UpstreamRelay.answerHead(response, head.status().code(), head.status().reasonPhrase(), headers, location,
                queryTokenCookie);
        UpstreamRelay.chunkedUnlessSized(ctx.request(), response, head.status().code(), headers);
    }

    private void body(HttpContent content) {
        HttpServerResponse response = ctx.response();
        if (!headWritten || response.closed()) {
            return;
        }
        if (content.content().isReadable()) {
            response.write(Buffer.buffer(ByteBufUtil.getBytes(content.content())));
            if (response.writeQueueFull()) {
                socket.pause();
                response.drainHandler(v -> socket.resume());
            }
        }
        if (content instanceof LastHttpContent) {
            ended = true;
            response.end();
            atEnd.run();
            if (keepAlive && ctx.request().isEnded()) {
                pool.giveBack(server, socket);
            } else {
                socket.close();
                if (!ctx.request().isEnded()) {
                    // answered before the body was all sent: the rest is read and dropped, so that the client's
                    // connection can carry its next request
                    ctx.request().handler(chunk -> {
                    });
                    ctx.request().resume();
                }
            }
        }
    }

    /** The connection failed or closed before the answer ended. */
    private void broken() {
        if (ended) {
            return;
        }
        ended = true;
        socket.close();
        HttpServerResponse response = ctx.response();
        if (!headWritten) {
            Exchange.resume(ctx.request());
            failedBeforeAnswer.run();
        } else if (!response.closed() && !response.ended()) {
            response.reset();
        }
    }
}
