package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.access.AccessDecision;
import dev.sandgate.ports.access.PresentedToken;
import dev.sandgate.ports.SandboxGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The reverse proxy behind each application preview's URL {@code /p/{sandbox}/{preview}/…}: HTTP and WebSocket
 * traffic to {@code upstreamHost:{preview port}}, streamed both ways: plain requests over {@link RawUpstream}'s
 * pooled connections ({@link UpstreamExchange}), WebSocket upgrades with vertx-core's {@link HttpClient} (a pool
 * per event loop: {@link PerLoopHttpClient}).
 *
 * <ul>
 * <li>The upstream is the configured host and the preview's port (or the relay the gateway names for a sandbox
 * with a network of its own: {@link SandboxGateway#portAddress}), never anything from the request (Host,
 * absolute-URI request line, X-Forwarded-*).</li>
 * <li>Private previews need a token: header {@code X-Blaxel-Preview-Token}, or {@code ?bl_preview_token=}, or the
 * token cookie. A query token is answered on the request itself, for every client, with
 * {@code Referrer-Policy: no-referrer}; on an origin of the preview's own it also sets the HttpOnly cookie (see
 * {@link #tokenCookie}) that the page's later requests use, and only a browser's top-level navigation is redirected to
 * the same path without the token. On the path form, whose origin other content shares, no cookie is set or read.
 * None of the three, nor the API key, ever reaches the sandbox.</li>
 * <li>Hop-by-hop headers (Connection and what it names, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding,
 * Upgrade except for a WebSocket upgrade) are dropped both ways; {@code requestHeaders} are injected.</li>
 * <li>Who may pass is {@link AccessDecision}'s to say (the token checked first, then a WebSocket upgrade's
 * {@code Origin}); this class carries out its verdict.</li>
 * </ul>
 */
final class PreviewProxy {
    static final String TOKEN_PARAM = ProxyHeaders.TOKEN_PARAM;
    static final String TOKEN_COOKIE = ProxyHeaders.TOKEN_COOKIE;

    private final SandboxGateway gateway;
    private final AccessDecision decision;
    private final OpenGrants grants;
    private final Duration tunnelIdleTimeout;
    private final Clock clock;
    private final RawUpstream raw;
    private final HttpClient tunnels;
    private final String upstreamHost;
    private final SandboxPorts ports;
    /**
     * {@code upstreamHost:port} by port, built once: Vert.x builds (and parses) the address of each request that
     * does not name one, about 1.5 % of the proxy's CPU. At most one per port number.
     */
    private final java.util.Map<Integer, SocketAddress> upstreamAddresses =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Lookups lookups;
    private final ProxyHeaders headers;
    /** The broker's own origin ({@code scheme://host[:port]}, lowercase, default port omitted). */
    private final String ownOrigin;
    private final Set<String> ownOrigins;
    /** The last preview's CORS headers, reused while its record is the same (a store answering from memory). */
    private volatile CorsOf lastCors = new CorsOf(null, Map.of());
    private final java.util.function.Consumer<HttpServerRequest> onUpgrade;
    private final BrokerMeters meters;

    PreviewProxy(SandboxGateway gateway, AccessDecision decision, OpenGrants grants, Duration tunnelIdleTimeout,
                 Clock clock, WorkerExecutor workers, RawUpstream raw,
                 HttpClient tunnels, Credentials credentials, String upstreamHost, java.net.URI publicUrl,
                 java.util.function.Consumer<HttpServerRequest> onUpgrade, BrokerMeters meters) {
        this.onUpgrade = onUpgrade;
        this.meters = meters;
        this.gateway = gateway;
        this.decision = decision;
        this.grants = grants;
        this.tunnelIdleTimeout = tunnelIdleTimeout;
        this.clock = clock;
        this.raw = raw;
        this.tunnels = tunnels;
        this.upstreamHost = upstreamHost;
        this.ports = new SandboxPorts(gateway, workers);
        this.lookups = new Lookups(workers);
        this.headers = new ProxyHeaders(credentials, upstreamHost, publicUrl.getScheme().toLowerCase(Locale.ROOT));
        this.ownOrigin = origin(publicUrl);
        this.ownOrigins = Set.of(ownOrigin);
    }

    private record CorsOf(dev.sandgate.domain.HttpHeaders responseHeaders, Map<String, String> cors) {
    }

