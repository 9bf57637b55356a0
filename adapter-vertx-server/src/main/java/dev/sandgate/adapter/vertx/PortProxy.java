package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ANY {sandbox API}/port/{port}{path}} ({@code sandbox.fetch(port, path)}): the request, already
 * authenticated for the sandbox's data plane, goes to {@code port} inside the sandbox, through the path its gateway
 * controls. Served only where the gateway names such a path (a sandbox with a network namespace of its own); where a
 * sandbox shares the broker's network, reaching "a port" would mean reaching any port of the host, so the route is
 * not served there (404). No credential of the caller is forwarded; the body is the one already read.
 */
final class PortProxy {
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade",
            "http2-settings", "host", "content-length", "x-blaxel-preview-token", "x-blaxel-authorization",
            "x-blaxel-workspace", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
            "x-forwarded-port", "x-forwarded-prefix", "x-real-ip", "expect");
    private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "content-length");

    private final SandboxPorts ports;
    private final HttpClient client;
    private final Credentials credentials;
    private final String upstreamHost;

    PortProxy(SandboxPorts ports, HttpClient client, Credentials credentials, String upstreamHost) {
        this.ports = ports;
        this.client = client;
        this.credentials = credentials;
        this.upstreamHost = upstreamHost;
    }

    /** The raw segment after {@code port} in the request's path, under the face's mount point. */
    static String rawPort(RoutingContext ctx) {
        return RawPath.segment(ctx.request().path(), RawPath.count(ctx.mountPoint()) + 1);
    }

    /** The port the route names, or {@code InvalidRequest} (400) naming the bad segment. */
    static Port port(String rawPort) {
        try {
            if (!rawPort.matches("\\d{1,5}")) {
                throw new IllegalArgumentException("port '" + rawPort + "' is not a number");
            }
            return Port.of(Integer.parseInt(rawPort));
        } catch (IllegalArgumentException e) {
            throw new SandgateException.InvalidRequest(e.getMessage());
        }
    }

    /** {@code rawPort} is the segment after {@code port}, {@code rest} the raw path after it. */
    void handle(RoutingContext ctx, SandboxName sandbox, String rawPort, String rest) {
        Port port;
        try {
            port = port(rawPort);
        } catch (SandgateException.InvalidRequest e) {
            ctx.fail(e);
            return;
        }
        HttpServerRequest request = ctx.request();
        String query = request.query();
        RequestOptions options = new RequestOptions()
                .setHost(upstreamHost)
                .setPort(port.value())
                .setMethod(request.method())
                .setURI((rest.isEmpty() ? "/" : rest) + (query == null || query.isEmpty() ? "" : "?" + query))
                .setHeaders(headers(request, port));
        Buffer body = ctx.body() == null || ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
        ports.server(sandbox, port).compose(server -> {
            if (server.isEmpty()) {
                throw new SandgateException.NotFound("/port/{port} is served only for sandboxes with a network of "
                        + "their own (isolated local sandboxes)");
            }
            options.setServer(server.get());
            return client.request(options);
        }).compose(upstream -> upstream.send(body)).onComplete(ar -> {
            if (ar.failed()) {
                ports.forget(sandbox, port);
                if (!ctx.response().headWritten()) {
                    ctx.fail(ar.cause() instanceof SandgateException e ? e : new SandgateException.Unavailable(
                            "port " + port + " of sandbox " + sandbox + " does not answer (is anything listening?)"));
                }
                return;
            }
            relay(ctx, ar.result());
        });
    }

    private MultiMap headers(HttpServerRequest request, Port port) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> h : request.headers()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(lower)) {
                continue;
            }
            if (lower.equals("authorization") && credentials.isApiKeyAuthorization(h.getValue())) {
                continue;
            }
            if (lower.equals("cookie")) {
                String kept = ProxyHeaders.withoutTokenCookies(h.getValue());
                if (!kept.isEmpty()) {
                    out.add(h.getKey(), kept);
                }
                continue;
            }
            out.add(h.getKey(), h.getValue());
        }
        out.set("Host", upstreamHost + ":" + port.value());
        return out;
    }

    private static void relay(RoutingContext ctx, HttpClientResponse upstream) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.headWritten()) {
            upstream.request().reset();
            return;
        }
        response.setStatusCode(upstream.statusCode());
        response.setStatusMessage(upstream.statusMessage());
        for (Map.Entry<String, String> h : upstream.headers()) {
            if (!NOT_RETURNED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                response.headers().add(h.getKey(), h.getValue());
            }
        }
        upstream.body().onComplete(body -> {
            if (body.failed()) {
                response.reset();
            } else if (!response.closed()) {
                response.end(body.result());
            }
        });
    }
}
