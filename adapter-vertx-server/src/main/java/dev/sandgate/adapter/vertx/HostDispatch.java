package dev.sandgate.adapter.vertx;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which router a request goes to, decided before any routing, with the answers written there.
 *
 * <ul>
 * <li>{@code CONNECT} and {@code TRACE} are refused with 405 on every port: the broker is no forward proxy.</li>
 * <li>On the broker's port, a {@code Host} that names a preview ({@link PreviewHosts}) goes to the host-named
 * previews' router; any other must name this broker ({@link OwnHosts}): the public URL's host, and when bound to a
 * loopback or wildcard address also {@code 127.0.0.1}, {@code localhost} and {@code [::1]}, each with its port or
 * none, ignoring case and a trailing dot. Another name gets 421 (a page whose DNS name was rebound to the broker's
 * address cannot use it), a repeated, empty or malformed {@code Host} 400; neither answer echoes the value. The
 * authority of an absolute-form request line is not consulted: it never picks an upstream.</li>
 * <li>The broker's router gets only paths it can route as they are ({@link RawPath#unroutable}): 400 otherwise.</li>
 * <li>On a preview's own port ({@link PreviewOrigins}), the {@code Host} must name that origin.</li>
 * </ul>
 */
final class HostDispatch {
    static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    private HostDispatch() {
    }

    /** The broker's own port: host-named previews when a preview domain is set, else the broker's router. */
    static Handler<HttpServerRequest> broker(OwnHosts hosts, Optional<PreviewHosts> hostNames,
                                             Optional<Router> hostNamed, Router broker) {
        return request -> {
            if (refusedMethod(request)) {
                return;
            }
            if (hostNamed.isPresent() && hostNames.orElseThrow().labelOf(request.headers().getAll("Host")).isPresent()) {
                hostNamed.get().handle(request);
                return;
            }
            int hostStatus = hosts.check(request.headers().getAll("Host"));
            if (hostStatus != 0) {
                refuse(request, hostStatus);
                return;
            }
            Optional<String> unroutable = RawPath.unroutable(request.path() == null ? "/" : request.path());
            if (unroutable.isPresent()) {
                unroutable(request, unroutable.get());
                return;
            }
            broker.handle(request);
        };
    }

    /** The previews' own origins: the {@code Host} must name the origin of the port the request came to. */
    static Handler<HttpServerRequest> ownOrigins(String urlHost, String bindHost, Router origins) {
        Map<Integer, OwnHosts> originHosts = new ConcurrentHashMap<>();
        return request -> {
            if (refusedMethod(request)) {
                return;
            }
            int port = request.localAddress().port();
            OwnHosts names = originHosts.computeIfAbsent(port, p ->
                    OwnHosts.of(URI.create("http://" + urlHost + ":" + p), bindHost, p));
            int hostStatus = names.check(request.headers().getAll("Host"));
            if (hostStatus != 0) {
                refuse(request, hostStatus);
            } else {
                origins.handle(request);
            }
        };
    }

    private static boolean refusedMethod(HttpServerRequest request) {
        if (request.method() == HttpMethod.CONNECT || request.method() == HttpMethod.TRACE) {
            refuse(request, 405);
            return true;
        }
        return false;
    }

    /** An answer written before routing, with the control plane's JSON body; the connection is closed after it. */
    static void refuse(HttpServerRequest request, int status) {
        HttpServerResponse response = request.response().setStatusCode(status)
                .putHeader("Content-Type", Exchange.JSON)
                .putHeader("Cache-Control", "no-store")
                .putHeader("Connection", "close");
        if (status == 405) {
            response.putHeader("Allow", ALLOWED_METHODS);
        }
        response.end(ApiError.ofStatus(status).controlBody().encode());
    }

    /**
     * A path the router would read as another one: 400, in the sandbox API's shape (with the protocol's CORS
     * headers) on data-plane, session and preview paths, the control plane's elsewhere.
     */
    private static void unroutable(HttpServerRequest request, String why) {
        java.util.List<String> segments = RawPath.segments(request.path());
        boolean sandboxApi = segments.size() >= 3 && (segments.get(0).equals("s") || segments.get(0).equals("p")
                || segments.get(1).equals("sandboxes"));
        ApiError error = new ApiError(400, "INVALID_REQUEST", why);
        HttpServerResponse response = request.response().setStatusCode(400)
                .putHeader("Content-Type", Exchange.JSON)
                .putHeader("Cache-Control", "no-store");
        if (sandboxApi) {
            Cors.apply(response, Cors.DEFAULTS);
        }
        response.end((sandboxApi ? error.dataBody() : error.controlBody()).encode());
    }

    /** Before serving starts: 503 with {@code Retry-After}. */
    static void notReady(HttpServerRequest request) {
        request.response().setStatusCode(503).putHeader("Content-Type", Exchange.JSON)
                .putHeader("Retry-After", "1")
                .end(new ApiError(503, "UNAVAILABLE", "the broker is starting").controlBody().encode());
    }

    /** Requests Netty could not decode: 414, 431 or 400, with a JSON body, and the connection closed. */
    static void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = cause instanceof TooLongHttpLineException ? 414
                : cause instanceof TooLongHttpHeaderException ? 431
                : cause instanceof TooLongFrameException ? 431 : 400;
        request.response().setStatusCode(status)
                .putHeader("Content-Type", Exchange.JSON)
                .putHeader("Connection", "close")
                .end(ApiError.ofStatus(status).controlBody().encode())
                .onComplete(v -> request.connection().close());
    }
}