    /**
     * Where a preview is served from. Path form: under {@code /p/{sandbox}/{preview}} of the broker's origin, which
     * other content shares, so no token cookie is ever set or accepted there: a private preview takes its token on
     * every request. Own origin: at the root of {@code origin}; since browsers send a host's cookies to all its ports,
     * the token cookie's name carries the port ({@code bl_preview_token_<port>}). {@code gone} runs when a request
     * finds the preview deleted.
     */
    record Mount(String prefix, Optional<String> cookie, Optional<String> origin, Runnable gone) {
        static Mount path(SandboxName sandbox, PreviewName preview) {
            return new Mount("/p/" + sandbox.value() + "/" + preview.value(), Optional.empty(), Optional.empty(),
                    () -> {
                    });
        }

        static Mount origin(String origin, int port, Runnable gone) {
            return new Mount("", Optional.of(TOKEN_COOKIE + "_" + port), Optional.of(origin), gone);
        }

        /** A preview at the root of a host name of its own: its cookies are its own already. */
        static Mount host(String origin, Runnable gone) {
            return new Mount("", Optional.of(TOKEN_COOKIE), Optional.of(origin), gone);
        }
    }

    /** {@code rest} is the raw path after {@code /p/{sandbox}/{preview}}; the request is paused. */
    void handle(RoutingContext ctx, SandboxName sandbox, PreviewName name, String rest) {
        handle(ctx, sandbox, name, rest, Mount.path(sandbox, name));
    }

    /**
     * {@code rest} is the raw path under the mount; the request is paused. The decision runs on the event loop when
     * the store answers from memory ({@link Lookups}), on a worker otherwise.
     */
    void handle(RoutingContext ctx, SandboxName sandbox, PreviewName name, String rest, Mount mount) {
        HttpServerRequest request = ctx.request();
        PresentedToken presented = Credentials.presentedToken(request, mount.cookie());
        boolean preflight = Cors.isPreflight(request);
        boolean webSocket = isWebSocketUpgrade(request);
        Optional<String> webSocketOrigin = webSocket
                ? Optional.of(Optional.ofNullable(request.getHeader("Origin")).orElse("")) : Optional.empty();
        Set<String> own = mount.origin().map(o -> Set.of(ownOrigin, o)).orElse(ownOrigins);
        var access = new AccessDecision.PreviewRequest(sandbox, name, presented, preflight,
                isTopLevelNavigation(request), webSocketOrigin, own);
        lookups.run(ctx, () -> decision.preview(access, clock.instant()), outcome -> {
            outcome.preview().ifPresent(p -> ctx.put(BrokerServer.CORS_KEY, cors(p)));
            outcome.grant().ifPresent(g -> ctx.put(BrokerServer.GRANT_KEY, g));
            switch (outcome.verdict()) {
                case NOT_FOUND -> {
                    ctx.addEndHandler(v -> mount.gone().run());
                    ctx.fail(new dev.sandgate.domain.SandgateException.NotFound(
                            "preview " + name + " of sandbox " + sandbox + " not found"));
                }
                case UNAUTHORIZED, EXPIRED -> ctx.fail(401);
                case FORBIDDEN -> ctx.fail(403);
                case REDIRECT, FORWARD_SETTING_COOKIE -> {
                    String token = presented.token().orElseThrow().value().value();
                    Optional<String> setCookie = mount.cookie().map(cookieName -> tokenCookie(cookieName, mount,
                            token, outcome.token().orElseThrow().expiresAt()));
                    if (setCookie.isPresent() && outcome.verdict() == AccessDecision.Verdict.REDIRECT) {
                        redirect(ctx, setCookie.get());
                    } else {
                        forward(ctx, outcome.preview().orElseThrow(), rest, mount, webSocket, setCookie);
                    }
                }
                case FORWARD -> {
                    if (preflight) {
                        Exchange.resume(request);
                        ctx.response().setStatusCode(204).end();
                    } else {
                        forward(ctx, outcome.preview().orElseThrow(), rest, mount, webSocket, null);
                    }
                }
            }
        });
    }

    /** The CORS headers of a preview's answers, computed once per preview record. */
    private Map<String, String> cors(Preview preview) {
        dev.sandgate.domain.HttpHeaders responseHeaders = preview.spec().responseHeaders();
        CorsOf last = lastCors;
        if (last.responseHeaders() != responseHeaders) {
            last = new CorsOf(responseHeaders, Cors.headersFor(responseHeaders));
            lastCors = last;
        }
        return last.cors();
    }

    /**
     * The token cookie: {@code HttpOnly}, scoped to the whole origin of its own. Where the origin is a secure context
     * for browsers (https, or loopback, which Chromium treats as secure over plain http) it is
     * {@code SameSite=None; Secure; Partitioned} (CHIPS), the one kind a browser that blocks third-party cookies
     * still sends from a cross-site iframe, kept in that embedding site's partition. On a plain-http origin that is
     * not loopback {@code Secure} cookies are refused, so it falls back to {@code SameSite=Lax}, which works for
     * top-level pages and same-site iframes only (docs/security.md).
     */
    private String tokenCookie(String name, Mount mount, String token, Instant expiresAt) {
        long maxAge = Math.max(0, Duration.between(clock.instant(), expiresAt).toSeconds());
        String base = name + "=" + token + "; Path=/; Max-Age=" + maxAge + "; HttpOnly";
        return base + (secureContext(mount.origin().orElse(ownOrigin))
                ? "; SameSite=None; Secure; Partitioned" : "; SameSite=Lax");
    }

    /** Whether browsers treat {@code origin} ({@code scheme://host[:port]}) as a secure context. */
    static boolean secureContext(String origin) {
        java.net.URI uri = java.net.URI.create(origin);
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            return true;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.endsWith(".localhost") || host.equals("[::1]")
                || host.matches("127(\\.\\d{1,3}){3}");
    }

    /**
     * A browser's top-level navigation ({@code Sec-Fetch-Mode: navigate} and {@code Sec-Fetch-Dest: document}): the
     * one request answered with a redirect that takes the token out of the address bar and history. Every other
     * client (an iframe, a script, Node, curl) gets the answer itself.
     */
    static boolean isTopLevelNavigation(HttpServerRequest request) {
        return "navigate".equalsIgnoreCase(request.getHeader("Sec-Fetch-Mode"))
                && "document".equalsIgnoreCase(request.getHeader("Sec-Fetch-Dest"))
                && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD);
    }

    /**
     * 302 to the same path without the token, setting its cookie. The location is always a path of this origin:
     * leading slashes and backslashes collapse to one slash, so {@code //evil.example/x} stays here.
     */
    private void redirect(RoutingContext ctx, String setCookie) {
        HttpServerRequest request = ctx.request();
        String query = withoutParam(request.query(), TOKEN_PARAM);
        String location = sameOriginPath(request.path()) + (query.isEmpty() ? "" : "?" + query);
        Exchange.resume(request);
        ctx.response().setStatusCode(302)
                .putHeader("Location", location)
                .putHeader("Set-Cookie", setCookie)
                .putHeader("Cache-Control", "no-store")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Content-Type", Exchange.JSON)
                .end("{}");
    }

    /** {@code path} as a path of this origin: never {@code //host} nor {@code /\host}, which browsers read as hosts. */
    static String sameOriginPath(String path) {
        int i = 0;
        while (i < path.length() && (path.charAt(i) == '/' || path.charAt(i) == '\\')) {
            i++;
        }
        return "/" + path.substring(i);
    }

    /**
     * Sends the request to the application over a pooled keep-alive connection and relays its answer.
     * {@code queryTokenCookie} is non-null when a query token let the request in (the cookie to set, if any).
     */
    private void forward(RoutingContext ctx, Preview preview, String rest, Mount mount, boolean webSocket,
                         Optional<String> queryTokenCookie) {
        HttpServerRequest request = ctx.request();
        String query = withoutParam(request.query(), TOKEN_PARAM);
        String path = rest.isEmpty() ? "/" : rest;
        Upstream upstream = new Upstream(query.isEmpty() ? path : path + "?" + query,
                headers.upstream(request, preview, webSocket), l -> location(l, preview, mount), queryTokenCookie);
        ports.server(preview.sandbox(), preview.port()).onComplete(found -> {
            if (found.failed()) {
                ports.forget(preview.sandbox(), preview.port());
                upstreamFailed(ctx);
                return;
            }
            // a sandbox's own network: the relay its gateway controls; otherwise the preview's port on this host
            SocketAddress address = found.result().orElseGet(() -> upstreamAddresses.computeIfAbsent(
                    preview.port().value(), port -> SocketAddress.inetSocketAddress(port, upstreamHost)));
            if (webSocket) {
                upgrade(ctx, preview, address, upstream);
            } else {
                plain(ctx, preview, address, upstream);
            }
        });
    }

    /** What goes to the application, and how its answer comes back. */
    private record Upstream(String uri, MultiMap headers, UnaryOperator<String> location,
                            Optional<String> queryTokenCookie) {
    }

    /** A plain request: over one of {@link RawUpstream}'s connections. */
    private void plain(RoutingContext ctx, Preview preview, SocketAddress address, Upstream upstream) {
        raw.take(address).onComplete(taken -> {
            if (taken.failed()) {
                ports.forget(preview.sandbox(), preview.port());
                upstreamFailed(ctx);
                return;
            }
            UpstreamExchange.send(ctx, raw, address, taken.result(), upstream.uri(), upstream.headers(),
                    upstream.location(), upstream.queryTokenCookie(), () -> upstreamFailed(ctx), () -> {
                        meters.proxiedToSandbox(ctx.request().bytesRead());
                        meters.proxiedToClient(ctx.response().bytesWritten());
                    });
        });
    }

    /** A WebSocket upgrade: Vert.x's client, whose upgraded connection leaves its pool for the tunnel. */
    private void upgrade(RoutingContext ctx, Preview preview, SocketAddress address, Upstream upstream) {
        RequestOptions options = new RequestOptions()
                .setServer(address)
                .setHost(upstreamHost)
                .setPort(preview.port().value())
                .setMethod(ctx.request().method())
                .setURI(upstream.uri())
                .setHeaders(upstream.headers());
        tunnels.request(options).onComplete(ar -> {
            if (ar.failed()) {
                ports.forget(preview.sandbox(), preview.port());
                upstreamFailed(ctx);
                return;
            }
            HttpClientRequest request = ar.result();
            // Failures are answered through the futures below; this only keeps them out of the error log.
            request.exceptionHandler(e -> {
            });
            request.connect().onComplete(res -> {
                if (res.failed()) {
                    upstreamFailed(ctx);
                } else if (res.result().statusCode() == 101) {
                    UpstreamRelay.tunnel(ctx, res.result(), grants, tunnelIdleTimeout, onUpgrade, meters);
                } else {
                    UpstreamRelay.relay(ctx, res.result(), upstream.location(), upstream.queryTokenCookie(), meters);
                }
            });
        });
    }

    /**
     * A redirect the application wrote for itself, put back under the preview's prefix: {@code /login} and
     * {@code http://127.0.0.1:3000/login} become {@code /p/{sandbox}/{preview}/login} (or {@code /login} on an
     * origin of its own). Other locations stay.
     */
    private String location(String location, Preview preview, Mount mount) {
        String prefix = mount.prefix();
        String origin = "http://" + upstreamHost + ":" + preview.port().value();
        if (location.startsWith("/") && !location.startsWith("//")) {
            return prefix + location;
        }
        if (location.equals(origin) || location.startsWith(origin + "/") || location.startsWith(origin + "?")) {
            String rest = location.substring(origin.length());
            return prefix + (rest.startsWith("/") ? rest : "/" + rest);
        }
        return location;
    }

    private void upstreamFailed(RoutingContext ctx) {
        if (!ctx.response().closed() && !ctx.response().headWritten()) {
            ctx.fail(new dev.sandgate.domain.SandgateException.Unavailable(
                    "the preview's port does not answer (is the application listening?)"));
        }
    }

    private static String origin(java.net.URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        int port = url.getPort();
        boolean defaultPort = port < 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    static boolean isWebSocketUpgrade(HttpServerRequest request) {
        return ProxyHeaders.isWebSocketUpgrade(request);
    }

    static String withoutParam(String query, String name) {
        return ProxyHeaders.withoutParam(query, name);
    }

    static List<String> queryValues(String query, String name) {
        return ProxyHeaders.queryValues(query, name);
    }

    static String withoutTokenCookies(String header) {
        return ProxyHeaders.withoutTokenCookies(header);
    }
}
